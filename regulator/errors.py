"""The regulator API's own refusals (on the hierarchy of ``core.errors``);
proofs the log cannot give are ``audit.errors.ProofUnavailable``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput, NotFound


class MalformedCursor(InvalidInput):
    code = "invalid_cursor"
    default_message = _("Malformed cursor.")


class EventNotFound(NotFound):
    default_message = _("No such event.")


class NoCheckpointYet(NotFound):
    default_message = _("No checkpoint yet.")


class NotARegulator(InvalidInput):
    code = "not_a_regulator"
    default_message = _("API tokens are for active regulator accounts only.")

"""The consents' errors (on the hierarchy of ``core.errors``).

``str()`` is English: the authorization server puts it in
``error_description`` for the brand; the consumer's pages show
``localized()``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput


class ConsentError(InvalidInput):
    """A consent change that is not allowed (unknown facet, wider than before, ...)."""

    code = "invalid_consent"


class ScopeError(ConsentError):
    """An unknown or malformed scope, purpose or duration."""

    code = "invalid_scope"


class CursorInvalid(InvalidInput):
    """A page cursor this API did not hand out."""

    default_message = _("cursor is not one this API returned")

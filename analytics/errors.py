"""The analytics app's errors (on the hierarchy of ``core.errors``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, Forbidden, InvalidInput, NotFound, SillageError, Unauthorized


class RecommendationNotFound(NotFound):
    """No such recommendation among this consumer's current ones."""

    code = "recommendation_not_found"

    def __init__(self, fingerprint: str) -> None:
        super().__init__(_("no recommendation %(fingerprint)s"), fingerprint=fingerprint)
        self.fingerprint = fingerprint


class RecommendationActionFailed(Conflict):
    """The action could not be carried out (the consent is no longer active...)."""

    code = "recommendation_action_failed"


class AggregateRefused(SillageError):
    """A release of aggregate figures was refused (see the two kinds below)."""

    code = "aggregate_refused"
    status = 400


class InvalidAggregateQuery(AggregateRefused, InvalidInput):
    code = "invalid_query"
    status = 400


class PrivacyBudgetExhausted(AggregateRefused, Forbidden):
    code = "privacy_budget_exhausted"
    status = 403


class TokenRefused(Unauthorized):
    """401 ``invalid_token`` for the aggregates endpoint, with the Bearer challenge."""

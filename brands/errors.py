"""The brands' errors (on the hierarchy of ``core.errors``): bad input in the
brand portal and the commands, and the brand API's refusals, whose codes and
English texts are part of the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooLarge,
    Unauthorized,
    UnsupportedMediaType,
)


class BrandError(InvalidInput):
    """Bad input for a brand or client (the message is safe to show)."""

    code = "invalid_brand"


# --- the brand API ------------------------------------------------------------------


class InvalidToken(Unauthorized):
    """401 ``invalid_token``, with the Bearer challenge."""


class InsufficientScope(Forbidden):
    """A valid token that does not carry what this endpoint needs."""

    code = "insufficient_scope"


class FacetNotConsented(Forbidden):
    """The token's consent does not cover this facet with this access."""

    code = "facet_not_consented"

    def __init__(self, facet: str, mode: str) -> None:
        super().__init__(_("the consent behind this token does not allow %(facet)s:%(mode)s"),
                         facet=facet, mode=mode)
        self.facet = facet
        self.mode = mode


class UnknownFacet(NotFound):
    code = "unknown_facet"

    def __init__(self, facet: str) -> None:
        super().__init__(_("no facet named %(name)s"), name=repr(facet[:40]))
        self.facet = facet


class IdempotencyConflict(Conflict):
    """The Idempotency-Key was used with a different request."""

    code = "idempotency_conflict"
    default_message = _("this Idempotency-Key was used with a different request")


class InvalidIdempotencyKey(InvalidInput):
    default_message = _("Idempotency-Key is 1 to 200 printable characters")


class BodyTooLarge(TooLarge):
    def __init__(self, limit: int) -> None:
        super().__init__(_("the body is larger than %(limit)s bytes"), limit=limit)


class BodyNotJson(UnsupportedMediaType):
    default_message = _("send the record as application/json")


class MalformedJson(InvalidInput):
    default_message = _("the body is not valid JSON")

"""Bearer-token authentication for the brand API, in one query.

The token is found by the SHA-256 of its value, with its consent, the
consumer's vault, the client and the brand joined in; the consent, the client
and the brand are checked on every request, so a revoked consent, one past its
expiry, or a disabled client or brand stops working at that instant, not at
the next sweep. Tokens are accepted in the Authorization
header only (never in the query string, RFC 9700).

A client-credentials token (the brand's own ``aggregates`` token) is valid but
carries no consent: it gets 403 ``insufficient_scope`` here, never a
consumer's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from brands.errors import InsufficientScope, InvalidToken
from brands.models import Application
from brands.selectors import token_for_bearer
from consents.models import AccessToken, Consent
from consents.scopes import all_scopes
from consents.services import consent_expire

REALM = 'Bearer realm="sillage"'


@dataclass(frozen=True)
class BrandClient:
    """``request.user`` for the brand API: the OAuth client, not a person."""

    application: Application
    is_authenticated: bool = True
    is_anonymous: bool = False

    @property
    def client_id(self) -> str:
        return self.application.client_id


class ConsentTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[BrandClient, AccessToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _space, value = header.partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or not value or " " in value:
            raise InvalidToken(_("use the header 'Authorization: Bearer <access token>'"))
        token = token_for_bearer(value)
        if token is None:
            raise InvalidToken(_("the access token is not valid: unknown, revoked or replaced"))
        now = timezone.now()
        if token.expires <= now:
            raise InvalidToken(_("the access token has expired: use the refresh token"))
        consent = token.consent
        if token.application is None:
            raise InvalidToken(_("the access token carries no consent"))
        if not token.application.is_usable(None):
            # Client and brand come joined with the token: no extra query.
            raise InvalidToken(_("the client behind this token is disabled"))
        if consent is None:
            if token.is_client_token:
                raise InsufficientScope(_("this client-credentials token carries no consent: it is "
                                          "for /api/v1/aggregates only"))
            raise InvalidToken(_("the access token carries no consent"))
        if consent.status == Consent.Status.REVOKED:
            raise InvalidToken(_("the consumer revoked the consent behind this token"))
        if consent.status == Consent.Status.EXPIRED or consent.expires_at <= now:
            if consent.status == Consent.Status.ACTIVE:
                consent_expire(consent=consent, now=now)
            raise InvalidToken(_("the consent behind this token has expired"))
        return BrandClient(application=token.application), token

    def authenticate_header(self, request: Request) -> str:
        return REALM


class HasConsentToken(BasePermission):
    message = "an access token is required: Authorization: Bearer <access token>"

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, AccessToken)


class ConsentTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """OpenAPI: the OAuth 2 authorization-code flow with every facet scope."""

    target_class = "brands.api.authentication.ConsentTokenAuthentication"
    name = "oauth2"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "oauth2",
            "description": (
                "Authorization code with PKCE (S256 only). The authorize request also carries "
                "`purpose` (service, personalisation, loyalty, analytics, marketing) and "
                "`duration_days`. Scopes are `<facet>:read` and `<facet>:write`."
            ),
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": "/o/authorize/",
                    "tokenUrl": "/o/token/",
                    "refreshUrl": "/o/token/",
                    "scopes": all_scopes(),
                }
            },
        }

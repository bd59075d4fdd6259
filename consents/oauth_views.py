"""Token introspection (RFC 7662) for brands.

The toolkit's view answers any authenticated client about any token and names
the user; ours answers a confidential client (authenticated with its secret;
a public client has none) only about its own tokens, names the consent (never
the consumer), and reflects a revoked or expired consent at once. A disabled
client, or one of a disabled brand, cannot authenticate (401); its tokens
were revoked when it was disabled. A
client-credentials token (``aggregates``) has no consent: its subject is the
client itself (``sub`` = ``client_id``).
"""

from __future__ import annotations

import calendar
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.views.mixins import OAuthLibMixin
from oauthlib.common import Request as OauthlibRequest

from .models import AccessToken, RefreshToken
from .oauth import digest


@method_decorator(csrf_exempt, name="dispatch")
class IntrospectView(OAuthLibMixin, View):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        core = self.get_oauthlib_core()
        uri, method, body, headers = core._extract_params(request)
        oauth_request = OauthlibRequest(uri, http_method=method, body=body, headers=headers)
        validator = core.server.request_validator
        if not validator.authenticate_client(oauth_request):
            return self._unauthorised("client authentication failed")
        client = oauth_request.client
        if not getattr(client, "is_confidential", False):
            # A public client has no secret to prove who asks (an empty one
            # "authenticates" it): introspection is for confidential clients.
            return self._unauthorised("introspection is for confidential clients, "
                                      "authenticated with their secret")
        value = request.POST.get("token", "")
        if not value:
            return JsonResponse(
                {"error": "invalid_request", "error_description": "token is required"}, status=400
            )
        hint = request.POST.get("token_type_hint", "")
        return JsonResponse(self._describe(value, hint, client))

    @staticmethod
    def _unauthorised(description: str) -> JsonResponse:
        response = JsonResponse({"error": "invalid_client", "error_description": description},
                                status=401)
        response["WWW-Authenticate"] = 'Basic realm="sillage"'
        return response

    def _describe(self, value: str, hint: str, client: Any) -> dict[str, Any]:
        key = digest(value)
        kinds: list[type[AccessToken] | type[RefreshToken]] = (
            [RefreshToken, AccessToken] if hint == "refresh_token" else [AccessToken, RefreshToken]
        )
        for model in kinds:
            token: Any = (
                model.objects.select_related("consent")
                .filter(token_checksum=key, application=client)
                .first()
            )
            if token is None:
                continue
            consent = token.consent
            if isinstance(token, AccessToken) and token.is_client_token:
                return self._describe_client_token(token, client)
            if consent is None or not consent.is_live():
                return {"active": False}
            if isinstance(token, AccessToken):
                if token.is_expired():
                    return {"active": False}
                expires = token.expires
                kind = "access_token"
                scope = token.scope
            else:
                if token.revoked is not None or token.access_token_id is None:
                    return {"active": False}
                expires = consent.expires_at
                kind = "refresh_token"
                scope = consent.scope
            return {
                "active": True,
                "token_type": "Bearer" if kind == "access_token" else kind,
                "scope": scope,
                "client_id": client.client_id,
                "exp": int(calendar.timegm(expires.utctimetuple())),
                "iat": int(calendar.timegm(token.created.utctimetuple())),
                "sub": str(consent.id),
                "consent_id": str(consent.id),
                "purpose": consent.purpose,
                "consent_expires_at": consent.expires_at.isoformat(),
            }
        return {"active": False}

    @staticmethod
    def _describe_client_token(token: AccessToken, client: Any) -> dict[str, Any]:
        if token.is_expired():
            return {"active": False}
        return {
            "active": True,
            "token_type": "Bearer",
            "scope": token.scope,
            "client_id": client.client_id,
            "exp": int(calendar.timegm(token.expires.utctimetuple())),
            "iat": int(calendar.timegm(token.created.utctimetuple())),
            "sub": client.client_id,
        }

"""The authorization server's glue: oauthlib server and django-oauth-toolkit
validator, configured to RFC 9700. Nothing of the toolkit is forked:
behaviour changes through its documented extension points only.

- Only the authorization-code and refresh-token grants exist for consumers'
  data (``SillageServer``). The client-credentials grant exists for one thing:
  a confidential brand client asking for an ``aggregates`` token (no consumer,
  no consent, no refresh token, at most 15 minutes) to call
  ``/api/v1/aggregates``; any other scope, and any public client, is refused.
- An authorize request must carry ``scope``, ``purpose`` and ``duration_days``,
  and PKCE with ``S256`` (``plain`` is refused before the consent screen) and a
  well-formed ``code_challenge`` (43 to 128 unreserved characters, RFC 7636).
- Access and refresh tokens are stored hashed by the toolkit itself
  (``COMPLIANT_BCP_RFC9700_TOKEN_STORAGE``: SHA-256 in ``token_checksum``, the
  clear column left empty, look-ups by checksum). Authorization codes are not
  covered by that setting, so this validator stores and finds them by SHA-256
  too: every toolkit method that reads ``Grant.code`` is overridden below.
- A code is single-use: it is claimed atomically once PKCE and the redirect URI
  have been checked; a replayed code revokes every token issued from it.
- Tokens carry their consent; an access token lives at most 15 minutes and
  never past its consent, and a refresh token stops working when its consent
  is revoked or expired (rotation with family-wide reuse detection is the
  toolkit's ``REFRESH_TOKEN_REUSE_PROTECTION``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import oauth2_settings
from oauthlib.oauth2 import WebApplicationServer
from oauthlib.oauth2.rfc6749 import errors
from oauthlib.oauth2.rfc6749.endpoints.token import TokenEndpoint
from oauthlib.oauth2.rfc6749.grant_types import ClientCredentialsGrant

from .conf import consents_settings
from .errors import ConsentError, ScopeError
from .models import AccessToken, Consent, Grant, RefreshToken
from .scopes import CLIENT_SCOPES, clean_duration_days, clean_purpose, request_state

log = logging.getLogger(__name__)

# RFC 7636 section 4.2: code-challenge = 43*128unreserved.
_CODE_CHALLENGE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def digest(value: str) -> str:
    """The stored form of a bearer value: SHA-256, hex (the toolkit's checksum)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ConsentDecision:
    """What the consumer chose on the consent screen, handed to the validator."""

    facets: dict[str, list[str]]
    purpose: str
    description: str
    duration_days: int
    requested_scope: str
    request_id: str = ""

    @property
    def scopes(self) -> list[str]:
        return sorted(f"{facet}:{mode}" for facet, modes in self.facets.items() for mode in modes)


class _ConcurrentRefresh(Exception):
    """A signal between two methods of the validator below, never raised past
    them: it is not an error anyone sees, so it stays off ``core.errors``."""

    def __init__(self, family: Any) -> None:
        super().__init__("refresh token used twice")
        self.family = family


def _token_lifetime(request: Any) -> int:
    """Access-token lifetime: the configured cap, and never past the consent."""
    cap = int(oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS)
    consent = request_state(request, "sillage_consent")
    if consent is None:
        return cap
    left = int((consent.expires_at - timezone.now()).total_seconds())
    return max(1, min(cap, left))


class SillageServer(WebApplicationServer):
    """Authorization code (+ refresh) for consumers' data, client credentials for
    a brand's aggregates only: no implicit or password grant exists here at all."""

    def __init__(self, request_validator: SillageValidator, token_generator: Any = None,
                 token_expires_in: Any = None, refresh_token_generator: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(
            request_validator, token_generator=token_generator, token_expires_in=_token_lifetime,
            refresh_token_generator=refresh_token_generator,
        )
        self.auth_grant.custom_validators.pre_auth.append(request_validator.validate_consent_request)
        self.auth_grant.custom_validators.post_auth.append(request_validator.validate_pkce_method)
        self.auth_grant.custom_validators.post_token.append(request_validator.claim_authorization_code)
        self.refresh_grant.custom_validators.post_token.append(request_validator.limit_to_consent)
        self.client_grant = ClientCredentialsGrant(request_validator)
        self.client_grant.custom_validators.pre_token.append(request_validator.mark_client_grant)
        self.client_grant.custom_validators.post_token.append(request_validator.limit_client_grant)
        TokenEndpoint.__init__(
            self,
            default_grant_type="authorization_code",
            grant_types={
                "authorization_code": self.auth_grant,
                "refresh_token": self.refresh_grant,
                "client_credentials": self.client_grant,
            },
            default_token_type=self.bearer,
        )


class SillageValidator(OAuth2Validator):
    # --- clients -----------------------------------------------------------------

    def _load_application(self, client_id: str, request: Any) -> Any:
        """The toolkit's client look-up, for a client id that can name a client.
        A NUL cannot be in a PostgreSQL text value: psycopg 3 raises DataError
        for it, which the toolkit's guard (ValueError, psycopg 2's) lets through
        as a 500."""
        if not isinstance(client_id, str) or "\x00" in client_id:
            return None
        return super()._load_application(client_id, request)

    # --- authorization request ---------------------------------------------------

    def validate_consent_request(self, request: Any) -> dict[str, Any]:
        """Custom pre-authorization check: scope, purpose and duration are required."""
        if not (getattr(request, "scope", None) or "").strip():
            raise errors.InvalidScopeError(
                description="scope is required: facets such as 'contact:read purchases:read'",
                request=request,
            )
        try:
            purpose = clean_purpose(getattr(request, "purpose", None))
            days = clean_duration_days(getattr(request, "duration_days", None),
                                       maximum=int(consents_settings.MAX_DURATION_DAYS))
        except ScopeError as error:
            raise errors.InvalidRequestError(description=str(error), request=request) from error
        if request.client is not None and not request.client.declares(purpose):
            raise errors.InvalidRequestError(
                description=f"purpose '{purpose}' is not declared by this client; "
                "declare it in the brand portal first",
                request=request,
            )
        if getattr(request, "resource", None):
            raise errors.CustomOAuth2Error(
                error="invalid_target", description="resource indicators are not supported",
                request=request,
            )
        return {"purpose": purpose, "duration_days": days}

    def validate_pkce_method(self, request: Any) -> dict[str, Any]:
        if request.code_challenge_method != "S256":
            raise errors.InvalidRequestError(
                description='code_challenge_method must be S256 ("plain" is refused)',
                request=request,
            )
        if not _CODE_CHALLENGE.fullmatch(request.code_challenge or ""):
            raise errors.InvalidRequestError(
                description="code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ "
                "(the base64url SHA-256 of the code_verifier, without padding)",
                request=request,
            )
        return {}

    # --- client credentials: a brand's aggregates token --------------------------

    def mark_client_grant(self, request: Any) -> None:
        """First step of a client-credentials token request: from here on the
        scopes backend offers only the client scopes (``aggregates``)."""
        request.sillage_client_grant = True
        request.sillage_consent = None

    def limit_client_grant(self, request: Any) -> None:
        """Last check before a client-credentials token is issued (the client is
        authenticated, the grant type and scopes validated): a confidential
        client, the client scopes only, no resource indicator."""
        if getattr(request, "resource", None):
            raise errors.CustomOAuth2Error(
                error="invalid_target", description="resource indicators are not supported",
                request=request,
            )
        client = request.client
        if client is None or not getattr(client, "is_confidential", False):
            raise errors.UnauthorizedClientError(
                description="the client-credentials grant is for confidential clients only",
                request=request,
            )
        if not request.scopes or not set(request.scopes) <= set(CLIENT_SCOPES):
            raise errors.InvalidScopeError(
                description="the client-credentials grant gives the 'aggregates' scope only",
                request=request,
            )
        request.user = None
        log.info("client-credentials token issued", extra={"client_id": client.client_id})

    # --- authorization codes, stored and found by SHA-256 ------------------------

    def _grant(self, code: str, client: Any, request: Any) -> Grant | None:
        cached = request_state(request, "sillage_grant")
        key = digest(code)
        if cached is not None and cached.code == key:
            return cached
        grant = (
            Grant.objects.select_related("consent", "user")
            .filter(code=key, application=client)
            .first()
        )
        request.sillage_grant = grant
        return grant

    def save_authorization_code(self, client_id: str, code: dict[str, Any], request: Any,
                                *args: Any, **kwargs: Any) -> None:
        """Create the consent and its code together, from the consumer's decision."""
        from .services import consent_grant

        decision = request_state(request, "sillage_decision")
        if not isinstance(decision, ConsentDecision):
            raise errors.AccessDeniedError(
                description="a code is issued only from the consent screen", request=request
            )
        if sorted(request.scopes) != decision.scopes:
            raise errors.InvalidScopeError(request=request)
        if request.code_challenge_method != "S256" or not request.code_challenge:
            raise errors.InvalidRequestError(description="PKCE with S256 is required", request=request)

        def issue(consent: Consent) -> None:
            Grant.objects.create(
                application=request.client, user=request.user, consent=consent,
                code=digest(code["code"]),
                expires=timezone.now() + dt.timedelta(
                    seconds=oauth2_settings.AUTHORIZATION_CODE_EXPIRE_SECONDS
                ),
                redirect_uri=request.redirect_uri, scope=" ".join(decision.scopes),
                code_challenge=request.code_challenge, code_challenge_method="S256",
                claims=json.dumps({}),
            )

        try:
            consent_grant(
                consumer=request.user, application=request.client, facets=decision.facets,
                purpose=decision.purpose, description=decision.description,
                expires_at=timezone.now() + dt.timedelta(days=decision.duration_days),
                requested_scope=decision.requested_scope, request_id=decision.request_id,
                issue=issue,
            )
        except ConsentError as error:
            raise errors.InvalidRequestError(description=str(error), request=request) from error

    def _create_authorization_code(self, request: Any, code: dict[str, Any], expires: Any = None) -> Any:
        raise errors.AccessDeniedError(description="codes are created with their consent",
                                       request=request)

    def validate_code(self, client_id: str, code: str, client: Any, request: Any,
                      *args: Any, **kwargs: Any) -> bool:
        grant = self._grant(code, client, request)
        if grant is None:
            return False
        if grant.used_at is not None:
            self._code_replayed(grant)
            return False
        consent = grant.consent
        if grant.is_expired() or consent is None or not consent.is_live():
            return False
        request.scopes = grant.scope.split()
        request.user = grant.user
        request.sillage_consent = consent
        return True

    def claim_authorization_code(self, request: Any) -> None:
        """Post-validation step of the code exchange: mark the code used, once.

        Runs after PKCE and the redirect URI were checked, as one conditional
        UPDATE, so two concurrent exchanges cannot both succeed.
        """
        if getattr(request, "resource", None):
            raise errors.CustomOAuth2Error(
                error="invalid_target", description="resource indicators are not supported",
                request=request,
            )
        grant = request_state(request, "sillage_grant")
        if grant is None:
            raise errors.InvalidGrantError(request=request)
        claimed = Grant.objects.filter(pk=grant.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not claimed:
            self._code_replayed(grant)
            raise errors.InvalidGrantError(description="authorization code already used",
                                           request=request)

    def _code_replayed(self, grant: Grant) -> None:
        from .services import consent_tokens_revoke

        if grant.consent is not None:
            consent_tokens_revoke(consent=grant.consent, reason="authorization code replayed")

    def invalidate_authorization_code(self, client_id: str, code: str, request: Any,
                                      *args: Any, **kwargs: Any) -> None:
        """Nothing left to do: the code was claimed before the tokens were made,
        and its row stays (marked used) so that a replay is recognised."""

    def confirm_redirect_uri(self, client_id: str, code: str, redirect_uri: str, client: Any,
                             *args: Any, **kwargs: Any) -> bool:
        request = kwargs.get("request") or (args[0] if args else None)
        grant = self._grant(code, client, request)
        return grant is not None and grant.redirect_uri_allowed(redirect_uri)

    def get_code_challenge(self, code: str, request: Any) -> str | None:
        grant = self._grant(code, request.client, request)
        return (grant.code_challenge or None) if grant else None

    def get_code_challenge_method(self, code: str, request: Any) -> str | None:
        grant = self._grant(code, request.client, request)
        return (grant.code_challenge_method or None) if grant else None

    def get_authorization_code_scopes(self, client_id: str, code: str, redirect_uri: str,
                                      request: Any) -> list[str]:
        grant = self._grant(code, request.client, request)
        return grant.scope.split() if grant else []

    # --- tokens ------------------------------------------------------------------

    def _create_access_token(self, expires: Any, request: Any, token: dict[str, Any],
                             source_refresh_token: Any = None) -> AccessToken:
        access_token = AccessToken(
            user=request.user, scope=token["scope"], expires=expires,
            application=request.client, source_refresh_token=source_refresh_token,
            consent=request_state(request, "sillage_consent"), resource=[],
        )
        self._set_token_value(access_token, token["access_token"])
        access_token.save()
        return access_token

    def _create_refresh_token(self, request: Any, refresh_token_code: str, access_token: Any,
                              previous_refresh_token: Any) -> RefreshToken:
        refresh_token = RefreshToken(
            user=request.user, application=request.client, access_token=access_token,
            token_family=(previous_refresh_token.token_family if previous_refresh_token
                          else uuid.uuid4()),
            consent=request_state(request, "sillage_consent"), resource=[],
        )
        self._set_token_value(refresh_token, refresh_token_code)
        refresh_token.save()
        return refresh_token

    def validate_refresh_token(self, refresh_token: str, client: Any, request: Any,
                               *args: Any, **kwargs: Any) -> bool:
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        instance = request.refresh_token_instance
        consent = instance.consent
        if consent is None or not consent.is_live():
            # Never outlives its consent, whatever its own age.
            return False
        request.sillage_consent = consent
        return True

    def limit_to_consent(self, request: Any) -> None:
        """A refreshed token gets at most what its consent allows now (it may have narrowed)."""
        if getattr(request, "resource", None):
            raise errors.CustomOAuth2Error(
                error="invalid_target", description="resource indicators are not supported",
                request=request,
            )
        consent = request_state(request, "sillage_consent")
        allowed = set(consent.scopes) if consent else set()
        request.scopes = [scope for scope in request.scopes if scope in allowed]
        if not request.scopes:
            raise errors.InvalidGrantError(request=request)

    def save_bearer_token(self, token: dict[str, Any], request: Any, *args: Any,
                          **kwargs: Any) -> Any:
        try:
            return super().save_bearer_token(token, request, *args, **kwargs)
        except _ConcurrentRefresh as race:
            # Two exchanges of one refresh token: the second is a replay.
            RefreshToken.revoke_family(race.family)
            raise errors.InvalidGrantError(description="refresh token already used",
                                           request=request) from None

    def _save_bearer_token(self, token: dict[str, Any], request: Any, *args: Any,
                           **kwargs: Any) -> Any:
        instance = request_state(request, "refresh_token_instance")
        if isinstance(instance, RefreshToken):
            state = list(
                RefreshToken.objects.select_for_update().filter(pk=instance.pk)
                .values_list("revoked", flat=True)
            )
            if state != [None]:
                raise _ConcurrentRefresh(instance.token_family)
        return super()._save_bearer_token(token, request, *args, **kwargs)

    def revoke_token(self, token: str, token_type_hint: str, request: Any, *args: Any,
                     **kwargs: Any) -> None:
        with transaction.atomic():
            super().revoke_token(token, token_type_hint, request, *args, **kwargs)

"""Regulator API authentication: ``Authorization: Bearer srt_…`` tokens, stored as digests."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from regulator.services import regulator_token_user


class RegulatorTokenAuthentication(BaseAuthentication):
    """A regulator's API token. Anything else (a brand's OAuth token, a session) is refused."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts:
            return None
        if parts[0].lower() != self.keyword or len(parts) != 2:
            raise exceptions.AuthenticationFailed("Use 'Authorization: Bearer <regulator token>'.")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("Malformed token.") from error
        found = regulator_token_user(token=token)
        if found is None:
            raise exceptions.AuthenticationFailed("Unknown, expired or revoked token.")
        user, record = found
        if not user.is_active or user.role != "regulator":
            raise exceptions.AuthenticationFailed("This token's account may not use the audit API.")
        return user, record

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="sillage-audit"'


class IsRegulator(BasePermission):
    message = "Only regulators may read the audit log."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user is not None and getattr(user, "role", None) == "regulator"
                    and getattr(user, "is_active", False))


class RegulatorTokenScheme(OpenApiAuthenticationExtension):
    target_class = "regulator.api.authentication.RegulatorTokenAuthentication"
    name = "regulatorToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A regulator API token (srt_…), made by staff with "
            "`manage.py regulator_create` / `regulator_token` or in the regulator portal.",
        }

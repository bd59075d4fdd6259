"""Admin: consents are read-only here (changes go through the services, which
audit them); so are tokens and codes, which show no value at all (only digests
exist). The toolkit registers the credential admins itself, with the classes
named in OAUTH2_PROVIDER (``ACCESS_TOKEN_ADMIN_CLASS`` and the others): those
below, read-only, so that no staff member can widen, extend or re-point a
credential behind the audit log's back. A brand's tokens all end with
*Disable* on its client or brand (brands admin); a consumer ends theirs by
revoking the consent."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Consent


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ("id", "brand", "application", "purpose", "status", "granted_at", "expires_at")
    list_filter = ("status", "purpose")
    fields = ("id", "brand", "application", "subject", "purpose", "description", "grants",
              "status", "granted_at", "expires_at", "revoked_at", "expired_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyCredentialAdmin(admin.ModelAdmin):
    """Issued by the OAuth flows, ended by the services: shown, never edited."""

    list_select_related = ("application",)
    list_filter = ("application",)
    search_fields = ("application__client_id", "application__name")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AccessTokenAdmin(ReadOnlyCredentialAdmin):
    list_display = ("pk", "application", "consent", "scope", "expires")
    fields = ("application", "consent", "scope", "expires", "created", "updated")
    readonly_fields = fields


class RefreshTokenAdmin(ReadOnlyCredentialAdmin):
    list_display = ("pk", "application", "consent", "revoked")
    fields = ("application", "consent", "token_family", "created", "updated", "revoked")
    readonly_fields = fields


class GrantAdmin(ReadOnlyCredentialAdmin):
    list_display = ("pk", "application", "consent", "expires", "used_at")
    fields = ("application", "consent", "scope", "expires", "used_at", "created")
    readonly_fields = fields


class IDTokenAdmin(ReadOnlyCredentialAdmin):
    list_display = ("pk", "application", "expires")
    fields = ("application", "expires", "created")
    readonly_fields = fields

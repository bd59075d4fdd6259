"""Admin: consents are read-only here (changes go through the services, which
audit them); token and code rows show no value at all (only digests exist)."""

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

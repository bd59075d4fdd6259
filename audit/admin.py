"""Django admin: the log is read-only here too; staff create regulators and see tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent, Checkpoint, VerificationRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "occurred_at", "actor_type", "actor_id", "action", "outcome", "subject")
    list_filter = ("action", "outcome", "actor_type")
    search_fields = ("=event_id", "=subject", "=actor_id", "=consent_id", "=request_id")
    show_full_result_count = False


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ("tree_size", "issued_at", "key_id")


@admin.register(VerificationRun)
class VerificationRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "finished_at", "ok", "events_verified", "checkpoints_verified",
                    "first_problem")

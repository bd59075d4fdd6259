"""Django admin: staff create regulators (the one-time password and token are
shown once) and see or revoke their API tokens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from accounts.errors import AccountExists, EmailInvalid
from core.actors import account_actor

from .models import Regulator, RegulatorToken
from .services import regulator_create, regulator_token_create, regulator_token_revoke


@admin.register(RegulatorToken)
class RegulatorTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "user", "created_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at",)
    readonly_fields = ("prefix", "name", "user", "created_at", "expires_at", "revoked_at")
    exclude = ("digest",)
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are shown once: made by regulator_create/regulator_token or the portal

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[RegulatorToken]) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            regulator_token_revoke(token=token, actor=account_actor(request.user))  # type: ignore[arg-type]
        messages.success(request, "Tokens revoked.")


class RegulatorCreateForm(forms.Form):
    email = forms.EmailField(label="E-mail")
    token = forms.BooleanField(label="Also make an API token", required=False, initial=True)


@admin.register(Regulator)
class RegulatorAdmin(admin.ModelAdmin):
    """Regulator accounts. Adding one shows its one-time password (and API token) once."""

    list_display = ("id", "is_active", "date_joined")
    fields = ("id", "is_active", "date_joined")
    readonly_fields = ("id", "date_joined")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Regulator]:
        return super().get_queryset(request).filter(role="regulator")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def add_view(self, request: HttpRequest, form_url: str = "",
                 extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if not self.has_add_permission(request):
            return super().add_view(request, form_url, extra_context)
        form = RegulatorCreateForm(request.POST or None)
        context: dict[str, Any] = {**self.admin_site.each_context(request), "form": form,
                                   "opts": self.model._meta, "title": "Add regulator"}
        if request.method == "POST" and form.is_valid():
            actor = account_actor(request.user)  # type: ignore[arg-type]
            try:
                user, password = regulator_create(email=form.cleaned_data["email"], actor=actor)
            except (AccountExists, EmailInvalid) as error:
                form.add_error("email", str(error))
            else:
                token = None
                if form.cleaned_data["token"]:
                    _, token = regulator_token_create(user=user, name="created with the account",
                                                      actor=actor)
                context.update({"created": user, "password": password, "token": token})
        return TemplateResponse(request, "admin/regulator/regulator_add.html", context)

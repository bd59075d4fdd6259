"""Admin for brands, their staff and their OAuth clients.

Read-only, except through the audited services: every change a staff member
makes here is an action or a form that calls a service of ``brands.services``,
which writes the change and its audit event in one transaction. Nothing is
saved by the admin's own forms (their save would bypass the tamper-evident
log), and nothing is deleted here.

- Brands: *Mark verified* / *Mark not verified* (``brand_verified_set``),
  *Disable* / *Enable* (``brand_disable`` ends every token of its clients).
  Brands are created with ``manage.py brand_create``.
- Staff: *Add* (``brand_member_add``, also to change a role) and *Remove*
  (``brand_member_remove``).
- OAuth clients: *Disable* / *Enable* (``application_disable`` ends every
  token of the client). Clients are registered, edited and their secrets
  rotated in the brand portal or with ``manage.py brand_client_create``, which
  show a secret once; the admin never shows or edits secrets.

The toolkit registers ``ApplicationAdmin`` itself
(OAUTH2_PROVIDER["APPLICATION_ADMIN_CLASS"]).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from accounts.models import User
from core.actors import Actor, account_actor

from .models import Application, Brand, BrandMembership
from .services import (
    BrandError,
    application_disable,
    application_enable,
    brand_disable,
    brand_enable,
    brand_member_add,
    brand_member_remove,
    brand_verified_set,
)


def _actor(request: HttpRequest) -> Actor:
    """The staff member acting in the admin (an account, with its vault's pseudonym)."""
    return account_actor(request.user)


class ServicesOnlyAdmin(admin.ModelAdmin):
    """Shown, never saved or deleted by the admin's forms; the actions (which
    call the services) need the model's change permission."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_manage_permission(self, request: HttpRequest) -> bool:
        opts = self.model._meta
        return bool(request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}"))


class MembershipInline(admin.TabularInline):
    model = BrandMembership
    extra = 0
    fields = ("user", "role", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Brand)
class BrandAdmin(ServicesOnlyAdmin):
    list_display = ("name", "slug", "verified", "created_at", "disabled_at")
    list_filter = ("verified",)
    search_fields = ("name", "slug")
    fields = ("name", "slug", "verified", "created_at", "disabled_at")
    readonly_fields = fields
    inlines = [MembershipInline]
    actions = ["mark_verified", "mark_not_verified", "disable_brands", "enable_brands"]

    @admin.action(description="Mark the selected brands verified", permissions=["manage"])
    def mark_verified(self, request: HttpRequest, queryset: QuerySet[Brand]) -> None:
        for brand in queryset:
            brand_verified_set(brand=brand, verified=True, actor=_actor(request))
        messages.success(request, "Brands marked verified.")

    @admin.action(description="Mark the selected brands not verified", permissions=["manage"])
    def mark_not_verified(self, request: HttpRequest, queryset: QuerySet[Brand]) -> None:
        for brand in queryset:
            brand_verified_set(brand=brand, verified=False, actor=_actor(request))
        messages.success(request, "Brands marked not verified.")

    @admin.action(description="Disable the selected brands (ends every token of their clients)",
                  permissions=["manage"])
    def disable_brands(self, request: HttpRequest, queryset: QuerySet[Brand]) -> None:
        for brand in queryset:
            brand_disable(brand=brand, actor=_actor(request), reason="admin")
        messages.success(request, "Brands disabled; their clients' tokens were revoked.")

    @admin.action(description="Enable the selected brands again", permissions=["manage"])
    def enable_brands(self, request: HttpRequest, queryset: QuerySet[Brand]) -> None:
        for brand in queryset:
            brand_enable(brand=brand, actor=_actor(request))
        messages.success(request, "Brands enabled.")


class MembershipAddForm(forms.Form):
    brand = forms.ModelChoiceField(queryset=Brand.objects.order_by("name"))
    email = forms.EmailField(label="E-mail of the staff member's account")
    role = forms.ChoiceField(choices=BrandMembership.Role.choices)


@admin.register(BrandMembership)
class BrandMembershipAdmin(ServicesOnlyAdmin):
    """Brand staff. *Add* makes (or changes the role of) a membership through
    ``brand_member_add``; *Remove* ends it through ``brand_member_remove``."""

    list_display = ("brand", "user", "role", "created_at")
    list_filter = ("role",)
    list_select_related = ("brand",)
    fields = ("brand", "user", "role", "created_at")
    readonly_fields = fields
    actions = ["remove_members"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        opts = self.model._meta
        return bool(request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}"))

    def add_view(self, request: HttpRequest, form_url: str = "",
                 extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if not self.has_add_permission(request):
            return super().add_view(request, form_url, extra_context)
        form = MembershipAddForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            user = _account_with_email(form.cleaned_data["email"])
            if user is None:
                form.add_error("email", "No account uses this e-mail address.")
            else:
                try:
                    brand_member_add(brand=form.cleaned_data["brand"], user=user,
                                     role=form.cleaned_data["role"], actor=_actor(request))
                except BrandError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(request, "Staff member added.")
                    return HttpResponseRedirect(
                        reverse("admin:brands_brandmembership_changelist"))
        context: dict[str, Any] = {**self.admin_site.each_context(request), "form": form,
                                   "opts": self.model._meta, "title": "Add a brand staff member"}
        return TemplateResponse(request, "admin/brands/brandmembership_add.html", context)

    @admin.action(description="Remove the selected staff members", permissions=["manage"])
    def remove_members(self, request: HttpRequest, queryset: QuerySet[BrandMembership]) -> None:
        for membership in queryset:
            brand_member_remove(membership=membership, actor=_actor(request))
        messages.success(request, "Staff members removed.")


def _account_with_email(email: str) -> User | None:
    """The account logging in with ``email`` (looked up by its blind index)."""
    try:
        return User.objects.get_by_natural_key(email)
    except User.DoesNotExist:
        return None


class ApplicationAdmin(ServicesOnlyAdmin):
    list_display = ("name", "client_id", "brand", "client_type", "created", "disabled_at")
    list_filter = ("client_type",)
    list_select_related = ("brand",)
    search_fields = ("name", "client_id")
    fields = ("brand", "name", "client_id", "client_type", "redirect_uris", "purposes",
              "created", "secret_rotated_at", "disabled_at")
    readonly_fields = fields
    actions = ["disable_clients", "enable_clients"]

    @admin.action(description="Disable the selected clients (ends every token they hold)",
                  permissions=["manage"])
    def disable_clients(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        for application in queryset:
            application_disable(application=application, actor=_actor(request), reason="admin")
        messages.success(request, "Clients disabled; their tokens were revoked.")

    @admin.action(description="Enable the selected clients again", permissions=["manage"])
    def enable_clients(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        for application in queryset:
            application_enable(application=application, actor=_actor(request))
        messages.success(request, "Clients enabled.")

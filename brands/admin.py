"""Admin for brands: staff set ``verified`` after checking an organisation.
OAuth clients are registered through the brand portal or the commands, which
show the secret once; the admin never shows or edits secrets. The toolkit
registers ``ApplicationAdmin`` itself (OAUTH2_PROVIDER["APPLICATION_ADMIN_CLASS"])."""

from __future__ import annotations

from django.contrib import admin

from .models import Brand, BrandMembership


class MembershipInline(admin.TabularInline):
    model = BrandMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "verified", "created_at")
    list_filter = ("verified",)
    search_fields = ("name", "slug")
    inlines = [MembershipInline]


class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("name", "client_id", "brand", "client_type", "created", "disabled_at")
    list_filter = ("client_type",)
    search_fields = ("name", "client_id")
    fields = ("brand", "name", "client_id", "client_type", "redirect_uris", "purposes",
              "created", "secret_rotated_at", "disabled_at")
    readonly_fields = ("brand", "client_id", "client_type", "created", "secret_rotated_at")

"""The admin site, closed to anything but a staff session that logged in
through the accounts log-in with its second factor.

The admin has no log-in form of its own: its log-in page sends to
/accounts/login/ (a form posted to it anyway goes through the same log-in:
throttle, password, second factor, audit), and it opens only for an active
staff account whose session passed the second factor. Staff without 2FA are
sent to turn it on first. Installed in place of ``django.contrib.admin``
(``INSTALLED_APPS``), so every ``admin.register`` uses this site.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


class SillageAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.SillageAdminSite"


class SillageAdminSite(admin.AdminSite):
    site_header = "Sillage administration"
    site_title = "Sillage administration"

    def has_permission(self, request: HttpRequest) -> bool:
        from .requests import second_factor_passed

        user = request.user
        return bool(user.is_active and user.is_staff and second_factor_passed(request))

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None
              ) -> HttpResponse:
        from .views import admin_login_view

        return admin_login_view(request)

    # The stubs expect a TemplateResponse; a redirect is what these pages are now.
    def password_change(self, request: HttpRequest,  # type: ignore[override]
                        extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # One place changes passwords, with the old one checked, throttled and audited.
        return redirect("accounts:account")

    def password_change_done(self, request: HttpRequest,  # type: ignore[override]
                             extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return redirect("accounts:account")

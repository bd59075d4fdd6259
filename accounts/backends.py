"""The session backend: it loads the logged-in account of a session, and
checks no password itself.

Passwords are checked in one place, the accounts log-in
(``accounts.services.login_password_check``), which throttles, asks for the
second factor and audits. ``django.contrib.auth.authenticate()``, which other
code could call to check a password outside that path (an HTTP Basic
authentication class, a third-party log-in form), therefore finds nobody.
An account whose e-mail was never proven has no session either.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class EmailDigestBackend(ModelBackend):
    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        return None

    def user_can_authenticate(self, user: Any) -> bool:
        return bool(super().user_can_authenticate(user)
                    and getattr(user, "email_verified_at", None) is not None)

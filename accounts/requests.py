"""The logged-in account of a request, typed, for views of this app and above;
and whether the session's log-in passed a second factor."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest

from .models import User

# Set in the session by the accounts log-in, and only there, once a TOTP code
# or a recovery code completed the log-in; it names the account it was set for.
SECOND_FACTOR_SESSION_KEY = "accounts.second_factor"


def account_of(request: HttpRequest) -> User:
    """The logged-in account, for views behind ``login_required``."""
    return cast("User", request.user)


def second_factor_mark(request: HttpRequest) -> None:
    """Record in the session that its log-in passed the second factor (call
    right after ``login()``, which starts a new session)."""
    request.session[SECOND_FACTOR_SESSION_KEY] = str(request.user.pk)


def second_factor_passed(request: HttpRequest) -> bool:
    """True when the logged-in account has 2FA on and this session's log-in
    passed it. A session made any other way (a log-in before 2FA was turned
    on, a test shortcut) does not count."""
    user = request.user
    return (
        user.is_authenticated
        and getattr(user, "two_factor_enabled", False)
        and request.session.get(SECOND_FACTOR_SESSION_KEY) == str(user.pk)
    )

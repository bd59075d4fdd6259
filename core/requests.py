"""Small typed accessors for views: the logged-in account and the request id."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.http import HttpRequest

if TYPE_CHECKING:
    from accounts.models import User


def account_of(request: HttpRequest) -> User:
    """The logged-in account, for views behind ``login_required``."""
    return cast("User", request.user)


def request_id_of(request: HttpRequest) -> str:
    return str(getattr(request, "request_id", ""))

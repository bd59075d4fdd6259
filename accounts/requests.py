"""The logged-in account of a request, typed, for views of this app and above."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest

from .models import User


def account_of(request: HttpRequest) -> User:
    """The logged-in account, for views behind ``login_required``."""
    return cast("User", request.user)

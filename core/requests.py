"""Small typed accessors for views: the request id (every request has one)."""

from __future__ import annotations

from django.http import HttpRequest


def request_id_of(request: HttpRequest) -> str:
    return str(getattr(request, "request_id", ""))

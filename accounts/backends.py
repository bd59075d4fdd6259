"""Authenticate by e-mail through its keyed digest (the e-mail itself is sealed)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class EmailDigestBackend(ModelBackend):
    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        email = kwargs.get("email", username)
        return super().authenticate(request, username=email, password=password)

"""Helpers shared by the vault's operator commands."""

from __future__ import annotations

from django.core.management.base import CommandError

from accounts.models import User, email_digest


def user_by_email(email: str) -> User:
    user = (
        User.objects.filter(email_index=email_digest(email)).select_related("vault").first()
    )
    if user is None:
        raise CommandError(f"no account with the e-mail address {email!r}")
    return user


OPERATOR = ("operator", "manage.py")

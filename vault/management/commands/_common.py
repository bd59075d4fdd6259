"""Helpers shared by the vault's operator commands."""

from __future__ import annotations

from django.core.management.base import CommandError

from vault.crypto import account_email_index
from vault.models import Vault


def vault_by_email(email: str) -> Vault:
    """The vault of the account that logs in with ``email``."""
    vault = Vault.objects.filter(owner__email_index=account_email_index(email)).first()
    if vault is None:
        raise CommandError(f"no account with the e-mail address {email!r}")
    return vault

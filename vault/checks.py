"""System checks of the vault's deployment (``manage.py check``, run by migrate too)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register

from .conf import vault_settings


@register(Tags.security)
def keystore_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn at every start when the wrapped keys share the main database.

    Not a deployment-only check on purpose: ``migrate`` and every ``check``
    show it, not just ``check --deploy``.
    """
    if not vault_settings.KEYSTORE_SAME_DATABASE:
        return []
    return [Warning(
        "SILLAGE_KEYSTORE_SAME_DATABASE=1: the wrapped data keys are kept in the main "
        "database. Every backup, archived WAL segment and replica of it then holds an "
        "erased vault's data key next to its ciphertext until that copy expires, so an "
        "erasure is final only after the longest retention of the main database's backups.",
        hint="Give the keys their own database with a short backup retention: "
             "SILLAGE_KEYSTORE_DATABASE_URL (docs/operations.md, Keystore database).",
        id="vault.W001",
    )]

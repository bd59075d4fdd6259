"""Re-wrap every vault data key under the active key-encryption key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.actors import OPERATOR
from vault.crypto import keyring
from vault.services import vault_rotate_keys


class Command(BaseCommand):
    help = (
        "Re-wrap every vault's data key under the active KEK (SILLAGE_VAULT_ACTIVE_KEY). "
        "Records are not re-encrypted; old KEKs can be removed from SILLAGE_VAULT_KEYS afterwards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500, help="keys re-wrapped per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        result = vault_rotate_keys(actor=OPERATOR, batch=max(1, options["batch"]))
        self.stdout.write(
            f"re-wrapped {result.rewrapped} data keys under {keyring().active}; "
            f"{result.already_current} were already under it"
        )

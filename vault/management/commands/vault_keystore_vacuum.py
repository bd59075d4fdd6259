"""Remove destroyed wrapped keys from the keystore's files now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vault.services import keystore_vacuum


class Command(BaseCommand):
    help = (
        "Vacuum the keystore so that wrapped keys destroyed by erasure or re-encryption "
        "leave its files, not only its queries (PostgreSQL: VACUUM FULL of the key table, "
        "which locks it while it runs; SQLite: TRUNCATE checkpoint). Erasures queue this "
        "themselves and the beat schedule runs it hourly; run it to be done at once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        ran = keystore_vacuum()
        if not ran:
            raise CommandError("the keystore could not be vacuumed (see the log)")
        self.stdout.write(f"keystore vacuumed: {ran}")

"""Export a consumer's whole vault as a ZIP (GDPR art. 20)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.actors import OPERATOR
from vault.services import vault_export

from ._common import vault_by_email


class Command(BaseCommand):
    help = "Write everything in the vault of EMAIL to FILE.zip (JSON, CSV per facet, readable HTML)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, metavar="EMAIL")
        parser.add_argument("--out", required=True, metavar="FILE.zip")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if out.suffix.lower() != ".zip":
            raise CommandError("--out must name a .zip file")
        if not out.parent.is_dir():
            raise CommandError(f"{out.parent}: no such directory")
        vault = vault_by_email(options["user"])
        # Write beside the target then rename, so a failure never leaves half a ZIP.
        fd, temporary = tempfile.mkstemp(dir=out.parent, suffix=".partial")
        try:
            with os.fdopen(fd, "wb") as stream:
                count = vault_export(vault=vault, out=stream, actor=OPERATOR)
            os.chmod(temporary, 0o600)
            os.replace(temporary, out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stdout.write(f"exported {count} records to {out}")

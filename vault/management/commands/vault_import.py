"""Import a brand's export into a consumer's vault, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.actors import OPERATOR
from core.commands import command_errors
from vault.errors import ImportRejected, RecordInvalid
from vault.services import vault_import

from ._common import vault_by_email


class Command(BaseCommand):
    help = (
        "Import FILE (purchases CSV with header occurred_at,merchant,category,description,"
        'amount,currency,channel, or JSON {"records": [...]}) from brand BRAND into the vault '
        "of the account EMAIL. Nothing is stored if any record is invalid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, metavar="EMAIL", help="the consumer's e-mail")
        parser.add_argument("--source", required=True, metavar="BRAND", help="the brand the data comes from")
        parser.add_argument("--format", choices=["csv", "json"], help="override detection by extension/content")
        parser.add_argument("file", metavar="FILE", help="path of the file to import")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        vault = vault_by_email(options["user"])
        with command_errors():
            try:
                with path.open("rb") as stream:
                    result = vault_import(
                        vault=vault, source=options["source"], stream=stream,
                        filename=path.name, file_format=options["format"], actor=OPERATOR,
                    )
            except ImportRejected as error:
                for problem in error.problems[1:]:
                    self.stderr.write(f"  {problem}")
                raise CommandError(
                    f"{path.name} rejected, nothing stored: {error.problems[0]}"
                    + (f" (+{len(error.problems) - 1} more problems)" if len(error.problems) > 1 else "")
                ) from error
            except RecordInvalid as error:
                raise CommandError(f"invalid {error}") from error
        summary = ", ".join(f"{count} {facet}" for facet, count in sorted(result.by_facet.items()))
        self.stdout.write(f"imported {result.batch.record_count} records ({summary}) from {options['source']}")

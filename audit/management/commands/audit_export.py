"""Write the regulator's bundle: events, checkpoints, public key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.export import write_bundle
from audit.services import audit_append
from core.actors import OPERATOR


class Command(BaseCommand):
    help = (
        "Write the audit log to DIR as a bundle a regulator verifies offline with "
        "tools/sillage_verify.py: events.jsonl, checkpoints.jsonl, checkpoint.txt, "
        "public-key.txt, manifest.json. The export itself is logged (audit.exported)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", required=True, metavar="DIR", help="directory to write")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["out"])
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"{directory} exists and is not a directory")
        try:
            with transaction.atomic():
                audit_append(actor=OPERATOR, action="audit.exported",
                             detail={"via": "manage.py audit_export"})
            summary = write_bundle(directory)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"cannot write {directory}: {error.strerror or error}") from error
        self.stdout.write(
            f"exported {summary.events} events, {summary.checkpoints} checkpoints "
            f"(tree size {summary.tree_size}) to {directory}"
        )

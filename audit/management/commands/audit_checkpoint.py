"""Sequence pending audit events into the Merkle tree and sign a checkpoint."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from audit.services import checkpoint_issue


class Command(BaseCommand):
    help = (
        "Place every committed audit event not yet in the Merkle tree at the end of it and "
        "sign a C2SP checkpoint (origin, tree size, root hash, Ed25519). Prints the signed "
        "checkpoint. Celery beat runs the same step every few minutes."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true", help="print one summary line only")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = checkpoint_issue()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        checkpoint = result.checkpoint
        if result.created:
            summary = (f"checkpoint issued: tree size {checkpoint.tree_size} "
                       f"({result.sequenced} new events)")
        else:
            summary = f"no new events: latest checkpoint is tree size {checkpoint.tree_size}"
        self.stdout.write(summary)
        if not options["quiet"]:
            self.stdout.write(checkpoint.note, ending="")

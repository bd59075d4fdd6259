"""Verify the whole audit log: hashes, chains, tree, checkpoints, signatures."""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from audit.services import verification_record
from audit.verify import verify_log


class Command(BaseCommand):
    help = (
        "Check every audit event's hash, every chain link, every Merkle leaf against the "
        "signed checkpoints, every checkpoint signature and the consistency of consecutive "
        "checkpoints. Exits 0 printing the number of events verified; exits 1 naming the "
        "first bad event (database id and event_id) otherwise."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-record", action="store_true",
                            help="do not keep the outcome for the integrity status page")
        parser.add_argument("--max-problems", type=int, default=20,
                            help="how many problems to list after the first (default 20)")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            report = verify_log()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        if not options["no_record"]:
            verification_record(report=report)
        rate = report.events / elapsed if elapsed > 0 else 0.0
        if report.ok:
            self.stdout.write(
                f"OK: {report.events} events verified, {report.checkpoints} checkpoints, "
                f"tree size {report.tree_size}, {report.pending} awaiting the next checkpoint "
                f"({elapsed:.2f} s, {rate:,.0f} events/s)"
            )
            return
        for problem in report.problems[1:1 + options["max_problems"]]:
            self.stdout.write(f"  also: {problem.describe()}")
        more = len(report.problems) - 1 - options["max_problems"]
        if more > 0:
            self.stdout.write(f"  … and {more} more problems")
        first = report.problems[0]
        raise CommandError(
            f"audit log verification FAILED ({len(report.problems)} problems, "
            f"{report.events} events read): first bad {first.describe()}",
            returncode=1,
        )

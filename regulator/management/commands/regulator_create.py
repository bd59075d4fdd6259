"""Create a regulator account (staff only): prints a one-time password and an API token."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.actors import OPERATOR
from core.commands import command_errors
from regulator.services import regulator_create, regulator_token_create


class Command(BaseCommand):
    help = (
        "Create a regulator account. Prints its one-time password (log in at "
        "/accounts/login/, then change it) and an API token for /api/v1/audit/ "
        "(shown once; only its hash is stored)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--no-token", action="store_true", help="do not make an API token")
        parser.add_argument("--token-name", default="created with the account")

    def handle(self, *args: Any, **options: Any) -> None:
        with command_errors():
            user, password = regulator_create(email=options["email"], actor=OPERATOR)
        self.stdout.write(f"regulator account {user.pk} created")
        self.stdout.write(f"one-time password: {password}")
        if not options["no_token"]:
            _, token = regulator_token_create(user=user, name=options["token_name"], actor=OPERATOR)
            self.stdout.write(f"API token (shown once): {token}")

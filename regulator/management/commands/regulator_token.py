"""Make (or revoke) a regulator's API token."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User, email_digest
from core.actors import OPERATOR
from core.commands import command_errors
from regulator.models import RegulatorToken
from regulator.services import regulator_token_create, regulator_token_revoke


class Command(BaseCommand):
    help = (
        "Make an API token for a regulator (printed once; only its hash is stored), "
        "or revoke one with --revoke PREFIX."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="API token")
        parser.add_argument("--days", type=int, default=None, help="lifetime (0: no expiry)")
        parser.add_argument("--revoke", metavar="PREFIX", help="revoke the token with this prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email_index=email_digest(options["email"]),
                                   role=User.Role.REGULATOR).first()
        if user is None:
            raise CommandError(f"no regulator account for {options['email']}")
        if options["revoke"]:
            token = RegulatorToken.objects.filter(user=user, prefix=options["revoke"]).first()
            if token is None:
                raise CommandError(f"no token {options['revoke']} for this regulator")
            regulator_token_revoke(token=token, actor=OPERATOR)
            self.stdout.write(f"revoked {token.prefix}")
            return
        if options["days"] is not None and options["days"] < 0:
            raise CommandError("--days must be 0 or more")
        with command_errors():
            record, token_text = regulator_token_create(
                user=user, name=options["name"], actor=OPERATOR, lifetime_days=options["days"])
        expiry = record.expires_at.isoformat() if record.expires_at else "never"
        self.stdout.write(f"API token (shown once, expires {expiry}): {token_text}")

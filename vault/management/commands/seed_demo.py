"""Seed demo brands, consumers and months of realistic data (idempotent)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from portal.models import User, email_digest
from portal.services import account_create
from vault import demo
from vault.services import vault_erase, vault_import

from ._common import OPERATOR

# Public on purpose: demo accounts on a local, embedded install.
DEMO_PASSWORD = "sillage-demo-2026"  # noqa: S105


@dataclass(frozen=True)
class DemoConsumer:
    email: str
    given_name: str
    family_name: str
    city: str
    postcode: str
    birthdate: str
    seed: int


CONSUMERS = (
    DemoConsumer("camille@demo.sillage.test", "Camille", "Durand", "Lyon", "69003", "1988-05-14", 7),
    DemoConsumer("malik@demo.sillage.test", "Malik", "Benali", "Nantes", "44000", "1996-11-02", 11),
)


def _payload(records: list[dict[str, Any]]) -> bytes:
    return json.dumps({"records": records}).encode()


class Command(BaseCommand):
    help = "Create demo consumers with months of purchases and profile data; prints how to log in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="erase and recreate the demo accounts")
        parser.add_argument("--months", type=int, default=18, help="months of purchase history")

    def handle(self, *args: Any, **options: Any) -> None:
        for spec in CONSUMERS:
            existing = User.objects.filter(email_index=email_digest(spec.email)).first()
            if existing is not None and options["reset"]:
                vault_erase(vault=existing.vault, actor=OPERATOR)
                existing = None
            if existing is not None:
                self.stdout.write(f"{spec.email} already seeded (use --reset to recreate)")
                continue
            with transaction.atomic():
                user = account_create(email=spec.email, password=DEMO_PASSWORD)
                vault = user.vault
                vault_import(vault=vault, source="Carrefour", actor=OPERATOR,
                             stream=_payload(demo.profile(
                                 given_name=spec.given_name, family_name=spec.family_name,
                                 email=spec.email, city=spec.city, postcode=spec.postcode,
                                 birthdate=spec.birthdate)))
                vault_import(vault=vault, source="Sillage Bank Connect", actor=OPERATOR,
                             stream=_payload(demo.purchases(months=options["months"], seed=spec.seed)))
                vault_import(vault=vault, source="Carrefour", actor=OPERATOR,
                             stream=_payload(demo.context_records(seed=spec.seed)))
            self.stdout.write(f"seeded {spec.email}")
        self.stdout.write(
            "\nDemo ready. Log in at /accounts/login/ with:\n"
            + "".join(f"  {spec.email}  /  {DEMO_PASSWORD}\n" for spec in CONSUMERS)
        )

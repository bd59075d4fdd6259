"""Seed demo brands, consumers and months of realistic data (idempotent)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import User, email_digest
from accounts.services import account_create
from brands.services import brand_member_add, demo_brand_ensure
from consents.models import Consent
from consents.services import consent_grant
from core.actors import OPERATOR
from regulator.services import regulator_create
from vault import demo
from vault.services import vault_erase, vault_import

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


BRAND_STAFF_EMAIL = "brand@demo.sillage.test"
REGULATOR_EMAIL = "regulator@demo.sillage.test"


def _demo_account(email: str) -> User:
    existing = User.objects.filter(email_index=email_digest(email)).first()
    return existing or account_create(email=email, password=DEMO_PASSWORD)


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
        client_note = self._demo_brand()
        self.stdout.write(
            "\nDemo ready. Log in at /accounts/login/ with:\n"
            + "".join(f"  {spec.email}  /  {DEMO_PASSWORD}\n" for spec in CONSUMERS)
            + client_note
        )

    def _demo_brand(self) -> str:
        """The demo brand, its OAuth client, and a consent from the first demo consumer."""
        brand, issued = demo_brand_ensure()
        application = brand.applications.order_by("created").first()
        consumer = User.objects.filter(email_index=email_digest(CONSUMERS[0].email)).first()
        if application is not None and consumer is not None and not Consent.objects.filter(
            application=application, consumer=consumer
        ).exists():
            consent_grant(
                consumer=consumer, application=application,
                facets={"identity": ["read"], "loyalty": ["read", "write"], "purchases": ["read"]},
                purpose="loyalty", description="Earn and spend points on your purchases.",
                expires_at=timezone.now() + dt.timedelta(days=180),
            )
        staff = _demo_account(BRAND_STAFF_EMAIL)
        if not brand.memberships.filter(user=staff).exists():
            brand_member_add(brand=brand, user=staff, role="owner", actor=OPERATOR)
        if not User.objects.filter(email_index=email_digest(REGULATOR_EMAIL)).exists():
            regulator, _one_time = regulator_create(email=REGULATOR_EMAIL, actor=OPERATOR)
            regulator.set_password(DEMO_PASSWORD)
            regulator.save(update_fields=["password"])
        if application is None:
            return ""
        lines = [f"\nBrand portal /brands/ : {BRAND_STAFF_EMAIL} / {DEMO_PASSWORD}\n",
                 f"Regulator portal /regulator/ : {REGULATOR_EMAIL} / {DEMO_PASSWORD}\n",
                 f"\nDemo brand {brand.name!r}, OAuth client for docs/api.md:\n",
                 f"  client_id      {application.client_id}\n"]
        if issued is not None and issued.client_secret:
            lines.append(f"  client_secret  {issued.client_secret}  (shown once; keep it)\n")
        else:
            lines.append("  client_secret  shown when first seeded; rotate it in /brands/ to get a new one\n")
        lines.append(f"  redirect_uri   {application.redirect_uris.split()[0]}\n")
        return "".join(lines)

"""Compute and print a consumer's insights (for operators and scripts)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import translation

from accounts.models import User, email_digest
from audit.services import audit_append
from core.actors import OPERATOR

from ... import services, texts
from ...selectors import visible_recommendations


def _user(email: str) -> User:
    if not email or "@" not in email:
        raise CommandError(f"--user must be an e-mail address, not {email[:80]!r}")
    user = User.objects.filter(email_index=email_digest(email)).select_related("vault").first()
    if user is None or not hasattr(user, "vault"):
        raise CommandError(f"no account with the e-mail address {email!r}")
    return user


def report(insights: dict[str, Any], recommendations: list[dict[str, Any]]) -> dict[str, Any]:
    """The public JSON shape of the command; English reasons."""
    return {
        "computed_at": insights["computed_at"],
        "purchase_count": insights["purchase_count"],
        "spending": insights["spending"],
        "subscriptions": [
            {key: item[key] for key in ("merchant", "category", "cadence", "period_days", "amount",
                                        "currency", "amount_kind", "next_expected", "status",
                                        "occurrences", "first_seen", "last_seen", "yearly_cost")}
            for item in insights["subscriptions"]
        ],
        "price_increases": insights["price_increases"],
        "unusual": insights["unusual"],
        "footprint": insights["footprint"],
        "consent_hygiene": insights["consent_hygiene"],
        "recommendations": [
            {"id": item["fingerprint"], "kind": item["kind"],
             "reason": texts.reason(item["kind"], item["figures"]),
             "action": item["action"]["type"], "figures": item["figures"]}
            for item in recommendations
        ],
    }


class Command(BaseCommand):
    help = ("Compute the insights of the consumer EMAIL from their vault, store them sealed, "
            "and print them (a summary, or JSON with --json).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, metavar="EMAIL",
                            help="e-mail address of the consumer's account")
        parser.add_argument("--json", action="store_true",
                            help="print the full insights as JSON (subscriptions, price "
                                 "increases, recommendations with kind and reason, ...)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = _user(str(options["user"]).strip())
        vault = user.vault
        with translation.override("en"):
            insights = services.insights_refresh(vault=vault)
            data = report(insights, visible_recommendations(vault=vault, insights=insights))
        with transaction.atomic():
            audit_append(actor=OPERATOR, action="insights.viewed", subject=str(vault.subject),
                         facets=["purchases"], detail={"command": "insights"})
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        self.stdout.write(f"{data['purchase_count']} purchases; "
                          f"{len(data['subscriptions'])} recurring payments; "
                          f"{len(data['price_increases'])} price increases; "
                          f"{len(data['recommendations'])} recommendations")
        for item in data["subscriptions"]:
            self.stdout.write(f"  {item['merchant']}: {item['amount']} {item['currency']} every "
                              f"{item['period_days']} days, next {item['next_expected']} "
                              f"({item['status']})")
        for item in data["recommendations"]:
            self.stdout.write(f"  [{item['kind']}] {item['reason']}")

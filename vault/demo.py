"""Realistic demo histories for seed_demo, benchmarks and tests.

Deterministic for a given seed, so figures and screenshots are reproducible.
The generator plants known subscriptions (with one price rise) among everyday
noise, which lets insight detection be measured against ground truth.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class PlantedSubscription:
    merchant: str
    category: str
    period_days: int
    amount: Decimal
    raised_to: Decimal | None = None
    raise_after: int = 0  # occurrences before the price rise


SUBSCRIPTIONS = (
    PlantedSubscription("Netflix", "streaming", 30, Decimal("13.49"), Decimal("15.99"), 8),
    PlantedSubscription("Spotify", "music", 30, Decimal("10.99")),
    PlantedSubscription("Basic-Fit", "sport", 30, Decimal("29.99")),
    PlantedSubscription("Le Monde", "press", 7, Decimal("4.50")),
    PlantedSubscription("Amazon Prime", "shopping", 365, Decimal("69.90")),
)

EVERYDAY = (
    ("Carrefour", "groceries", "store", (18, 140)),
    ("Monoprix", "groceries", "store", (8, 60)),
    ("Boulangerie Paul", "food", "store", (3, 15)),
    ("SNCF Connect", "travel", "app", (25, 180)),
    ("Fnac", "electronics", "online", (15, 400)),
    ("Maison Lumière", "fashion", "online", (30, 220)),
    ("Decathlon", "sport", "store", (12, 150)),
    ("Uber Eats", "food", "app", (14, 45)),
)


def _month_back(now: dt.datetime, months: int) -> dt.datetime:
    return now - dt.timedelta(days=int(months * 30.44))


def purchases(*, months: int = 18, seed: int = 7, now: dt.datetime | None = None,
              everyday_per_month: int = 22) -> list[dict[str, Any]]:
    """Purchase records (JSON import shape) over ``months`` months, oldest first."""
    rng = random.Random(seed)
    now = (now or timezone.now()).replace(microsecond=0)
    start = _month_back(now, months)
    rows: list[dict[str, Any]] = []
    for plan in SUBSCRIPTIONS:
        when = start + dt.timedelta(days=rng.randint(0, min(plan.period_days, 28)), hours=rng.randint(6, 20))
        count = 0
        while when < now:
            amount = plan.amount if (plan.raised_to is None or count < plan.raise_after) else plan.raised_to
            rows.append(_purchase(when, plan.merchant, plan.category, f"{plan.merchant} subscription",
                                  amount, "online"))
            count += 1
            when += dt.timedelta(days=plan.period_days, hours=rng.randint(-20, 20))
    total_days = (now - start).days
    for _ in range(everyday_per_month * months):
        merchant, category, channel, (low, high) = rng.choice(EVERYDAY)
        when = start + dt.timedelta(days=rng.uniform(0, total_days))
        amount = Decimal(str(round(rng.uniform(low, high), 2)))
        rows.append(_purchase(when, merchant, category, f"{category.title()} purchase", amount, channel))
    rows.sort(key=lambda row: row["occurred_at"])
    return rows


def _purchase(when: dt.datetime, merchant: str, category: str, description: str,
              amount: Decimal, channel: str) -> dict[str, Any]:
    return {
        "facet": "purchases",
        "occurred_at": when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "data": {
            "merchant": merchant,
            "category": category,
            "description": description,
            "amount": format(amount.quantize(Decimal("0.01")), "f"),
            "currency": "EUR",
            "channel": channel,
        },
    }


def profile(*, given_name: str, family_name: str, email: str, city: str, postcode: str,
            birthdate: str) -> list[dict[str, Any]]:
    return [
        {"facet": "identity", "data": {"given_name": given_name, "family_name": family_name}},
        {"facet": "contact", "data": {"email": email, "phone": "+33 6 12 34 56 78"}},
        {"facet": "birthdate", "data": {"date": birthdate}},
        {"facet": "address", "data": {"line1": "12 rue des Lilas", "postcode": postcode,
                                      "city": city, "country": "FR"}},
        {"facet": "preferences", "data": {"size": "M", "languages": ["fr", "en"],
                                          "channels": ["email"], "interests": ["cinema", "running"]}},
    ]


def context_records(*, seed: int = 7, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Loyalty, devices, location (within retention) and connected-object readings."""
    rng = random.Random(seed)
    now = (now or timezone.now()).replace(microsecond=0)

    def stamp(days_ago: float) -> str:
        return (now - dt.timedelta(days=days_ago)).astimezone(dt.UTC).isoformat().replace("+00:00", "Z")

    records: list[dict[str, Any]] = [
        {"facet": "loyalty", "occurred_at": stamp(3),
         "data": {"programme": "Carte Carrefour", "member_id": "CRF-0042-7781", "tier": "gold",
                  "points": 1840}},
        {"facet": "devices", "occurred_at": stamp(40),
         "data": {"device_type": "smartphone", "os": "Android 15", "app": "Carrefour"}},
    ]
    for day in range(1, 60, 4):
        records.append({"facet": "location", "occurred_at": stamp(day + rng.random()),
                        "data": {"city": rng.choice(["Lyon", "Villeurbanne", "Paris"]),
                                 "place_type": rng.choice(["store", "station", "office"])}})
    for day in range(1, 30):
        records.append({"facet": "connected", "occurred_at": stamp(day),
                        "data": {"object": "smart thermostat", "metric": "temperature",
                                 "value": str(round(rng.uniform(18.5, 21.5), 1)), "unit": "°C"}})
    return records

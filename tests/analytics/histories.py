"""Generated purchase histories with known ground truth.

Each seed gives a different consumer: a handful of planted recurring payments
(weekly, monthly on a calendar day or every 30 days, quarterly, yearly; stable,
raised once, variable like a utility bill; some hidden at a shop also used for
everyday shopping, some with a skipped charge, some cancelled) among noise:
everyday shops at random times and prices, one-off merchants, and a daily
coffee habit at one exact price (a habit, not a subscription).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from analytics.history import Purchase, merchant_key, to_purchase

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)

SUBSCRIPTION_NAMES = (
    "Netflix", "Spotify", "Disney+", "Deezer", "Canal+", "Basic-Fit", "Le Monde", "Mediapart",
    "iCloud", "Google One", "Dropbox", "Adobe", "Microsoft 365", "Free Mobile", "Bouygues Telecom",
    "Orange", "Amazon Prime", "Audible", "Duolingo", "Headspace", "Strava", "NordVPN",
    "PlayStation Plus", "Xbox Game Pass", "Nintendo Online", "Le Figaro", "L'Equipe", "Molotov",
    "Salto", "OCS", "YouTube Premium", "Apple Music", "Tidal", "Blinkist", "Babbel", "Qonto",
)
UTILITY_NAMES = ("EDF", "Engie", "Veolia Eau", "TotalEnergies", "Suez", "Ekwateur")
EVERYDAY = (
    ("Carrefour", "groceries", "store", 18, 140),
    ("Monoprix", "groceries", "store", 8, 60),
    ("Lidl", "groceries", "store", 10, 90),
    ("Boulangerie Paul", "food", "store", 3, 15),
    ("SNCF Connect", "travel", "app", 25, 180),
    ("Fnac", "electronics", "online", 15, 400),
    ("Maison Lumiere", "fashion", "online", 30, 220),
    ("Decathlon", "sport", "store", 12, 150),
    ("Uber Eats", "food", "app", 14, 45),
    ("Pharmacie Centrale", "health", "store", 5, 60),
    ("Total Station", "fuel", "store", 30, 90),
    ("Leroy Merlin", "home", "store", 10, 300),
)
ONE_OFF_PREFIXES = ("Boutique", "Atelier", "Cafe", "Restaurant", "Librairie", "Garage", "Hotel",
                    "Musee", "Cinema", "Fleuriste", "Bar", "Epicerie")


@dataclass(frozen=True)
class Planted:
    merchant: str
    cadence: str
    amount: Decimal  # current (after any rise) or typical amount for variable bills
    raised_from: Decimal | None = None
    variable: bool = False
    busy: bool = False
    cancelled: bool = False

    @property
    def key(self) -> str:
        return merchant_key(self.merchant)


@dataclass
class History:
    records: list[dict[str, Any]]
    planted: list[Planted]

    def purchases(self) -> list[Purchase]:
        result = []
        for index, row in enumerate(self.records):
            when = dt.datetime.fromisoformat(row["occurred_at"].replace("Z", "+00:00"))
            purchase = to_purchase(record_id=f"r{index}", occurred_at=when, data=row["data"])
            assert purchase is not None
            result.append(purchase)
        return result


def _row(when: dt.datetime, merchant: str, category: str, amount: Decimal, channel: str,
         description: str = "") -> dict[str, Any]:
    return {
        "facet": "purchases",
        "occurred_at": when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "data": {"merchant": merchant, "category": category,
                 "description": description or f"{category} purchase",
                 "amount": format(amount.quantize(Decimal("0.01")), "f"), "currency": "EUR",
                 "channel": channel},
    }


def _price(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(str(round(rng.uniform(low, high), 2)))


def _add_months(day: dt.datetime, months: int, day_of_month: int) -> dt.datetime:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return day.replace(year=year, month=month, day=min(day_of_month, 28))


def _subscription_times(rng: random.Random, cadence: str, start: dt.datetime,
                        end: dt.datetime) -> list[dt.datetime]:
    times: list[dt.datetime] = []
    hour = dt.timedelta(hours=rng.randint(1, 22))
    if cadence == "monthly" and rng.random() < 0.5:
        # Charged on a calendar day, posted 0-3 days later.
        day_of_month = rng.randint(1, 28)
        when = start.replace(day=day_of_month, hour=0, minute=0, second=0) + hour
        months = 0
        while True:
            charge = _add_months(when, months, day_of_month) + dt.timedelta(days=rng.choice((0, 0, 1, 2, 3)))
            if charge >= end:
                break
            if charge >= start:
                times.append(charge)
            months += 1
        return times
    period = {"weekly": 7.0, "monthly": 30.0, "quarterly": 91.0, "yearly": 365.0}[cadence]
    jitter = {"weekly": 0.5, "monthly": 1.5, "quarterly": 3.0, "yearly": 4.0}[cadence]
    when = start + dt.timedelta(days=rng.uniform(0, min(period, 60))) + hour
    nominal = when
    while nominal < end:
        times.append(nominal + dt.timedelta(days=rng.uniform(-jitter, jitter)))
        nominal += dt.timedelta(days=period)
    return [time for time in times if start <= time < end]


def generate(seed: int, *, now: dt.datetime = NOW, months: int = 30,
             everyday_per_month: int = 30) -> History:
    rng = random.Random(seed)
    start = now - dt.timedelta(days=int(months * 30.44))
    records: list[dict[str, Any]] = []
    planted: list[Planted] = []
    names = rng.sample(SUBSCRIPTION_NAMES, rng.randint(3, 7))
    busy_pool = list(EVERYDAY)
    rng.shuffle(busy_pool)
    for name in names:
        roll = rng.random()
        cadence = ("monthly" if roll < 0.55 else "weekly" if roll < 0.7
                   else "quarterly" if roll < 0.8 else "yearly")
        low, high = {"weekly": (2, 15), "monthly": (3, 60), "quarterly": (20, 150),
                     "yearly": (30, 200)}[cadence]
        amount = _price(rng, low, high)
        merchant, category = name, "subscriptions"
        busy = rng.random() < 0.15 and cadence in ("monthly", "weekly")
        if busy:
            merchant, category = busy_pool.pop()[:2]
            amount = _price(rng, 2, 8)  # a delivery pass or membership at the everyday shop
        times = _subscription_times(rng, cadence, start, now)
        cancelled = rng.random() < 0.1 and len(times) > 8
        if cancelled:
            times = times[: len(times) * 2 // 3]
        if cadence == "monthly" and rng.random() < 0.15 and len(times) > 6:
            del times[rng.randint(2, len(times) - 3)]  # one charge skipped
        raised_from: Decimal | None = None
        rise_at = len(times)
        if cadence in ("monthly", "weekly") and not busy and rng.random() < 0.4 and len(times) >= 8:
            rise_at = rng.randint(3, len(times) - 1)
            raised_from = amount
            amount = (amount * Decimal(str(rng.uniform(1.05, 1.3)))).quantize(Decimal("0.01"))
        for index, when in enumerate(times):
            price = amount if index >= rise_at else (raised_from or amount)
            records.append(_row(when, merchant, category, price, "online", f"{merchant} subscription"))
        planted.append(Planted(merchant, cadence, amount, raised_from, busy=busy, cancelled=cancelled))
    for name in rng.sample(UTILITY_NAMES, rng.randint(0, 2)):
        base = rng.uniform(40, 120)
        times = _subscription_times(rng, "monthly", start, now)
        for when in times:
            price = Decimal(str(round(base * rng.uniform(0.8, 1.25), 2)))
            records.append(_row(when, name, "utilities", price, "online", "bill"))
        planted.append(Planted(name, "monthly", Decimal(str(round(base, 2))), variable=True))
    total_days = (now - start).total_seconds() / 86400
    for _ in range(everyday_per_month * months):
        merchant, category, channel, low, high = rng.choice(EVERYDAY)
        when = start + dt.timedelta(days=rng.uniform(0, total_days))
        records.append(_row(when, merchant, category, _price(rng, low, high), channel))
    for index in range(rng.randint(20, 60)):
        merchant = f"{rng.choice(ONE_OFF_PREFIXES)} {index} {rng.randint(100, 999)}"
        for _ in range(rng.randint(1, 3)):
            when = start + dt.timedelta(days=rng.uniform(0, total_days))
            records.append(_row(when, merchant, "leisure", _price(rng, 5, 120), "store"))
    if rng.random() < 0.5:
        day = start
        while day < now:  # coffee most weekdays at one price: a habit, not a subscription
            if day.weekday() < 5 and rng.random() < 0.7:
                records.append(_row(day + dt.timedelta(hours=8), "Cafe du Coin", "food",
                                    Decimal("2.50"), "store"))
            day += dt.timedelta(days=1)
    records.sort(key=lambda row: row["occurred_at"])
    return History(records=records, planted=planted)

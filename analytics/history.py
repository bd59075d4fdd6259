"""Purchases as the detectors see them: opened in memory, never stored.

The detectors are plain functions over ``Purchase`` tuples, so they can be
tested on generated histories without a database and timed on their own.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

SECONDS_PER_DAY = 86400.0
CENTS = Decimal("0.01")

# Words that say nothing about who was paid (legal forms, web suffixes).
_NOISE_WORDS = frozenset({"com", "www", "fr", "net", "org", "sa", "sas", "sarl", "ltd", "inc",
                          "gmbh", "eu", "uk", "the"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True, slots=True)
class Purchase:
    id: str
    when: dt.datetime
    day: float  # days since the epoch, for interval arithmetic
    merchant: str
    merchant_key: str
    category: str
    description: str
    amount: Decimal
    currency: str
    channel: str
    source: str = ""


@functools.lru_cache(maxsize=4096)
def merchant_key(name: str) -> str:
    """A merchant name reduced to what identifies the payee: case, accents,
    punctuation, legal forms and long reference numbers removed, so that
    'NETFLIX.COM 4471' and 'Netflix.com' group together."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    words = []
    for word in _NON_ALNUM.sub(" ", text).split():
        if word in _NOISE_WORDS:
            continue
        if sum(char.isdigit() for char in word) >= 4:
            continue  # a reference or card number, different on every statement
        words.append(word)
    return " ".join(words) or text.strip()


def category_key(name: str) -> str:
    return " ".join(name.casefold().split()) or "uncategorised"


def to_purchase(*, record_id: str, occurred_at: dt.datetime | None, data: Mapping[str, Any],
                source: str = "") -> Purchase | None:
    """A purchase from an opened record; None when it lacks a time or an amount
    (records are validated on the way in, so this only guards old shapes)."""
    if occurred_at is None:
        return None
    try:
        amount = Decimal(str(data.get("amount", "")))
    except InvalidOperation:
        return None
    if not amount.is_finite():
        return None
    merchant = str(data.get("merchant") or "").strip() or "?"
    when = occurred_at.astimezone(dt.UTC)
    return Purchase(
        id=record_id,
        when=when,
        day=when.timestamp() / SECONDS_PER_DAY,
        merchant=merchant,
        merchant_key=merchant_key(merchant),
        category=category_key(str(data.get("category") or "")),
        description=str(data.get("description") or ""),
        amount=amount,
        currency=str(data.get("currency") or "EUR").upper(),
        channel=(str(data.get("channel") or "").strip().lower() or "unknown"),
        source=source,
    )


def main_currency(purchases: Iterable[Purchase]) -> str:
    counts: dict[str, int] = {}
    for purchase in purchases:
        counts[purchase.currency] = counts.get(purchase.currency, 0) + 1
    if not counts:
        return "EUR"
    return max(sorted(counts), key=lambda code: counts[code])


def money(value: Decimal) -> str:
    """Amounts travel as decimal strings with two places (JSON has no decimals)."""
    return format(value.quantize(CENTS), "f")


def median(values: list[float]) -> float:
    ordered = sorted(values)
    size = len(ordered)
    if not size:
        return 0.0
    middle = size // 2
    return ordered[middle] if size % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def mad(values: list[float], centre: float | None = None) -> float:
    """Median absolute deviation: a spread that a few outliers cannot inflate."""
    centre = median(values) if centre is None else centre
    return median([abs(value - centre) for value in values])

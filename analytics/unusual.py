"""Unusual spending, measured against the consumer's own history.

Robust statistics, because spending is skewed and the outliers we look for
would inflate a mean and a standard deviation:

* a purchase is unusual when its log-amount is more than ``z`` robust
  deviations (1.4826 × MAD, the normal-consistent scale, never below 0.15)
  above the median log-amount of its baseline, at least three times the
  baseline's median amount and at least 50 units more. The baseline is the
  merchant's own purchases when there are 8 or more (a cake at the bakery
  where one buys a coffee every morning is not unusual for that bakery's
  category, which the coffees dominate), else the category's; a purchase
  with neither (a new shop in a new category) is unusual when it is more
  than twice the consumer's 99th-percentile purchase (a spread over every
  category mixes everyday bread and yearly electronics: a z-score means little);
* a month is unusual for a category when its total is ``z`` robust deviations
  above the category's monthly totals of the previous twelve months (zero
  months included), at least twice their median and 100 units more.

Recurring payments are left out: an annual subscription is large by nature.
Only the recent window is reported (the history is the baseline).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from .history import Purchase, mad, main_currency, median, money
from .spending import month_key, shift_month

MAD_SCALE = 1.4826
# Floor of the robust scale on log amounts: identical prices would otherwise
# make any other price "infinitely" unusual.
MIN_LOG_SPREAD = 0.15
MIN_TIMES_TYPICAL = 3.0
MIN_PURCHASE_EXCESS = 50.0
MIN_CATEGORY_HISTORY = 8
MIN_OVERALL_HISTORY = 20
TAIL_QUANTILE = 0.99
TAIL_FACTOR = 2.0
MIN_MONTHS_HISTORY = 6
MONTH_MIN_EXCESS = Decimal("100")


class _Baseline:
    """Median and robust scale of a sample, computed once."""

    __slots__ = ("centre", "spread", "size", "typical")

    def __init__(self, values: list[float], amounts: list[float] | None = None,
                 floor: float = 1e-9) -> None:
        self.size = len(values)
        self.centre = median(values)
        spread = MAD_SCALE * mad(values, self.centre)
        if spread <= 1e-9:
            # Everything identical: any clear excess is unusual, but not infinitely so.
            spread = max(abs(self.centre) * 0.05, 0.05)
        self.spread = max(spread, floor)
        self.typical = median(amounts) if amounts is not None else self.centre

    def score(self, value: float) -> float:
        return (value - self.centre) / self.spread


def unusual_purchases(purchases: Sequence[Purchase], *, exclude: Collection[str],
                      window_days: int, z_threshold: float) -> list[dict[str, Any]]:
    currency = main_currency(purchases)
    considered = [purchase for purchase in purchases
                  if purchase.currency == currency and purchase.amount > 0
                  and purchase.id not in exclude]
    if not considered:
        return []
    horizon = max(purchase.day for purchase in considered)
    samples: dict[tuple[str, str], tuple[list[float], list[float]]] = defaultdict(
        lambda: ([], []))
    for purchase in considered:
        amount = float(purchase.amount)
        for key in (("merchant", purchase.merchant_key), ("category", purchase.category),
                    ("all", "")):
            logs, amounts = samples[key]
            logs.append(math.log(amount))
            amounts.append(amount)
    baselines = {key: _Baseline(logs, amounts, floor=MIN_LOG_SPREAD)
                 for key, (logs, amounts) in samples.items()
                 if len(logs) >= MIN_CATEGORY_HISTORY and key[0] != "all"}
    everything = sorted(samples[("all", "")][1])
    tail: float | None = None
    overall_typical = 0.0
    if len(everything) >= MIN_OVERALL_HISTORY:
        tail = everything[min(len(everything) - 1, int(TAIL_QUANTILE * len(everything)))]
        overall_typical = median(everything)
    found = []
    for purchase in considered:
        if purchase.day < horizon - window_days:
            continue
        amount = float(purchase.amount)
        choice = next(
            ((compared_with, baselines[(compared_with, key)])
             for compared_with, key in (("merchant", purchase.merchant_key),
                                        ("category", purchase.category))
             if (compared_with, key) in baselines),
            None,
        )
        if choice is not None:
            compared_with, baseline = choice
            typical = baseline.typical
            score = baseline.score(math.log(amount))
            unusual = score >= z_threshold
        elif tail is not None:
            compared_with, typical = "all", overall_typical
            score = amount / tail
            unusual = amount >= TAIL_FACTOR * tail
        else:
            continue
        if (unusual and amount >= MIN_TIMES_TYPICAL * typical
                and amount - typical >= MIN_PURCHASE_EXCESS):
            found.append({
                "purchase_id": purchase.id,
                "date": purchase.when.date().isoformat(),
                "merchant": purchase.merchant,
                "category": purchase.category,
                "amount": money(purchase.amount),
                "currency": currency,
                "typical_amount": money(Decimal(str(typical))),
                "times_typical": str(Decimal(str(amount / typical)).quantize(Decimal("0.1"))),
                "compared_with": compared_with,
                "score": round(score, 1),
            })
    found.sort(key=lambda item: (item["date"], item["purchase_id"]), reverse=True)
    return found


def unusual_months(purchases: Sequence[Purchase], *, exclude: Collection[str], zone: ZoneInfo,
                   today: dt.date, z_threshold: float) -> list[dict[str, Any]]:
    """Categories whose last complete month stands out from the twelve before."""
    currency = main_currency(purchases)
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    months_seen: set[str] = set()
    for purchase in purchases:
        if purchase.currency != currency or purchase.id in exclude:
            continue
        key = month_key(purchase.when.astimezone(zone).date())
        totals[(purchase.category, key)] += purchase.amount
        months_seen.add(key)
    if not months_seen:
        return []
    end = max(months_seen)
    reference = shift_month(end, -1) if end == month_key(today) else end
    first = min(months_seen)
    history_months = [shift_month(reference, -offset) for offset in range(12, 0, -1)]
    history_months = [month for month in history_months if month >= first]
    if len(history_months) < MIN_MONTHS_HISTORY:
        return []
    found = []
    for category in sorted({category for category, _month in totals}):
        current = totals.get((category, reference), Decimal("0"))
        if current <= 0:
            continue
        history = [float(totals.get((category, month), Decimal("0"))) for month in history_months]
        baseline = _Baseline(history)
        typical = baseline.centre
        score = baseline.score(float(current))
        if (score >= z_threshold and float(current) >= 2 * typical
                and current - Decimal(str(typical)) >= MONTH_MIN_EXCESS):
            found.append({
                "month": reference,
                "category": category,
                "total": money(current),
                "typical_total": money(Decimal(str(typical))),
                "currency": currency,
                "score": round(score, 1),
            })
    return found

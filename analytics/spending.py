"""Spending by month, category, merchant and channel, with month-over-month change.

Months are calendar months in the site's time zone. The window ends with the
month of the latest purchase (an old import still shows its figures); when that
month is the current one it is marked partial, and "month over month" compares
the last complete month with the one before. Refunds (negative amounts) count
against the month they happened in. Only the main currency (the one most
purchases use) is charted; totals in others are listed apart.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from .history import Purchase, main_currency, money

ZERO = Decimal("0")
TOP_ITEMS = 20


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def shift_month(key: str, months: int) -> str:
    year, month = (int(part) for part in key.split("-"))
    index = year * 12 + month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _change(current: Decimal, previous: Decimal) -> dict[str, Any]:
    percent = None
    if previous > 0:
        percent = str(((current - previous) / previous * 100).quantize(Decimal("0.1")))
    return {"change": money(current - previous), "change_percent": percent}


@dataclass
class _Totals:
    total: Decimal = ZERO
    count: int = 0
    current: Decimal = ZERO
    previous: Decimal = ZERO


def _ranked(table: dict[str, _Totals], window_total: Decimal,
            labels: dict[str, str] | None = None) -> list[dict[str, Any]]:
    rows = sorted(table.items(), key=lambda item: (-item[1].total, item[0]))
    result = []
    for key, totals in rows[:TOP_ITEMS]:
        name = labels.get(key, key) if labels else key
        share = None
        if window_total > 0:
            share = str((totals.total / window_total * 100).quantize(Decimal("0.1")))
        result.append({
            "name": name,
            "total": money(totals.total),
            "count": totals.count,
            "share_percent": share,
            "last_month": money(totals.current),
            "previous_month": money(totals.previous),
            **_change(totals.current, totals.previous),
        })
    if len(rows) > TOP_ITEMS:
        rest = [totals for _name, totals in rows[TOP_ITEMS:]]
        result.append({
            "name": "",  # "everything else", labelled by the template
            "other": True,
            "total": money(sum((totals.total for totals in rest), ZERO)),
            "count": sum(totals.count for totals in rest),
            "share_percent": None,
            "last_month": money(sum((totals.current for totals in rest), ZERO)),
            "previous_month": money(sum((totals.previous for totals in rest), ZERO)),
            "change": money(sum((totals.current - totals.previous for totals in rest), ZERO)),
            "change_percent": None,
        })
    return result


def spending_summary(purchases: Sequence[Purchase], *, today: dt.date, zone: ZoneInfo,
                     months: int = 12) -> dict[str, Any]:
    currency = main_currency(purchases)
    local_months: list[str] = []
    mine: list[Purchase] = []
    others: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for purchase in purchases:
        if purchase.currency != currency:
            others[purchase.currency] += purchase.amount
            continue
        mine.append(purchase)
        local_months.append(month_key(purchase.when.astimezone(zone).date()))
    if not mine:
        return {"currency": currency, "months": [], "by_category": [], "by_merchant": [],
                "by_channel": [], "window_total": money(ZERO), "other_currencies": {},
                "reference_month": None, "previous_month": None, "partial_month": None}
    end = max(local_months)
    start = shift_month(end, -(months - 1))
    partial = end == month_key(today)
    reference = shift_month(end, -1) if partial else end
    previous = shift_month(reference, -1)
    by_month: dict[str, _Totals] = {shift_month(start, index): _Totals() for index in range(months)}
    tables: dict[str, dict[str, _Totals]] = {"category": defaultdict(_Totals),
                                             "merchant": defaultdict(_Totals),
                                             "channel": defaultdict(_Totals)}
    window_total = ZERO
    labels: dict[str, str] = {}
    for purchase, key in zip(mine, local_months, strict=True):
        if key < start:
            continue
        month = by_month[key]
        month.total += purchase.amount
        month.count += 1
        window_total += purchase.amount
        labels.setdefault(purchase.merchant_key, purchase.merchant)
        for dimension, value in (("category", purchase.category),
                                 ("merchant", purchase.merchant_key),
                                 ("channel", purchase.channel)):
            totals = tables[dimension][value]
            totals.total += purchase.amount
            totals.count += 1
            if key == reference:
                totals.current += purchase.amount
            elif key == previous:
                totals.previous += purchase.amount
    month_rows = []
    before: Decimal | None = None
    for key, totals in by_month.items():
        row: dict[str, Any] = {"month": key, "total": money(totals.total), "count": totals.count,
                               "partial": partial and key == end}
        row.update(_change(totals.total, before) if before is not None
                   else {"change": None, "change_percent": None})
        month_rows.append(row)
        before = totals.total
    return {
        "currency": currency,
        "months": month_rows,
        "reference_month": reference,
        "previous_month": previous,
        "partial_month": end if partial else None,
        "window_total": money(window_total),
        "by_category": _ranked(tables["category"], window_total),
        "by_merchant": _ranked(tables["merchant"], window_total, labels),
        "by_channel": _ranked(tables["channel"], window_total),
        "other_currencies": {code: money(total) for code, total in sorted(others.items())},
    }

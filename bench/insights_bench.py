"""Insights for one consumer with 10,000 purchases (target: under 1 s).

Imports a generated history (planted subscriptions, a price rise, everyday
noise) into a fresh vault, then times ``insights_refresh``: open every purchase
from the database, run every detector, build the recommendations, seal and
store the snapshot. The median of several runs is reported, with the share of
the time spent reading and decrypting.

    python bench/insights_bench.py [--purchases 10000] [--runs 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sillage_bench python bench/insights_bench.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time

from _django import setup


def history(count: int) -> list[dict]:
    from django.utils import timezone

    from vault import demo

    now = timezone.now() - dt.timedelta(hours=1)
    months = 36
    per_month = max(1, (count - 250) // months)
    rows = demo.purchases(months=months, seed=5, now=now, everyday_per_month=per_month)
    return rows[-count:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--purchases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    vendor = setup("insights")

    from django.conf import settings
    from django.test.utils import override_settings

    from accounts.services import account_create
    from analytics.selectors import vault_purchases
    from analytics.services import insights_refresh
    from vault.services import vault_import

    rows = history(options.purchases)
    with override_settings(ANALYTICS={**getattr(settings, "ANALYTICS", {}),
                                      "REFRESH_AFTER_IMPORT": False}):
        user = account_create(email="bench-insights@example.test", password=None)
        vault_import(vault=user.vault, source="Ma Banque", filename="bench.json",
                     stream=json.dumps({"records": rows}).encode(), actor=("operator", "bench"))
    totals, reads = [], []
    insights: dict = {}
    for _run in range(options.runs):
        vault = type(user.vault).objects.get(pk=user.vault.pk)  # no memoised key or labels
        started = time.perf_counter()
        insights = insights_refresh(vault=vault)
        totals.append(time.perf_counter() - started)
        vault = type(user.vault).objects.get(pk=user.vault.pk)
        started = time.perf_counter()
        vault_purchases(vault=vault)
        reads.append(time.perf_counter() - started)
    total = statistics.median(totals)
    read = statistics.median(reads)
    print(f"database: {vendor}; purchases: {insights['purchase_count']}; runs: {options.runs}")
    print(f"found: {len(insights['subscriptions'])} recurring payments, "
          f"{len(insights['price_increases'])} price increases, "
          f"{len(insights['recommendations'])} recommendations")
    print(f"all insights (read, decrypt, detect, seal, store): median {total * 1000:.0f} ms "
          f"(min {min(totals) * 1000:.0f}, max {max(totals) * 1000:.0f})  target < 1000 ms")
    print(f"  of which reading and decrypting the purchases: median {read * 1000:.0f} ms")


if __name__ == "__main__":
    main()

"""Spending summaries and unusual spending, on hand-made and generated histories."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from analytics.history import to_purchase
from analytics.recurring import detect_recurring
from analytics.spending import spending_summary
from analytics.unusual import unusual_months, unusual_purchases

from .histories import NOW, generate

PARIS = ZoneInfo("Europe/Paris")


def _p(index, when, merchant, amount, category="groceries", channel="store", currency="EUR"):
    return to_purchase(record_id=f"p{index}", occurred_at=when,
                       data={"merchant": merchant, "amount": amount, "currency": currency,
                             "category": category, "channel": channel})


def test_spending_by_month_category_merchant_channel_with_month_over_month_change():
    purchases = [
        _p(1, dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC), "Carrefour", "100.00"),
        _p(2, dt.datetime(2026, 1, 20, 12, tzinfo=dt.UTC), "Fnac", "50.00", "electronics", "online"),
        _p(3, dt.datetime(2026, 2, 3, 12, tzinfo=dt.UTC), "CARREFOUR", "150.00"),
        _p(4, dt.datetime(2026, 2, 5, 12, tzinfo=dt.UTC), "Fnac", "-20.00", "electronics", "online"),
        _p(5, dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC), "Carrefour", "30.00"),
        # 31 January 23:30 UTC is 1 February in Paris: counted in February
        _p(6, dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.UTC), "Monoprix", "10.00"),
        _p(7, dt.datetime(2026, 2, 10, 12, tzinfo=dt.UTC), "Amazon US", "99.00", currency="USD"),
    ]
    summary = spending_summary(purchases, today=dt.date(2026, 3, 2), zone=PARIS, months=3)
    assert summary["currency"] == "EUR"
    assert [(row["month"], row["total"], row["partial"]) for row in summary["months"]] == [
        ("2026-01", "150.00", False), ("2026-02", "140.00", False), ("2026-03", "30.00", True)]
    assert (summary["months"][1]["change"], summary["months"][1]["change_percent"]) == ("-10.00", "-6.7")
    # March is not over: month over month compares February with January
    assert (summary["reference_month"], summary["previous_month"]) == ("2026-02", "2026-01")
    categories = {row["name"]: row for row in summary["by_category"]}
    assert categories["groceries"]["total"] == "290.00"
    assert (categories["groceries"]["last_month"], categories["groceries"]["previous_month"],
            categories["groceries"]["change"]) == ("160.00", "100.00", "60.00")
    assert categories["electronics"]["change_percent"] == "-140.0"  # a refund in February
    merchants = {row["name"]: row["total"] for row in summary["by_merchant"]}
    assert merchants["Carrefour"] == "280.00"  # "CARREFOUR" is the same merchant
    assert {row["name"] for row in summary["by_channel"]} == {"store", "online"}
    assert summary["other_currencies"] == {"USD": "99.00"}
    assert summary["window_total"] == "320.00"


def test_an_empty_history_gives_empty_figures():
    summary = spending_summary([], today=dt.date(2026, 3, 2), zone=PARIS)
    assert (summary["months"], summary["by_category"]) == ([], [])


def _everyday(seed: int, days: int = 400) -> list:
    rng = random.Random(seed)
    purchases = []
    for index in range(days * 2):
        when = NOW - dt.timedelta(days=rng.uniform(0, days))
        category, low, high = rng.choice((("groceries", 15, 120), ("food", 3, 20),
                                          ("electronics", 20, 400), ("fuel", 40, 90)))
        amount = f"{rng.lognormvariate(0, 0.35) * (low + high) / 2:.2f}"
        purchases.append(_p(index, when, f"Shop {index % 9}", amount, category))
    return purchases


def test_no_unusual_purchase_in_ordinary_histories():
    flagged = 0
    for seed in range(40):
        purchases = _everyday(seed)
        flagged += len(unusual_purchases(purchases, exclude=set(), window_days=90, z_threshold=4.0))
        history = generate(seed)
        found = detect_recurring(history.purchases())
        flagged += len(unusual_purchases(history.purchases(), exclude=found.purchase_ids,
                                         window_days=90, z_threshold=4.0))
    assert flagged <= 2  # out of ~20,000 recent purchases looked at


def test_a_planted_outlier_is_found_with_its_figures():
    found_count = 0
    for seed in range(20):
        purchases = _everyday(seed)
        when = NOW - dt.timedelta(days=10)
        purchases.append(_p("outlier", when, "Bijouterie Or", "2400.00", "electronics"))
        found = unusual_purchases(purchases, exclude=set(), window_days=90, z_threshold=4.0)
        hits = [item for item in found if item["purchase_id"] == "poutlier"]
        if hits:
            found_count += 1
            [hit] = hits
            assert (hit["merchant"], hit["amount"], hit["compared_with"]) == (
                "Bijouterie Or", "2400.00", "category")
            assert Decimal(hit["times_typical"]) > 5
    assert found_count == 20


def test_an_outlier_in_a_new_category_is_compared_with_everything():
    purchases = _everyday(3)
    purchases.append(_p("new", NOW - dt.timedelta(days=2), "Garage Dupont", "1800.00", "car"))
    [hit] = [item for item in unusual_purchases(purchases, exclude=set(), window_days=90,
                                                z_threshold=4.0) if item["purchase_id"] == "pnew"]
    assert hit["compared_with"] == "all"


def test_recurring_payments_are_not_unusual():
    purchases = _everyday(4)
    yearly = _p("insurance", NOW - dt.timedelta(days=5), "Assurance", "900.00", "groceries")
    assert unusual_purchases([*purchases, yearly], exclude={"pinsurance"}, window_days=90,
                             z_threshold=4.0) == []


def test_an_unusual_month_for_a_category():
    purchases = _everyday(5, days=500)
    # February (the last complete month before 1 March 2026): a holiday
    for index in range(4):
        purchases.append(_p(f"trip{index}", dt.datetime(2026, 2, 10 + index, tzinfo=dt.UTC),
                            "Hotel", "450.00", "travel"))
    for index in range(12):
        purchases.append(_p(f"old{index}", dt.datetime(2025, 2 + index % 11, 5, tzinfo=dt.UTC)
                            if index < 11 else dt.datetime(2025, 1, 5, tzinfo=dt.UTC),
                            "Train", "40.00", "travel"))
    months = unusual_months(purchases, exclude=set(), zone=PARIS, today=dt.date(2026, 3, 1),
                            z_threshold=4.0)
    assert [(item["month"], item["category"], item["total"]) for item in months] == [
        ("2026-02", "travel", "1800.00")]

"""Recurring payments and subscriptions, found in a purchase history.

(Over 500 lines on purpose: it is one algorithm whose steps below only make
sense together and share their small data types; split, each part would need
the others to be read.)

How (and why this way):

1. Purchases are grouped by payee (``merchant_key``) and currency.
2. Within a payee, purchases at the *same price* (within 0.5 % + 1 cent) form
   amount clusters: subscriptions charge the same amount each time, everyday
   shopping does not, so this is what separates a 5.99 monthly pass from the
   groceries bought at the same shop.
3. In each cluster the longest *chain* is found for each cadence (weekly,
   monthly, quarterly, yearly): successive charges one period apart within a
   tolerance (monthly: 30.44 ± 5.5 days, which covers 28-31-day months and
   posting delays), allowing a missed charge now and then (two periods apart).
   The cadence with the longest chain wins; its points are removed and the
   search repeats (two identical subscriptions at one payee).
4. Chains of one payee and cadence that follow one another (the next begins
   one period after the previous ends, at another price) are one subscription
   whose price changed; the change is a price increase when it went up.
5. A chain is accepted with fewer occurrences when it is most of what the
   consumer paid that payee (a "pure" payee) than when it hides among many
   other purchases there ("busy" payee), where chance coincidences are likelier:
   there it must also be unlikely under chance (purchases at that price falling
   at random times over the payee's history would rarely line up that long).
6. Payees billed on a cadence with amounts that vary (utilities) are found on
   pure payees only: a chain ignoring amounts must cover 80 % of the purchases
   and the amounts must stay within a moderate spread (MAD / median <= 0.35).

A subscription is "lapsed" when, by the latest purchase in the history (not by
today: an import may be weeks old), an expected charge is overdue by more than
a quarter period.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .history import Purchase, mad, median, money

PRICE_TOLERANCE = Decimal("0.005")
PRICE_TOLERANCE_ABSOLUTE = Decimal("0.01")
PURE_SHARE = 0.5
VARIABLE_COVERAGE = 0.8
VARIABLE_SPREAD = 0.35
HABIT_DENSITY = 1.5
# On a busy payee, a price change is only believed between runs this long.
BUSY_SEGMENT = 3
# On a busy payee, runs are kept when chance would produce one that long less
# often than this over the whole payee (expected count under random timing, see
# ``_chance``, shared out over every price cluster and cadence tried).
SIGNIFICANCE = 1e-3


@dataclass(frozen=True)
class Cadence:
    name: str
    days: float
    tolerance: float
    min_pure: int
    min_busy: int


CADENCES = (
    Cadence("weekly", 7.0, 1.5, 4, 6),
    Cadence("monthly", 30.44, 5.5, 3, 4),
    Cadence("quarterly", 91.31, 8.0, 3, 4),
    Cadence("yearly", 365.25, 12.0, 2, 4),
)
VARIABLE_CADENCES = tuple(cadence for cadence in CADENCES if cadence.name != "weekly")


@dataclass
class Segment:
    amount: Decimal
    purchases: list[Purchase]
    cluster_size: int = 0  # purchases at this price at the payee (chance baseline)
    misses: int = 0


@dataclass
class Series:
    cadence: Cadence
    segments: list[Segment]
    variable: bool = False

    @property
    def purchases(self) -> list[Purchase]:
        return [purchase for segment in self.segments for purchase in segment.purchases]

    @property
    def count(self) -> int:
        return sum(len(segment.purchases) for segment in self.segments)

    @property
    def misses(self) -> int:
        return sum(segment.misses for segment in self.segments)

    @property
    def first_day(self) -> float:
        return self.segments[0].purchases[0].day

    @property
    def last_day(self) -> float:
        return self.segments[-1].purchases[-1].day


@dataclass
class Subscription:
    merchant: str
    merchant_key: str
    category: str
    currency: str
    cadence: str
    period_days: int
    amount: Decimal
    amount_kind: str  # stable | changed | variable
    first_seen: dt.datetime
    last_seen: dt.datetime
    next_expected: dt.date
    occurrences: int
    active: bool
    yearly_cost: Decimal
    segments: list[dict[str, Any]]
    purchase_ids: frozenset[str] = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "merchant": self.merchant,
            "merchant_key": self.merchant_key,
            "category": self.category,
            "currency": self.currency,
            "cadence": self.cadence,
            "period_days": self.period_days,
            "amount": money(self.amount),
            "amount_kind": self.amount_kind,
            "first_seen": self.first_seen.date().isoformat(),
            "last_seen": self.last_seen.date().isoformat(),
            "next_expected": self.next_expected.isoformat(),
            "occurrences": self.occurrences,
            "status": "active" if self.active else "lapsed",
            "yearly_cost": money(self.yearly_cost),
            "segments": self.segments,
        }


@dataclass
class PriceIncrease:
    merchant: str
    merchant_key: str
    currency: str
    cadence: str
    period_days: int
    old_amount: Decimal
    new_amount: Decimal
    since: dt.date
    extra_per_year: Decimal

    def as_dict(self) -> dict[str, Any]:
        change = (self.new_amount - self.old_amount) / self.old_amount * 100
        return {
            "merchant": self.merchant,
            "merchant_key": self.merchant_key,
            "currency": self.currency,
            "cadence": self.cadence,
            "period_days": self.period_days,
            "old_amount": money(self.old_amount),
            "new_amount": money(self.new_amount),
            "change_percent": str(change.quantize(Decimal("0.1"))),
            "since": self.since.isoformat(),
            "extra_per_year": money(self.extra_per_year),
        }


# --- chains -----------------------------------------------------------------------


def _longest_chain(days: Sequence[float], cadence: Cadence) -> tuple[list[int], int]:
    """Indices of the longest run of points one period apart (or two, a missed
    charge), with the number of missed charges. ``days`` is sorted.

    Dynamic programming over predecessors found by bisection, so a busy payee
    with hundreds of purchases costs O(n log n), not O(n²).
    """
    size = len(days)
    if size == 0:
        return [], 0
    period, tolerance = cadence.days, cadence.tolerance
    steps = ((period - tolerance, period + tolerance, 0),
             (2 * period - 1.5 * tolerance, 2 * period + 1.5 * tolerance, 1))
    length = [1] * size
    misses = [0] * size
    error = [0.0] * size
    previous = [-1] * size
    for index in range(size):
        here = days[index]
        best = (1, 0, 0.0)
        for low, high, missed in steps:
            start = bisect_left(days, here - high, 0, index)
            stop = bisect_right(days, here - low, 0, index)
            for candidate in range(start, stop):
                gap = here - days[candidate]
                deviation = abs(gap - period * (1 + missed))
                score = (length[candidate] + 1, -(misses[candidate] + missed),
                         -(error[candidate] + deviation))
                if score > (best[0], -best[1], -best[2]):
                    best = (score[0], -score[1], -score[2])
                    previous[index] = candidate
        length[index], misses[index], error[index] = best
    end = max(range(size), key=lambda index: (length[index], -misses[index], -error[index]))
    chain = []
    cursor = end
    while cursor != -1:
        chain.append(cursor)
        cursor = previous[cursor]
    chain.reverse()
    return chain, misses[end]


def _amount_clusters(purchases: list[Purchase]) -> list[list[Purchase]]:
    """Purchases at the same price (0.5 % + 1 cent), each cluster in time order."""
    ordered = sorted(purchases, key=lambda purchase: (purchase.amount, purchase.day))
    clusters: list[list[Purchase]] = []
    limit = Decimal("-Infinity")
    for purchase in ordered:
        if not clusters or purchase.amount > limit:
            clusters.append([])
            limit = purchase.amount * (1 + PRICE_TOLERANCE) + PRICE_TOLERANCE_ABSOLUTE
        clusters[-1].append(purchase)
    for cluster in clusters:
        cluster.sort(key=lambda purchase: purchase.day)
    return clusters


def _stable_chains(cluster: list[Purchase]) -> list[Series]:
    chains: list[Series] = []
    remaining = list(cluster)
    while len(remaining) >= 2:
        days = [purchase.day for purchase in remaining]
        span = days[-1] - days[0]
        best: tuple[int, int, Cadence, list[int]] | None = None
        for cadence in CADENCES:
            if span < cadence.days - cadence.tolerance:
                continue
            chain, misses = _longest_chain(days, cadence)
            if len(chain) < 2:
                continue
            if best is None or (len(chain), -misses) > (best[0], -best[1]):
                best = (len(chain), misses, cadence, chain)
        if best is None:
            break
        _count, misses, cadence, chain = best
        members = [remaining[index] for index in chain]
        low = members[0].day - cadence.tolerance
        high = members[-1].day + cadence.tolerance
        within = sum(1 for purchase in remaining if low <= purchase.day <= high)
        if within > HABIT_DENSITY * len(members):
            # Many more charges at this price than the cadence explains: a
            # habit (the same coffee most mornings), not a subscription.
            break
        amount = Decimal(median([float(purchase.amount) for purchase in members])).quantize(
            Decimal("0.01")
        )
        chains.append(Series(cadence=cadence, segments=[
            Segment(amount, members, cluster_size=len(cluster), misses=misses)]))
        taken = set(chain)
        remaining = [purchase for index, purchase in enumerate(remaining) if index not in taken]
    return chains


def _follows(series: Series, chain: Series) -> float | None:
    """How far from one period the gap between ``series`` and ``chain`` is
    (None when ``chain`` cannot continue ``series``)."""
    cadence = series.cadence
    gap = chain.first_day - series.last_day
    for periods, tolerance in ((1, cadence.tolerance), (2, 1.5 * cadence.tolerance)):
        if abs(gap - periods * cadence.days) <= tolerance:
            return abs(gap - periods * cadence.days) + (periods - 1) * cadence.days
    return None


def _merge_price_changes(chains: list[Series], payee_size: int) -> list[Series]:
    """Join chains of one payee and cadence that continue one another at a new
    price. On a busy payee both runs must be long enough not to be chance."""
    merged: list[Series] = []
    for chain in sorted(chains, key=lambda item: item.first_day):
        best: tuple[float, Series] | None = None
        for series in merged:
            if series.cadence is not chain.cadence or series.variable:
                continue
            if series.segments[-1].amount == chain.segments[0].amount:
                continue
            pure = series.count + chain.count >= PURE_SHARE * payee_size
            if not pure and min(len(series.segments[-1].purchases), chain.count) < BUSY_SEGMENT:
                continue
            distance = _follows(series, chain)
            if distance is not None and (best is None or distance < best[0]):
                best = (distance, series)
        if best is None:
            merged.append(chain)
        else:
            best[1].segments.extend(chain.segments)
    return merged


def _extend_tail(series: Series, unused: list[Purchase]) -> None:
    """A single charge one period after the last at a new price (a rise that
    has just happened) joins the series, on payees that are mostly this series."""
    while True:
        last = series.segments[-1]
        expected = series.last_day + series.cadence.days
        candidates = [
            purchase for purchase in unused
            if abs(purchase.day - expected) <= series.cadence.tolerance
            and last.amount / 2 <= purchase.amount <= last.amount * 2
            and purchase.amount != last.amount
        ]
        if len(candidates) != 1:
            return
        purchase = candidates[0]
        unused.remove(purchase)
        series.segments.append(Segment(purchase.amount, [purchase]))


def _variable_series(purchases: list[Purchase]) -> Series | None:
    if len(purchases) < 4:
        return None
    days = [purchase.day for purchase in purchases]
    span = days[-1] - days[0]
    for cadence in VARIABLE_CADENCES:
        # A chain holds at most one point a period: on a busy payee it cannot
        # cover 80 % of the purchases, so do not look.
        if VARIABLE_COVERAGE * len(purchases) > span / (cadence.days - cadence.tolerance) + 1:
            continue
        chain, misses = _longest_chain(days, cadence)
        if len(chain) < max(cadence.min_pure + 1, 4):
            continue
        if len(chain) < VARIABLE_COVERAGE * len(purchases) or misses > max(1, (len(chain) - 1) // 4):
            continue
        members = [purchases[index] for index in chain]
        amounts = [float(purchase.amount) for purchase in members]
        centre = median(amounts)
        if centre <= 0 or mad(amounts, centre) / centre > VARIABLE_SPREAD:
            continue
        if max(amounts) > 3 * min(amounts):
            continue
        amount = Decimal(centre).quantize(Decimal("0.01"))
        return Series(cadence=cadence, segments=[Segment(amount, members, misses=misses)],
                      variable=True)
    return None


def _chance(segment: Segment, cadence: Cadence, span: float) -> float:
    """Expected number of runs this long among purchases at this price if they
    fell at random times over the payee's history: each step needs one of the
    ``n`` same-price purchases within the tolerance window of the next date."""
    count = len(segment.purchases)
    size = max(segment.cluster_size, count)
    step = min(1.0, size * 2 * cadence.tolerance / span)
    return size * step ** (count - 1)


def _significant(segment: Segment, cadence: Cadence, span: float, tests: int) -> bool:
    return (len(segment.purchases) >= BUSY_SEGMENT
            and _chance(segment, cadence, span) * tests <= SIGNIFICANCE)


def _accept(series: Series, payee_size: int, span: float, tests: int) -> Series | None:
    """The series if it is believable: on a pure payee with enough charges; on
    a busy payee, its longest run of segments that chance does not explain."""
    cadence = series.cadence
    if series.count >= PURE_SHARE * payee_size:
        if series.count < cadence.min_pure:
            return None
        if series.count == 2 and series.purchases[0].amount != series.purchases[1].amount:
            return None  # two charges only: they must be the very same price
        return series if series.misses <= max(1, (series.count - 1) // 4) else None
    runs: list[list[Segment]] = [[]]
    for segment in series.segments:
        if _significant(segment, cadence, span, tests):
            runs[-1].append(segment)
        elif runs[-1]:
            runs.append([])
    best = max(runs, key=lambda run: sum(len(segment.purchases) for segment in run))
    kept = Series(cadence=cadence, segments=best)
    if not best or kept.count < cadence.min_busy:
        return None
    return kept if kept.misses <= max(1, (kept.count - 1) // 4) else None


def _could_be_significant(size: int, span: float, tests: int) -> bool:
    """Whether a run using every purchase of a price cluster this size could
    pass the chance test for the most lenient cadence (weekly: narrowest window)."""
    if size < BUSY_SEGMENT:
        return False
    step = min(1.0, size * 2 * CADENCES[0].tolerance / span)
    return size * step ** (size - 1) * tests <= SIGNIFICANCE


def _series_in_payee(purchases: list[Purchase]) -> list[Series]:
    size = len(purchases)
    span = max(purchases[-1].day - purchases[0].day, 1.0)
    clusters = [cluster for cluster in _amount_clusters(purchases) if len(cluster) >= 2]
    tests = max(1, len(clusters) * len(CADENCES))  # for the chance threshold (Bonferroni)
    # A busy payee has more purchases than any cadence could fill half of: only
    # runs that chance does not explain can be part of a subscription there, so
    # price clusters too small to hold one are not even searched.
    busy = not any(span / (cadence.days - cadence.tolerance) + 1 >= PURE_SHARE * size
                   for cadence in CADENCES)
    if busy:
        clusters = [cluster for cluster in clusters
                    if _could_be_significant(len(cluster), span, tests)]
    chains: list[Series] = []
    for cluster in clusters:
        chains.extend(_stable_chains(cluster))
    if busy:
        chains = [chain for chain in chains
                  if _significant(chain.segments[0], chain.cadence, span, tests)]
    merged = _merge_price_changes(chains, size)
    accepted = [kept for series in merged
                if (kept := _accept(series, size, span, tests)) is not None]
    used = {purchase.id for series in accepted for purchase in series.purchases}
    unused = [purchase for purchase in purchases if purchase.id not in used]
    for series in accepted:
        if series.count >= PURE_SHARE * size:
            _extend_tail(series, unused)
    if not accepted:
        variable = _variable_series(unused)
        if variable is not None:
            accepted.append(variable)
    return accepted


# --- results ----------------------------------------------------------------------


def _period_days(series: Series) -> float:
    days = [purchase.day for purchase in series.purchases]
    gaps = []
    for before, after in zip(days, days[1:], strict=False):
        gap = after - before
        if abs(gap - series.cadence.days) <= series.cadence.tolerance:
            gaps.append(gap)
    return median(gaps) if gaps else series.cadence.days


MONTHS_PER_STEP = {"monthly": 1, "quarterly": 3, "yearly": 12}
# Charges a year, as a consumer counts them (twelve monthly payments a year).
PER_YEAR = {"weekly": Decimal("52.18"), "monthly": Decimal("12"), "quarterly": Decimal("4"),
            "yearly": Decimal("1")}


def _add_months(day: dt.date, months: int, day_of_month: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day_of_month, last_day))


def _next_expected(series: Series, period: float) -> dt.date:
    """One period after the last charge; for calendar cadences billed on a
    steady day of the month, that day of the next month (or year)."""
    last = series.purchases[-1].when
    months = MONTHS_PER_STEP.get(series.cadence.name)
    if months is not None:
        days = [purchase.when.day for purchase in series.purchases[-6:]]
        if max(days) - min(days) <= 3:
            return _add_months(last.date(), months, round(median([float(day) for day in days])))
    return (last + dt.timedelta(days=period)).date()


def _subscription(series: Series, horizon: float) -> Subscription:
    members = series.purchases
    first, last = members[0], members[-1]
    period = _period_days(series)
    grace = max(series.cadence.tolerance, 0.25 * series.cadence.days)
    active = horizon <= last.day + period + grace
    if series.variable:
        recent = [float(purchase.amount) for purchase in members[-3:]]
        amount = Decimal(median(recent)).quantize(Decimal("0.01"))
        kind = "variable"
    else:
        amount = series.segments[-1].amount
        kind = "changed" if len(series.segments) > 1 else "stable"
    names = Counter(purchase.merchant for purchase in members)
    categories = Counter(purchase.category for purchase in members)
    yearly = (amount * PER_YEAR[series.cadence.name]).quantize(Decimal("0.01"))
    return Subscription(
        merchant=names.most_common(1)[0][0],
        merchant_key=first.merchant_key,
        category=categories.most_common(1)[0][0],
        currency=first.currency,
        cadence=series.cadence.name,
        period_days=round(period),
        amount=amount,
        amount_kind=kind,
        first_seen=first.when,
        last_seen=last.when,
        next_expected=_next_expected(series, period),
        occurrences=len(members),
        active=active,
        yearly_cost=yearly,
        segments=[
            {"amount": money(segment.amount), "since": segment.purchases[0].when.date().isoformat(),
             "occurrences": len(segment.purchases)}
            for segment in series.segments
        ],
        purchase_ids=frozenset(purchase.id for purchase in members),
    )


def _increases(series: Series, subscription: Subscription) -> list[PriceIncrease]:
    if series.variable:
        return []
    found = []
    for before, after in zip(series.segments, series.segments[1:], strict=False):
        if after.amount > before.amount:
            found.append(PriceIncrease(
                merchant=subscription.merchant,
                merchant_key=subscription.merchant_key,
                currency=subscription.currency,
                cadence=subscription.cadence,
                period_days=subscription.period_days,
                old_amount=before.amount,
                new_amount=after.amount,
                since=after.purchases[0].when.date(),
                extra_per_year=((after.amount - before.amount)
                                * PER_YEAR[series.cadence.name]).quantize(Decimal("0.01")),
            ))
    return found


@dataclass
class RecurringResult:
    subscriptions: list[Subscription]
    price_increases: list[PriceIncrease]

    @property
    def purchase_ids(self) -> set[str]:
        return {pid for subscription in self.subscriptions for pid in subscription.purchase_ids}


def detect_recurring(purchases: Iterable[Purchase]) -> RecurringResult:
    """Every recurring series in the history, with the price increases within them."""
    payees: dict[tuple[str, str], list[Purchase]] = defaultdict(list)
    horizon = 0.0
    for purchase in purchases:
        horizon = max(horizon, purchase.day)
        if purchase.amount > 0:
            payees[(purchase.merchant_key, purchase.currency)].append(purchase)
    subscriptions: list[Subscription] = []
    increases: list[PriceIncrease] = []
    for key in sorted(payees):
        group = sorted(payees[key], key=lambda purchase: (purchase.day, purchase.id))
        if len(group) < 2:
            continue
        for series in _series_in_payee(group):
            subscription = _subscription(series, horizon)
            subscriptions.append(subscription)
            increases.extend(_increases(series, subscription))
    subscriptions.sort(key=lambda item: (not item.active, -item.yearly_cost, item.merchant_key))
    increases.sort(key=lambda item: item.since, reverse=True)
    return RecurringResult(subscriptions=subscriptions, price_increases=increases)

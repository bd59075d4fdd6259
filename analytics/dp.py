"""Differentially private release of counts and sums by segment.

Mechanism (documented in docs/insights.md, tested in tests/analytics/test_dp.py):

* Neighbouring datasets differ by one consumer (add or remove).
* Each consumer's contribution is bounded first: at most ``K`` cells (their
  ``K`` largest), and a total of at most ``C`` whole currency units across
  them (scaled down when larger). So one consumer changes the vector of cell
  counts by at most K in L1 norm, and the vector of sums by at most C.
* Counts get discrete Laplace noise of scale ``K / epsilon_count`` and sums of
  scale ``C / epsilon_sum`` (the geometric mechanism: integer-valued, so there
  is no floating-point leak of the kind Mironov showed for the continuous
  Laplace). epsilon = epsilon_count + epsilon_sum (basic composition).
* A cell is released only when its true count is at least the minimum group
  size ``k`` (so no group smaller than k is ever described) *and* its noisy
  count is at least ``k + m``. Without the second test, whether a cell of
  exactly k appears would depend on one person, with certainty. With it, that
  happens with probability at most ``delta / K`` per cell, with
  ``m = ceil(K / epsilon_count * ln(K / delta))``: the release is
  (epsilon, delta)-differentially private. The same noisy test is what makes
  releasing data-dependent segment names (cities, categories) safe.
* Released figures are post-processed (clamped at zero) which costs nothing.
  The number of suppressed cells is never released (it would leak).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol


class UniformSource(Protocol):
    def random(self) -> float: ...


@dataclass(frozen=True)
class Mechanism:
    epsilon: float
    count_share: float
    min_group_size: int
    delta: float
    sum_clip: int
    max_cells: int

    def __post_init__(self) -> None:
        if not (self.epsilon > 0 and 0 < self.count_share < 1):
            raise ValueError("epsilon must be positive and its count share in (0, 1)")
        if not (0 < self.delta < 1) or self.min_group_size < 2 or self.max_cells < 1:
            raise ValueError("delta in (0, 1), a minimum group size of at least 2, max_cells >= 1")

    @property
    def epsilon_count(self) -> float:
        return self.epsilon * self.count_share

    @property
    def epsilon_sum(self) -> float:
        return self.epsilon - self.epsilon_count

    @property
    def count_scale(self) -> float:
        return self.max_cells / self.epsilon_count

    @property
    def sum_scale(self) -> float:
        return self.sum_clip / self.epsilon_sum

    @property
    def margin(self) -> int:
        return math.ceil(self.count_scale * math.log(self.max_cells / self.delta))

    @property
    def release_threshold(self) -> int:
        """Noisy count a cell needs to be released (besides the true-count test)."""
        return self.min_group_size + self.margin

    def describe(self) -> dict[str, Any]:
        return {
            "mechanism": "discrete Laplace (geometric), thresholded",
            "epsilon": self.epsilon,
            "epsilon_count": round(self.epsilon_count, 6),
            "epsilon_sum": round(self.epsilon_sum, 6),
            "delta": self.delta,
            "min_group_size": self.min_group_size,
            "release_threshold": self.release_threshold,
            "count_noise_scale": round(self.count_scale, 6),
            "sum_noise_scale": round(self.sum_scale, 6),
            "sum_clip": self.sum_clip,
            "max_cells_per_consumer": self.max_cells,
        }


def discrete_laplace(scale: float, rng: UniformSource) -> int:
    """An integer with P(k) proportional to exp(-|k| / scale): the difference of
    two geometric variables, each the floor of an exponential."""
    def geometric() -> int:
        uniform = 1.0 - rng.random()  # in (0, 1]
        return math.floor(-scale * math.log(uniform))

    return geometric() - geometric()


def bound(cells: Mapping[str, int], *, max_cells: int, sum_clip: int) -> dict[str, int]:
    """A consumer's contribution limited to ``max_cells`` cells (largest amounts
    first, then by name) and ``sum_clip`` in total (scaled down, rounded down)."""
    chosen = sorted(cells.items(), key=lambda item: (-item[1], item[0]))[:max_cells]
    chosen = [(cell, max(int(amount), 0)) for cell, amount in chosen]
    total = sum(amount for _cell, amount in chosen)
    if total > sum_clip:
        chosen = [(cell, amount * sum_clip // total) for cell, amount in chosen]
    return dict(chosen)


@dataclass
class Release:
    cells: list[dict[str, Any]]
    suppressed: int


@dataclass(frozen=True)
class Totals:
    """True per-cell counts and sums after bounding (never released as such)."""

    counts: dict[str, int]
    sums: dict[str, int]


def totals(contributions: Iterable[Mapping[str, int]], mechanism: Mechanism) -> Totals:
    counts: dict[str, int] = {}
    sums: dict[str, int] = {}
    for contribution in contributions:
        for cell, amount in bound(contribution, max_cells=mechanism.max_cells,
                                  sum_clip=mechanism.sum_clip).items():
            counts[cell] = counts.get(cell, 0) + 1
            sums[cell] = sums.get(cell, 0) + amount
    return Totals(counts=counts, sums=sums)


def noisy_release(true: Totals, mechanism: Mechanism, rng: UniformSource | None = None) -> Release:
    """Noisy counts and sums per cell, for cells that pass both thresholds."""
    rng = rng or random.SystemRandom()
    released = []
    suppressed = 0
    threshold = mechanism.release_threshold
    for cell in sorted(true.counts):
        # Noise is drawn for every cell, released or not, in a fixed order.
        noisy_count = true.counts[cell] + discrete_laplace(mechanism.count_scale, rng)
        noisy_sum = true.sums[cell] + discrete_laplace(mechanism.sum_scale, rng)
        if true.counts[cell] < mechanism.min_group_size or noisy_count < threshold:
            suppressed += 1
            continue
        released.append({"segment": cell, "count": max(noisy_count, 0), "sum": max(noisy_sum, 0)})
    return Release(cells=released, suppressed=suppressed)


def release(contributions: Iterable[Mapping[str, int]], mechanism: Mechanism,
            rng: UniformSource | None = None) -> Release:
    """Bound every contribution, total them, add noise, apply both thresholds."""
    return noisy_release(totals(contributions, mechanism), mechanism, rng)

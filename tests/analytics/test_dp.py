"""The differentially private release mechanism, tested statistically.

Neighbouring datasets differ by one consumer. For every output (a released
count and a sum bucket, or "suppressed") the probability under one dataset is
at most e^epsilon times the probability under the other (plus delta, which
only the threshold boundary uses). Empirical frequencies from seeded draws are
compared with a one-sided three-sigma allowance for sampling error, and the
test is shown to have power: a mechanism with half the noise it claims fails it.
"""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest

from analytics.dp import Mechanism, bound, discrete_laplace, noisy_release, release, totals

DRAWS = 20_000
SUM_BUCKET = 5_000


def mechanism(**overrides) -> Mechanism:
    options = {"epsilon": 1.0, "count_share": 0.5, "min_group_size": 10, "delta": 1e-5,
               "sum_clip": 5000, "max_cells": 1}
    options.update(overrides)
    return Mechanism(**options)


def _outputs(contributions, mech: Mechanism, seed: int, cell: str = "Lyon") -> Counter:
    """DRAWS releases of one dataset. Bounding and totals are deterministic, so
    they are done once; all the randomness is in ``noisy_release``."""
    rng = random.Random(seed)
    true = totals(contributions, mech)
    assert release(contributions, mech, random.Random(seed)).cells == \
        noisy_release(true, mech, random.Random(seed)).cells
    seen: Counter = Counter()
    for _ in range(DRAWS):
        released = {item["segment"]: item for item in noisy_release(true, mech, rng).cells}
        item = released.get(cell)
        seen["suppressed" if item is None else (item["count"], item["sum"] // SUM_BUCKET)] += 1
    return seen


def _violations(first: Counter, second: Counter, epsilon: float, delta: float = 0.0) -> list:
    """Outputs whose frequencies break P1 <= e^eps P2 + delta beyond 3 sigma."""
    bound_factor = math.exp(epsilon)
    found = []
    for output in set(first) | set(second):
        p1, p2 = first[output] / DRAWS, second[output] / DRAWS
        sigma = math.sqrt(p1 * (1 - p1) / DRAWS + bound_factor**2 * p2 * (1 - p2) / DRAWS)
        for a, b, sa in ((p1, p2, sigma), (p2, p1, sigma)):
            if a > bound_factor * b + delta + 3 * sa + 1 / DRAWS:
                found.append((output, a, b))
    return found


def _datasets():
    base = [{"Lyon": 800} for _ in range(45)]
    # The neighbour has one more consumer, a big spender (clipped to 5000).
    return base, [*base, {"Lyon": 9000}]


def test_neighbouring_datasets_give_output_distributions_within_e_epsilon():
    first, second = _datasets()
    mech = mechanism()
    a, b = _outputs(first, mech, seed=11), _outputs(second, mech, seed=12)
    assert _violations(a, b, mech.epsilon) == []
    # The count alone uses half the budget: its own ratio stays within e^(eps/2),
    # and it really moves (the largest observed ratio is close to that bound).
    counts_a = Counter(output[0] for output in a.elements() if output != "suppressed")
    counts_b = Counter(output[0] for output in b.elements() if output != "suppressed")
    assert _violations(counts_a, counts_b, mech.epsilon_count) == []
    ratios = [counts_b[value] / counts_a[value] for value in counts_a
              if counts_a[value] > 500 and counts_b[value] > 500]
    assert max(ratios) > math.exp(mech.epsilon_count) * 0.8


def test_the_statistical_test_catches_a_mechanism_with_too_little_noise():
    first, second = _datasets()
    weak = mechanism(epsilon=4.0)  # a quarter of the noise
    a, b = _outputs(first, weak, seed=11), _outputs(second, weak, seed=12)
    assert _violations(a, b, epsilon=1.0) != []


def test_category_releases_bound_each_consumer_to_k_cells_and_the_clip():
    assert bound({"a": 4000, "b": 3000, "c": 2000, "d": 10}, max_cells=3, sum_clip=5000) == {
        "a": 2222, "b": 1666, "c": 1111}
    first = [{"food": 300, "travel": 200} for _ in range(150)]
    second = [*first, {"food": 5000, "travel": 5000, "fashion": 5000, "music": 5000}]
    mech = mechanism(max_cells=3)
    a = _outputs(first, mech, seed=21, cell="food")
    b = _outputs(second, mech, seed=22, cell="food")
    assert _violations(a, b, mech.epsilon) == []


def test_a_cell_under_the_minimum_group_size_is_never_released():
    mech = mechanism(delta=0.4)  # a tiny margin: only the true-count rule stands in the way
    rng = random.Random(5)
    for _ in range(5000):
        result = release([{"Paris": 100}] * 9 + [{"Lyon": 100}] * 30, mech, rng)
        assert [item["segment"] for item in result.cells] in ([], ["Lyon"])
        assert result.suppressed >= 1


def test_at_the_threshold_a_cell_appears_with_probability_below_delta():
    mech = mechanism(delta=0.05)
    assert mech.release_threshold == 10 + math.ceil(2 * math.log(1 / 0.05))
    rng = random.Random(9)
    at_threshold = sum(bool(release([{"Lyon": 1}] * 10, mech, rng).cells) for _ in range(DRAWS))
    assert at_threshold / DRAWS <= 0.05
    below = sum(bool(release([{"Lyon": 1}] * 9, mech, rng).cells) for _ in range(DRAWS))
    assert below == 0


def test_discrete_laplace_has_the_right_shape():
    rng = random.Random(3)
    scale = 2.0
    draws = Counter(discrete_laplace(scale, rng) for _ in range(100_000))
    alpha = math.exp(-1 / scale)
    for value in range(-4, 5):
        expected = (1 - alpha) / (1 + alpha) * alpha ** abs(value)
        assert abs(draws[value] / 100_000 - expected) < 0.005
    assert all(isinstance(value, int) for value in draws)


@pytest.mark.parametrize("options", [
    {"epsilon": 0}, {"count_share": 1.0}, {"delta": 0}, {"min_group_size": 1}, {"max_cells": 0},
])
def test_unsafe_parameters_are_refused(options):
    with pytest.raises(ValueError, match="must|delta"):
        mechanism(**options)

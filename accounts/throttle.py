"""Log-in throttling: an attempt is counted before its password (or code) is
checked, never after.

``attempt_reserve`` takes one unit of each budget the attempt draws on with an
atomic cache increment (``cache.add`` then ``cache.incr``), before anything is
checked; a budget found over its limit refuses the attempt and gives its unit
back. So however many requests arrive at once, no more checks run than the
budgets allow. The caller then settles the attempt: ``failed()`` keeps the
units (they are the failures), ``succeeded()`` forgets the account's failures,
``release()`` gives the units back (nothing was guessed: the check was not a
guess, or did not happen). Counters are keyed by keyed digests, never by the
e-mail or the address themselves.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from django.core.cache import cache

from vault.crypto import blind_index

from .conf import accounts_settings


@dataclass(frozen=True)
class _Budget:
    key: str
    limit: int
    # Forgotten when the password turns out right (the account's own budget).
    reset_on_success: bool


@dataclass
class Attempt:
    allowed: bool
    retry_after: int = 0
    _budgets: list[_Budget] = field(default_factory=list)
    _settled: bool = False

    def failed(self) -> None:
        """The password or code was wrong: the reserved units stay counted."""
        self._settled = True

    def succeeded(self) -> None:
        """The password or code was right: forget the account's failures."""
        if self._settled:
            return
        self._settled = True
        for budget in self._budgets:
            if budget.reset_on_success:
                cache.delete(budget.key)
            else:
                _give_back(budget.key)

    def release(self) -> None:
        """Nothing was guessed: give the reserved units back."""
        if self._settled:
            return
        self._settled = True
        for budget in self._budgets:
            _give_back(budget.key)


def _give_back(key: str) -> None:
    with contextlib.suppress(ValueError):  # expired meanwhile: nothing to give back
        cache.decr(key)


def _take(key: str, window: int) -> int:
    """Atomically count one more attempt on ``key``; the new count."""
    while True:
        cache.add(key, 0, timeout=window)
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr: start again
            continue


def _budgets(email: str, client_ip: str) -> list[_Budget]:
    limit = int(accounts_settings.LOGIN_MAX_FAILURES)
    account = blind_index(email.strip().lower(), purpose="login-throttle")
    address = blind_index(client_ip or "unknown", purpose="login-throttle-ip")
    return [
        _Budget(f"login-fail:acct:{account}", limit, reset_on_success=True),
        _Budget(f"login-fail:ip:{address}", limit * 4, reset_on_success=False),
    ]


def attempt_reserve(*, email: str, client_ip: str) -> Attempt:
    """Reserve one log-in attempt for ``email`` from ``client_ip``, before any check."""
    window = int(accounts_settings.LOGIN_WINDOW_SECONDS)
    taken: list[_Budget] = []
    for budget in _budgets(email, client_ip):
        count = _take(budget.key, window)
        taken.append(budget)
        if count > budget.limit:
            refused = Attempt(False, retry_after=window, _budgets=taken)
            refused.release()
            return refused
    return Attempt(True, _budgets=taken)

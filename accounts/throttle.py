"""Log-in throttling (docs/security.md, "Log-in throttling").

Every check of a password or a second-factor code draws on three budgets of
failures, each a counter in the shared cache keyed by a keyed digest (never the
e-mail or the address themselves):

- this account from this client address (``LOGIN_MAX_FAILURES``): the owner's
  own typos and one attacker guessing one account;
- this account from every address (``LOGIN_ACCOUNT_MAX_FAILURES``): one
  password guessed from many addresses;
- this client address against every account (``LOGIN_ADDRESS_MAX_FAILURES``):
  credential stuffing. IPv6 addresses count by /64, what one subscriber holds.

A budget never locks: once its free failures are used, attempts go one at a
time, each after a wait that doubles (``LOGIN_BACKOFF_SECONDS``, 2 s, then 4, 8,
… up to ``LOGIN_BACKOFF_MAX_SECONDS``). A right password (with its code) forgets
the account's failures.

An attempt is counted before anything is checked, never after:
``attempt_reserve`` takes one unit of each budget with an atomic cache
increment (``cache.add`` then ``cache.incr``); past the free failures it must
also take the budget's gate, a cache key added atomically (``cache.add``) that
stays for the wait. A budget that refuses gives its unit back. So however many
requests arrive at once, no more checks run than the budgets allow. The caller
settles the attempt: ``failed()`` keeps the units (they are the failures),
``succeeded()`` forgets the account's failures, ``release()`` gives everything
back (nothing was guessed).
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import time
from dataclasses import dataclass, field

from django.core.cache import cache

from vault.crypto import blind_index

from .conf import accounts_settings


@dataclass(frozen=True)
class _Budget:
    key: str
    free: int
    # Forgotten when the password (and code) turn out right: the account's budgets.
    reset_on_success: bool

    @property
    def gate(self) -> str:
        return f"{self.key}:gate"


@dataclass
class _Taken:
    budget: _Budget
    took_gate: bool


@dataclass
class Attempt:
    allowed: bool
    retry_after: int = 0
    _taken: list[_Taken] = field(default_factory=list)
    _settled: bool = False

    def failed(self) -> None:
        """The password or code was wrong: the reserved units (and waits) stay."""
        self._settled = True

    def succeeded(self) -> None:
        """The password or code was right: forget the account's failures."""
        if self._settled:
            return
        self._settled = True
        for taken in self._taken:
            if taken.budget.reset_on_success:
                cache.delete_many([taken.budget.key, taken.budget.gate])
            else:
                _give_back(taken)

    def release(self) -> None:
        """Nothing was guessed: give the units back, and open any gate it took."""
        if self._settled:
            return
        self._settled = True
        for taken in self._taken:
            _give_back(taken)


def _give_back(taken: _Taken) -> None:
    with contextlib.suppress(ValueError):  # expired meanwhile: nothing to give back
        cache.decr(taken.budget.key)
    if taken.took_gate:
        # Nobody else could take the gate while this attempt held it: it was open before.
        cache.delete(taken.budget.gate)


def _lifetime() -> int:
    return max(int(accounts_settings.LOGIN_WINDOW_SECONDS),
               2 * int(accounts_settings.LOGIN_BACKOFF_MAX_SECONDS))


def _take_unit(key: str, lifetime: int) -> int:
    """Atomically count one more attempt on ``key``; the new count."""
    while True:
        cache.add(key, 0, timeout=lifetime)
        try:
            count = int(cache.incr(key))
        except ValueError:  # expired between add and incr: start again
            continue
        cache.touch(key, lifetime)
        return count


def _wait(past_free: int) -> int:
    """The wait after an attempt made ``past_free`` attempts past the free ones."""
    base = max(1, int(accounts_settings.LOGIN_BACKOFF_SECONDS))
    cap = max(base, int(accounts_settings.LOGIN_BACKOFF_MAX_SECONDS))
    return min(cap, base * 2 ** min(past_free, 32))


def _reserve(budget: _Budget, lifetime: int, now: float) -> tuple[_Taken | None, int]:
    """Take one unit of ``budget``: (what was taken, 0), or (None, seconds to wait)."""
    count = _take_unit(budget.key, lifetime)
    if count < budget.free:
        return _Taken(budget, took_gate=False), 0
    # The last free attempt and every one after it: one at a time, and each
    # makes the next wait (the gate stays that long).
    wait = _wait(count - budget.free)
    if cache.add(budget.gate, now + wait, timeout=wait):
        return _Taken(budget, took_gate=True), 0
    with contextlib.suppress(ValueError):
        cache.decr(budget.key)
    opens_at = cache.get(budget.gate)
    return None, max(1, math.ceil(opens_at - now)) if opens_at else 1


def address_bucket(client_ip: str) -> str:
    """What one client holds: its IPv4 address, or the /64 of its IPv6 address."""
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _budgets(email: str, client_ip: str) -> list[_Budget]:
    account = email.strip().lower()
    address = address_bucket(client_ip)
    settings = accounts_settings
    return [
        _Budget("login:pair:" + blind_index(f"{account}|{address}", purpose="login-throttle-pair"),
                int(settings.LOGIN_MAX_FAILURES), reset_on_success=True),
        _Budget("login:account:" + blind_index(account, purpose="login-throttle"),
                int(settings.LOGIN_ACCOUNT_MAX_FAILURES), reset_on_success=True),
        _Budget("login:address:" + blind_index(address, purpose="login-throttle-ip"),
                int(settings.LOGIN_ADDRESS_MAX_FAILURES), reset_on_success=False),
    ]


def attempt_reserve(*, email: str, client_ip: str) -> Attempt:
    """Reserve one check of ``email``'s password or code from ``client_ip``,
    before checking anything."""
    lifetime = _lifetime()
    now = time.time()
    taken: list[_Taken] = []
    for budget in _budgets(email, client_ip):
        took, wait = _reserve(budget, lifetime, now)
        if took is None:
            refused = Attempt(False, retry_after=wait, _taken=taken)
            refused.release()
            return refused
        taken.append(took)
    return Attempt(True, _taken=taken)


def attempts_forget(*, email: str, client_ip: str) -> None:
    """Forget the account's failures (its e-mail was just proven, e.g. by a
    password reset), leaving the address's own budget as it is."""
    for budget in _budgets(email, client_ip):
        if budget.reset_on_success:
            cache.delete_many([budget.key, budget.gate])

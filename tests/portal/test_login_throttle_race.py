"""The log-in throttle under concurrent requests: an attempt is counted before
its password is checked, so many requests at once get no more password checks
than the limit allows."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import override_settings

from accounts.models import User
from accounts.services import login_password_check

CONCURRENT = 40
LIMIT = 5


@pytest.mark.django_db(transaction=True)
@override_settings(ACCOUNTS={"LOGIN_MAX_FAILURES": LIMIT, "LOGIN_BACKOFF_SECONDS": 30})
def test_forty_concurrent_wrong_passwords_get_at_most_the_limit_of_checks(
    make_consumer, monkeypatch
) -> None:
    user = make_consumer(email="raced@example.test")
    email = user.email
    checks: list[str] = []
    check_password = User.check_password

    def slow_counted_check(self: User, raw_password: str) -> bool:
        checks.append(raw_password)
        time.sleep(0.05)  # a real hash takes this long: the window a race needs
        return check_password(self, raw_password)

    monkeypatch.setattr(User, "check_password", slow_counted_check)
    start = threading.Barrier(CONCURRENT)

    def attempt(number: int) -> str:
        start.wait()
        try:
            return login_password_check(email=email, password=f"wrong-guess-{number}",
                                        client_ip="203.0.113.9").status
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
        statuses = list(pool.map(attempt, range(CONCURRENT)))

    assert len(checks) <= LIMIT
    assert statuses.count("denied") == len(checks)
    assert statuses.count("throttled") == CONCURRENT - len(checks)

"""Guessing passwords: each account × address gets a few free failures, then
must wait longer and longer (exponential back-off); one address guessing across
accounts and one account guessed from many addresses are slowed too. Nobody is
locked out for long by someone else's failures, and behind a trusted proxy each
client is told apart by its forwarded address."""

from __future__ import annotations

import time

import pytest
from django.test import Client, override_settings

from accounts.models import User
from accounts.services import login_password_check
from tests.factories.accounts import PASSWORD

from .conftest import log_in

pytestmark = pytest.mark.django_db

# A first wait long enough that it cannot run out in the middle of a test.
LIMIT = {"LOGIN_MAX_FAILURES": 3, "LOGIN_WINDOW_SECONDS": 600, "LOGIN_BACKOFF_SECONDS": 30}
PROXY = "10.0.0.7"
GUESS = "guess-guess-guess"
BEHIND_PROXY = {"TRUSTED_PROXIES": ["10.0.0.0/8"]}


def _via_proxy(client_address: str) -> Client:
    """A browser whose requests reach Sillage through the load balancer."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


@override_settings(ACCOUNTS=LIMIT)
def test_repeated_failures_answer_429_even_for_the_right_password(
    client: Client, consumer: User
) -> None:
    for _attempt in range(3):
        assert log_in(client, consumer.email, "guess-guess-guess").status_code == 200

    response = log_in(client, consumer.email, PASSWORD)

    assert response.status_code == 429
    assert 29 <= int(response["Retry-After"]) <= 30
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(ACCOUNTS=LIMIT)
def test_one_address_guessing_many_accounts_is_throttled_too(
    client: Client, make_consumer
) -> None:
    victims = [make_consumer() for _ in range(21)]

    statuses = [log_in(client, victim.email, "guess-guess-guess").status_code for victim in victims]

    # Each account has its own budget; the address has a looser one across accounts.
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429


@override_settings(ACCOUNTS=LIMIT)
def test_an_attacker_does_not_lock_the_owner_out(consumer: User) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _attempt in range(4):
        log_in(attacker, consumer.email, "guess-guess-guess")

    owner = Client(REMOTE_ADDR="198.51.100.7")
    response = log_in(owner, consumer.email, PASSWORD)

    assert log_in(attacker, consumer.email, PASSWORD).status_code == 429
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(consumer.pk)


@override_settings(ACCOUNTS=LIMIT, CORE=BEHIND_PROXY)
def test_behind_the_load_balancer_one_persons_failures_do_not_lock_out_everyone(
    make_consumer,
) -> None:
    owner_account = make_consumer()
    attacker = _via_proxy("203.0.113.9")
    for victim in [make_consumer() for _ in range(25)]:
        log_in(attacker, victim.email, "guess-guess-guess")

    response = log_in(_via_proxy("198.51.100.7"), owner_account.email, PASSWORD)

    assert log_in(attacker, owner_account.email, PASSWORD).status_code == 429
    assert response.status_code == 302


@override_settings(ACCOUNTS=LIMIT)
def test_a_forged_forwarded_address_from_an_untrusted_peer_is_ignored(consumer: User) -> None:
    statuses = [
        log_in(Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"),
               consumer.email, "guess-guess-guess").status_code
        for n in range(4)
    ]

    assert statuses == [200, 200, 200, 429]


@override_settings(ACCOUNTS=LIMIT, CORE=BEHIND_PROXY)
def test_a_forged_address_left_of_the_proxys_own_entry_is_ignored(consumer: User) -> None:
    statuses = [
        log_in(_via_proxy(f"192.0.2.{n}, 203.0.113.9"), consumer.email,
               "guess-guess-guess").status_code
        for n in range(4)
    ]

    assert statuses == [200, 200, 200, 429]


@override_settings(ACCOUNTS={**LIMIT, "LOGIN_BACKOFF_SECONDS": 2})
def test_after_the_free_failures_each_attempt_waits_twice_as_long(consumer: User) -> None:
    def attempt() -> tuple[str, int]:
        outcome = login_password_check(email=consumer.email, password=GUESS,
                                       client_ip="203.0.113.9")
        return outcome.status, outcome.retry_after

    free = [attempt()[0] for _ in range(3)]
    first_wait = attempt()
    time.sleep(first_wait[1] + 0.05)
    after_first_wait = attempt()
    second_wait = attempt()

    assert free == ["denied"] * 3
    assert first_wait[0] == "throttled"
    assert 1 <= first_wait[1] <= 2
    assert after_first_wait[0] == "denied"
    assert second_wait[0] == "throttled"
    assert 3 <= second_wait[1] <= 4


@override_settings(ACCOUNTS={**LIMIT, "LOGIN_ACCOUNT_MAX_FAILURES": 6,
                             "LOGIN_BACKOFF_SECONDS": 2})
def test_an_account_guessed_from_many_addresses_is_slowed_not_locked(consumer: User) -> None:
    def attempt(address: str, password: str = GUESS) -> tuple[str, int]:
        outcome = login_password_check(email=consumer.email, password=password,
                                       client_ip=address)
        return outcome.status, outcome.retry_after

    spread = [attempt(f"203.0.113.{n}")[0] for n in range(6)]
    slowed = attempt("198.51.100.7", PASSWORD)
    time.sleep(slowed[1] + 0.05)
    later = attempt("198.51.100.7", PASSWORD)

    assert spread == ["denied"] * 6
    assert slowed[0] == "throttled"
    assert 1 <= slowed[1] <= 2
    assert later[0] == "ok"


@override_settings(ACCOUNTS={**LIMIT, "LOGIN_ADDRESS_MAX_FAILURES": 4})
def test_ipv6_addresses_of_one_network_share_the_address_budget(make_consumer) -> None:
    statuses = [
        login_password_check(email=make_consumer().email, password="guess-guess-guess",
                             client_ip=f"2001:db8:1:2::{n:x}").status
        for n in range(5)
    ]

    # One /64 is one subscriber: rotating through it buys no extra guesses.
    assert statuses == ["denied"] * 4 + ["throttled"]


@override_settings(ACCOUNTS=LIMIT)
def test_a_password_reset_lets_the_owner_in_at_once(client: Client, consumer: User) -> None:
    import re

    from django.core import mail

    for _attempt in range(4):
        log_in(client, consumer.email, GUESS)
    client.post("/accounts/password/reset/", {"email": consumer.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", mail.outbox[-1].body)
    assert link
    set_url = client.get(link.group(1), follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "another-Long-passphrase-7",
                          "new_password2": "another-Long-passphrase-7"})

    response = log_in(client, consumer.email, "another-Long-passphrase-7")

    assert response.status_code == 302

"""Guessing passwords: after a few failures the site stops checking and says so (429)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from accounts.models import User
from tests.factories.accounts import PASSWORD

from .conftest import log_in

pytestmark = pytest.mark.django_db

LIMIT = {"LOGIN_MAX_FAILURES": 3, "LOGIN_WINDOW_SECONDS": 600, "TOTP_ISSUER": "Sillage"}


@override_settings(ACCOUNTS=LIMIT)
def test_repeated_failures_answer_429_even_for_the_right_password(
    client: Client, consumer: User
) -> None:
    for _attempt in range(3):
        assert log_in(client, consumer.email, "guess-guess-guess").status_code == 200

    response = log_in(client, consumer.email, PASSWORD)

    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(ACCOUNTS=LIMIT)
def test_one_address_guessing_many_accounts_is_throttled_too(
    client: Client, make_consumer
) -> None:
    victims = [make_consumer() for _ in range(13)]

    statuses = [log_in(client, victim.email, "guess-guess-guess").status_code for victim in victims]

    # Each account has its own budget, but the address gets four times the limit.
    assert statuses[:12] == [200] * 12
    assert statuses[12] == 429


@override_settings(ACCOUNTS=LIMIT)
def test_an_account_under_attack_pauses_for_every_address(
    consumer: User,
) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _attempt in range(3):
        log_in(attacker, consumer.email, "guess-guess-guess")

    owner = Client(REMOTE_ADDR="198.51.100.7")
    response = log_in(owner, consumer.email, PASSWORD)

    # Switching address does not buy an attacker more guesses at one account;
    # the owner is told why and can reset the password meanwhile.
    assert response.status_code == 429

"""TOTP second factor: enrolment through the account page, and a log-in that
is not complete until a fresh code (or an unused recovery code) is given."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client

from accounts.models import User
from accounts.services import recovery_code_use, totp_secret
from tests.factories.accounts import PASSWORD, enable_two_factor, totp_code

from .conftest import log_in

pytestmark = pytest.mark.django_db


def _logged_in_as(client: Client) -> object:
    return client.get("/accounts/").wsgi_request.user


def test_enrolment_shows_a_qr_code_then_recovery_codes_once(
    client: Client, consumer: User
) -> None:
    client.force_login(consumer)

    started = client.post("/accounts/2fa/", {"action": "begin"})
    page = client.get("/accounts/2fa/").content.decode()
    consumer.refresh_from_db()
    secret = totp_secret(consumer)
    confirmed = client.post("/accounts/2fa/",
                            {"action": "confirm", "code": totp_code(user=consumer)})

    assert started.status_code == 302
    assert "<svg" in page
    assert 'aria-label="QR code for your authenticator app"' in page
    assert secret is not None
    assert secret[:4] in page
    assert "otpauth://totp/" in page
    assert confirmed.status_code == 200
    codes = confirmed.context["codes"]
    assert len(codes) == 10
    assert all(code in confirmed.content.decode() for code in codes)
    consumer.refresh_from_db()
    assert consumer.two_factor_enabled
    # Shown once: the set-up page now sends back to the account page.
    assert client.get("/accounts/2fa/").status_code == 302


def test_enrolment_refuses_a_wrong_code_and_leaves_2fa_off(client: Client, consumer: User) -> None:
    client.force_login(consumer)
    client.post("/accounts/2fa/", {"action": "begin"})

    response = client.post("/accounts/2fa/", {"action": "confirm", "code": "000000"})

    assert response.status_code == 200
    assert "That code does not match" in response.content.decode()
    consumer.refresh_from_db()
    assert not consumer.two_factor_enabled


def test_with_2fa_on_the_password_alone_does_not_log_in(client: Client, consumer: User) -> None:
    enable_two_factor(user=consumer)

    response = log_in(client, consumer.email)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/verify/"
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_the_right_code_completes_the_login(client: Client, consumer: User) -> None:
    enable_two_factor(user=consumer)
    log_in(client, consumer.email)

    response = client.post("/accounts/login/verify/", {"code": totp_code(user=consumer)})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _logged_in_as(client) == consumer


def test_a_wrong_code_is_refused(client: Client, consumer: User) -> None:
    enable_two_factor(user=consumer)
    log_in(client, consumer.email)

    response = client.post("/accounts/login/verify/", {"code": "123456"})

    assert response.status_code == 200
    assert "That code is not valid" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_replayed_code_is_refused(client: Client, consumer: User) -> None:
    enable_two_factor(user=consumer)
    code = totp_code(user=consumer)
    log_in(client, consumer.email)
    client.post("/accounts/login/verify/", {"code": code})
    client.post("/accounts/logout/")

    eavesdropper = Client()
    log_in(eavesdropper, consumer.email)
    response = eavesdropper.post("/accounts/login/verify/", {"code": code})

    assert response.status_code == 200
    assert "_auth_user_id" not in eavesdropper.session


def test_a_recovery_code_logs_in_once(client: Client, consumer: User) -> None:
    codes = enable_two_factor(user=consumer)
    log_in(client, consumer.email)

    first = client.post("/accounts/login/verify/", {"code": codes[3].upper()})
    client.post("/accounts/logout/")
    log_in(client, consumer.email)
    second = client.post("/accounts/login/verify/", {"code": codes[3]})

    assert first.status_code == 302
    assert second.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_code_page_without_a_password_first_goes_back_to_login(
    client: Client, consumer: User
) -> None:
    enable_two_factor(user=consumer)

    response = client.post("/accounts/login/verify/", {"code": totp_code(user=consumer)})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_too_many_wrong_codes_end_the_pending_login(client: Client, consumer: User) -> None:
    enable_two_factor(user=consumer)
    log_in(client, consumer.email)

    for _attempt in range(4):
        assert client.post("/accounts/login/verify/", {"code": "111111"}).status_code == 200
    fifth = client.post("/accounts/login/verify/", {"code": "111111"})
    after = client.post("/accounts/login/verify/", {"code": totp_code(user=consumer)})

    assert fifth.status_code == 302
    assert fifth["Location"] == "/accounts/login/"
    assert after["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_a_pending_login_expires(client: Client, consumer: User, monkeypatch) -> None:
    enable_two_factor(user=consumer)
    log_in(client, consumer.email)
    later = time.time() + 301
    monkeypatch.setattr("accounts.views.time.time", lambda: later)

    response = client.post("/accounts/login/verify/", {"code": totp_code(user=consumer)})

    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_turning_2fa_off_needs_the_password(client: Client, consumer: User) -> None:
    enable_two_factor(user=consumer)
    client.force_login(consumer)

    refused = client.post("/accounts/", {"action": "totp_disable", "password": "wrong-password"})
    consumer.refresh_from_db()
    still_on = consumer.two_factor_enabled
    accepted = client.post("/accounts/", {"action": "totp_disable", "password": PASSWORD})
    consumer.refresh_from_db()

    assert refused.status_code == 400
    assert "That password is not right." in refused.content.decode()
    assert still_on
    assert accepted.status_code == 302
    assert not consumer.two_factor_enabled


def test_the_account_page_counts_unused_recovery_codes(client: Client, consumer: User) -> None:
    codes = enable_two_factor(user=consumer)
    client.force_login(consumer)

    recovery_code_use(user=consumer, code=codes[0])
    html = client.get("/accounts/").content.decode()

    assert re.search(r"You have 9 unused recovery codes left", html)

"""The admin site has no log-in of its own: every way into a session goes
through the accounts log-in (password, throttle, second factor, audit), and the
admin opens only for staff whose session passed the second factor."""

from __future__ import annotations

import base64

import pytest
from django.test import Client, override_settings

from accounts.models import User
from audit.models import AuditEvent
from tests.factories.accounts import PASSWORD, create_account, enable_two_factor, totp_code

from .conftest import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db) -> User:
    return create_account(email="ops@sillage.test", role=User.Role.STAFF, is_superuser=True)


def _denied_logins(user: User) -> int:
    return AuditEvent.objects.filter(
        action="auth.login", outcome="denied", subject=str(user.vault.subject)
    ).count()


def test_the_admin_login_form_with_the_password_alone_opens_nothing(
    client: Client, staff: User
) -> None:
    enable_two_factor(user=staff)

    client.post("/admin/login/?next=/admin/",
                {"username": staff.email, "password": PASSWORD, "next": "/admin/"})

    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    assert client.get("/").status_code == 302


def test_the_admin_login_page_sends_to_the_accounts_login(client: Client) -> None:
    to_admin_login = client.get("/admin/")
    to_accounts_login = client.get(to_admin_login["Location"])

    assert to_admin_login.status_code == 302
    assert to_accounts_login.status_code == 302
    assert to_accounts_login["Location"] == "/accounts/login/?next=/admin/"


def test_the_admin_opens_after_the_password_and_the_code(client: Client, staff: User) -> None:
    enable_two_factor(user=staff)

    asked = client.post("/accounts/login/?next=/admin/",
                        {"email": staff.email, "password": PASSWORD})
    verified = client.post("/accounts/login/verify/", {"code": totp_code(user=staff)})

    assert asked["Location"] == "/accounts/login/verify/"
    assert verified["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.login", outcome="allowed",
                                     subject=str(staff.vault.subject)).exists()


def test_a_staff_session_without_the_second_factor_does_not_open_the_admin(
    client: Client, staff: User
) -> None:
    enable_two_factor(user=staff)
    # A session made some other way than the accounts log-in (here, the test
    # client's shortcut) has not passed the second factor.
    client.force_login(staff)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert client.get("/admin/audit/auditevent/").status_code == 302


@override_settings(ACCOUNTS={"LOGIN_BACKOFF_SECONDS": 30})
def test_wrong_passwords_at_the_admin_login_are_throttled_and_audited(
    client: Client, staff: User
) -> None:
    enable_two_factor(user=staff)

    statuses = [
        client.post("/admin/login/", {"username": staff.email,
                                      "password": f"wrong-guess-{attempt}"}).status_code
        for attempt in range(8)
    ]

    assert statuses[:5] == [200] * 5
    assert set(statuses[5:]) == {429}
    assert _denied_logins(staff) == 5
    assert "_auth_user_id" not in client.session


def test_staff_without_two_factor_are_sent_to_turn_it_on(client: Client, staff: User) -> None:
    log_in(client, staff.email)

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/2fa/"
    assert "two-factor authentication" in response.content.decode()
    assert client.get("/admin/audit/auditevent/").status_code == 302


def test_a_consumer_who_passed_the_second_factor_does_not_open_the_admin(
    client: Client, consumer: User
) -> None:
    enable_two_factor(user=consumer)
    log_in(client, consumer.email)
    client.post("/accounts/login/verify/", {"code": totp_code(user=consumer)})

    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/audit/auditevent/").status_code == 302


def test_no_password_is_checked_outside_the_accounts_login(client: Client, consumer: User) -> None:
    from django.contrib.auth import authenticate

    # What a third-party log-in form or DRF's HTTP Basic authentication would
    # call: it finds nobody, so it cannot serve as an unthrottled password oracle.
    assert authenticate(username=consumer.email, password=PASSWORD) is None
    assert authenticate(email=consumer.email, password=PASSWORD) is None
    right = base64.b64encode(f"{consumer.email}:{PASSWORD}".encode()).decode()
    wrong = base64.b64encode(f"{consumer.email}:not-the-password".encode()).decode()
    answers = [client.get("/api/schema/", HTTP_AUTHORIZATION=f"Basic {credentials}").status_code
               for credentials in (right, wrong)]
    assert answers[0] == answers[1]


def test_the_admin_has_no_password_change_of_its_own(client: Client, staff: User) -> None:
    enable_two_factor(user=staff)
    client.post("/accounts/login/?next=/admin/", {"email": staff.email, "password": PASSWORD})
    client.post("/accounts/login/verify/", {"code": totp_code(user=staff)})

    response = client.get("/admin/password_change/")

    # Passwords change on the account page: old one checked, throttled, audited.
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"

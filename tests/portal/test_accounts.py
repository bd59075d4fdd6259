"""Sign up, log in and log out, as a visitor does it through the site."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client, override_settings

from accounts.models import User, email_digest
from tests.factories.accounts import PASSWORD

from .conftest import log_in

pytestmark = pytest.mark.django_db


def test_signup_then_the_mailed_link_then_log_in_lands_on_the_dashboard(client: Client) -> None:
    response = client.post(
        "/accounts/signup/",
        {"email": "Nina.Roux@Example.test", "password": PASSWORD, "password_confirm": PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/done/"
    user = User.objects.get(email_index=email_digest("nina.roux@example.test"))
    assert user.email == "Nina.Roux@Example.test"
    assert "_auth_user_id" not in client.session
    (message,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/accounts/verify/[^\s]+/)", message.body)
    assert link
    assert client.get(link.group(1))["Location"] == "/accounts/login/"
    assert log_in(client, "nina.roux@example.test")["Location"] == "/"
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert dashboard.wsgi_request.user == user


@pytest.mark.parametrize(
    ("password", "confirm", "field", "message"),
    [
        (PASSWORD, PASSWORD + "x", "password_confirm", "The two passwords do not match."),
        ("short", "short", "password", "at least 10 characters"),
        ("1234567890123", "1234567890123", "password", "entirely numeric"),
    ],
)
def test_signup_refuses_bad_passwords_and_creates_nothing(
    client: Client, password: str, confirm: str, field: str, message: str
) -> None:
    response = client.post(
        "/accounts/signup/",
        {"email": "nina@example.test", "password": password, "password_confirm": confirm},
    )

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session


def test_signup_with_an_email_already_in_use_says_nothing_about_it(
    client: Client, consumer: User
) -> None:
    response = client.post(
        "/accounts/signup/",
        {"email": "CAMILLE.durand@example.test", "password": PASSWORD,
         "password_confirm": PASSWORD},
    )

    # The same answer as for a new address; only the address's owner is told, by e-mail.
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/done/"
    assert User.objects.count() == 1
    assert mail.outbox[0].to == [consumer.email]


def test_login_page_has_labelled_email_and_password_fields(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()

    assert re.search(r'<label for="id_email">E-mail', html)
    assert re.search(r'<label for="id_password">Password', html)
    assert 'name="email"' in html
    assert 'name="password"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_login_with_the_right_password_opens_the_dashboard(client: Client, consumer: User) -> None:
    response = log_in(client, "Camille.Durand@example.test")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").wsgi_request.user == consumer


def test_login_with_a_wrong_password_says_so_without_naming_which_part(
    client: Client, consumer: User
) -> None:
    wrong_password = log_in(client, consumer.email, "not-the-password")
    unknown_email = log_in(client, "nobody@example.test")

    for response in (wrong_password, unknown_email):
        assert response.status_code == 200
        assert "That e-mail and password do not match an account." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_follows_a_local_next_but_never_an_outside_one(client: Client, consumer: User) -> None:
    local = client.post("/accounts/login/?next=/vault/",
                        {"email": consumer.email, "password": PASSWORD})
    client.post("/accounts/logout/")
    outside = client.post("/accounts/login/",
                          {"email": consumer.email, "password": PASSWORD,
                           "next": "https://evil.example/steal"})

    assert local["Location"] == "/vault/"
    assert outside["Location"] == "/"


def test_anonymous_visitors_are_sent_to_login(client: Client) -> None:
    for path in ("/", "/vault/", "/vault/identity/", "/vault/import/", "/vault/export/",
                 "/accounts/", "/accounts/delete/", "/accounts/2fa/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next="), path


def test_logout_is_a_post_a_get_only_asks(client: Client, consumer: User) -> None:
    client.force_login(consumer)

    asked = client.get("/accounts/logout/")
    assert asked.status_code == 200
    assert client.get("/").status_code == 200

    done = client.post("/accounts/logout/")
    assert done.status_code == 302
    assert client.get("/").status_code == 302


def test_forms_without_a_csrf_token_are_refused(consumer: User) -> None:
    strict = Client(enforce_csrf_checks=True)

    response = strict.post("/accounts/login/", {"email": consumer.email, "password": PASSWORD})

    assert response.status_code == 403
    assert "_auth_user_id" not in strict.session


def test_changing_the_password_needs_the_old_one(client: Client, consumer: User) -> None:
    client.force_login(consumer)
    new = "a-brand-new-Passphrase-9"

    refused = client.post("/accounts/", {"action": "password", "old_password": "wrong-one-xx",
                                         "new_password1": new, "new_password2": new})
    changed = client.post("/accounts/", {"action": "password", "old_password": PASSWORD,
                                         "new_password1": new, "new_password2": new})

    assert refused.status_code == 400
    assert "old_password" in refused.context["password_form"].errors
    assert changed.status_code == 302
    consumer.refresh_from_db()
    assert consumer.check_password(new)
    # The session survives its own password change.
    assert client.get("/accounts/").status_code == 200


@override_settings(ACCOUNTS={"LOGIN_MAX_FAILURES": 2, "LOGIN_WINDOW_SECONDS": 600,
                           "LOGIN_BACKOFF_SECONDS": 30})
def test_a_stolen_session_cannot_guess_the_password_through_the_account_page(
    client: Client, consumer: User
) -> None:
    client.force_login(consumer)
    guess = {"action": "password", "old_password": "guess-guess-1",
             "new_password1": "x-Long-enough-pass-1", "new_password2": "x-Long-enough-pass-1"}

    statuses = [client.post("/accounts/", guess).status_code for _ in range(3)]
    right = client.post("/accounts/", {**guess, "old_password": PASSWORD})

    assert statuses == [400, 400, 429]
    assert right.status_code == 429
    consumer.refresh_from_db()
    assert consumer.check_password(PASSWORD)

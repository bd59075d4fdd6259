"""Sign-up never says whether an address already has an account, and a new
account is usable only once its address is confirmed through a signed,
time-limited link sent to it."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User, email_digest
from audit.models import AuditEvent
from tests.factories.accounts import PASSWORD

from .conftest import log_in

pytestmark = pytest.mark.django_db

OTHER_PASSWORD = "someone-Elses-passphrase-3"


def sign_up(client: Client, email: str, password: str = PASSWORD):
    return client.post("/accounts/signup/",
                       {"email": email, "password": password, "password_confirm": password})


def confirmation_link(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/verify/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _page_text(response) -> str:
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return html


def test_signup_answers_the_same_whether_or_not_the_address_has_an_account(
    consumer: User,
) -> None:
    new, known = Client(), Client()

    new_answer = sign_up(new, "nina.roux@example.test")
    known_answer = sign_up(known, "CAMILLE.durand@example.test")

    assert new_answer.status_code == known_answer.status_code == 302
    assert new_answer["Location"] == known_answer["Location"] == "/accounts/signup/done/"
    new_page, known_page = new.get(new_answer["Location"]), known.get(known_answer["Location"])
    assert _page_text(new_page) == _page_text(known_page)
    assert "Check your e-mail" in new_page.content.decode()
    assert "already" not in known_page.content.decode()


def test_signup_with_a_known_address_mails_its_owner_and_changes_nothing(
    client: Client, consumer: User
) -> None:
    sign_up(client, consumer.email, OTHER_PASSWORD)

    assert User.objects.count() == 1
    consumer.refresh_from_db()
    assert consumer.check_password(PASSWORD)
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [consumer.email]
    assert "already has a Sillage account" in mail.outbox[0].body
    assert "/accounts/verify/" not in mail.outbox[0].body


def test_a_new_account_cannot_log_in_before_its_address_is_confirmed(client: Client) -> None:
    sign_up(client, "Nina.Roux@Example.test")

    user = User.objects.get(email_index=email_digest("nina.roux@example.test"))
    assert not user.email_verified
    assert "_auth_user_id" not in client.session
    response = log_in(client, "nina.roux@example.test")

    assert response.status_code == 200
    assert "Confirm your e-mail address first" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302
    # A fresh link is sent with the refusal.
    assert len(mail.outbox) == 2
    denied = AuditEvent.objects.get(action="auth.login", outcome="denied",
                                    subject=str(user.vault.subject))
    assert denied.detail == {"reason": "e-mail not verified"}


def test_the_link_confirms_the_address_then_the_password_logs_in(client: Client) -> None:
    sign_up(client, "Nina.Roux@Example.test")
    message = mail.outbox[0]

    confirmed = client.get(confirmation_link(message), follow=True)
    logged_in = log_in(client, "nina.roux@example.test")

    assert message.to == ["Nina.Roux@Example.test"]
    assert "Confirm your e-mail address" in message.subject
    assert confirmed.redirect_chain[-1][0] == "/accounts/login/"
    assert "Your e-mail address is confirmed" in confirmed.content.decode()
    assert logged_in.status_code == 302
    assert logged_in["Location"] == "/"
    user = User.objects.get(email_index=email_digest("nina.roux@example.test"))
    assert user.email_verified
    assert client.get("/").wsgi_request.user == user
    assert AuditEvent.objects.filter(action="account.email_verified",
                                     subject=str(user.vault.subject)).count() == 1


def test_a_link_works_once(client: Client) -> None:
    sign_up(client, "nina@example.test")
    link = confirmation_link(mail.outbox[0])

    client.get(link)
    again = client.get(link)

    assert again.status_code == 400
    assert "no longer valid" in again.content.decode()


def test_a_tampered_link_confirms_nothing(client: Client) -> None:
    sign_up(client, "nina@example.test")
    link = confirmation_link(mail.outbox[0])

    response = client.get(link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:])

    assert response.status_code == 400
    assert not User.objects.get().email_verified


def test_an_old_link_has_expired(client: Client, monkeypatch) -> None:
    import time

    sign_up(client, "nina@example.test")
    link = confirmation_link(mail.outbox[0])
    later = time.time() + 3 * 24 * 3600 + 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)

    response = client.get(link)

    assert response.status_code == 400
    assert not User.objects.get().email_verified


def test_signing_up_again_before_confirming_takes_the_new_password_and_link(
    client: Client,
) -> None:
    sign_up(client, "nina@example.test", OTHER_PASSWORD)
    first_link = confirmation_link(mail.outbox[0])
    sign_up(client, "nina@example.test", PASSWORD)
    second_link = confirmation_link(mail.outbox[1])

    stale = client.get(first_link)
    fresh = client.get(second_link)

    assert stale.status_code == 400
    assert fresh.status_code == 302
    assert User.objects.count() == 1
    assert log_in(client, "nina@example.test", OTHER_PASSWORD).status_code == 200
    assert log_in(client, "nina@example.test", PASSWORD)["Location"] == "/"
    # The replaced password is audited like any password change, nothing personal in it.
    user = User.objects.get()
    replaced = AuditEvent.objects.get(action="auth.password_changed",
                                      subject=str(user.vault.subject))
    assert replaced.detail == {"by": "sign-up"}


def test_a_password_reset_confirms_the_address(client: Client) -> None:
    sign_up(client, "nina@example.test")
    client.post("/accounts/password/reset/", {"email": "nina@example.test"})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", mail.outbox[-1].body)
    assert link
    set_url = client.get(link.group(1), follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": OTHER_PASSWORD, "new_password2": OTHER_PASSWORD})

    assert log_in(client, "nina@example.test", OTHER_PASSWORD)["Location"] == "/"


def test_accounts_made_by_operators_are_usable_at_once(capsys) -> None:
    from django.core.management import call_command

    call_command("regulator_create", "--email", "inspector@dpa.example")
    password = capsys.readouterr().out.split("one-time password: ")[1].split()[0]
    staff = User.objects.create_superuser(email="ops@sillage.test", password=PASSWORD)

    assert log_in(Client(), "inspector@dpa.example", password).status_code == 302
    assert staff.email_verified
    assert log_in(Client(), "ops@sillage.test").status_code == 302


def test_seeded_demo_accounts_are_usable_at_once() -> None:
    from django.core.management import call_command

    from portal.management.commands.seed_demo import DEMO_PASSWORD

    call_command("seed_demo", "--months", "1", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert all(user.email_verified for user in User.objects.all())
    assert log_in(Client(), "camille@demo.sillage.test", DEMO_PASSWORD).status_code == 302


def test_a_french_sign_up_gets_french_pages_and_mail(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "fr", "next": "/accounts/signup/"})

    done = client.get(sign_up(client, "francoise@example.test")["Location"])
    confirmed = client.get(confirmation_link(mail.outbox[0]), follow=True)

    assert "Consultez vos e-mails" in done.content.decode()
    assert mail.outbox[0].subject == "Confirmez votre adresse e-mail pour Sillage"
    assert "Le lien est valable 3 jours." in mail.outbox[0].body
    assert "Votre adresse e-mail est confirmée." in confirmed.content.decode()

"""Password reset: the e-mail goes to the sealed address and its link works once."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User

from .conftest import log_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-Long-passphrase-7"


def _reset_link(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_the_reset_email_goes_to_the_sealed_address_and_the_link_sets_a_new_password(
    client: Client, make_consumer
) -> None:
    user = make_consumer(email="Lea.Martin@Example.test")

    asked = client.post("/accounts/password/reset/", {"email": "lea.martin@example.test"})

    assert asked.status_code == 302
    assert asked["Location"] == "/accounts/password/reset/done/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Lea.Martin@Example.test"]
    assert "Reset your Sillage password" in message.subject

    link = _reset_link(message)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.status_code == 302
    assert done["Location"] == "/accounts/password/reset/complete/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert log_in(Client(), "lea.martin@example.test", NEW_PASSWORD)["Location"] == "/"
    # Used once: the same link no longer works.
    assert client.get(link, follow=True).context["validlink"] is False


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client: Client, consumer: User) -> None:
    response = client.post("/accounts/password/reset/", {"email": "stranger@example.test"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert mail.outbox == []


def test_a_deactivated_account_gets_no_reset_mail(client: Client, consumer: User) -> None:
    User.objects.filter(pk=consumer.pk).update(is_active=False)

    client.post("/accounts/password/reset/", {"email": consumer.email})

    assert mail.outbox == []

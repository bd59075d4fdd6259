"""Deleting the account (GDPR art. 17) from the portal: it asks for the
password (and a code when 2FA is on), erases the vault, logs out, says goodbye."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from tests.factories.accounts import PASSWORD, enable_two_factor, totp_code
from vault.models import Record, Vault, WrappedKey

from .conftest import log_in

pytestmark = pytest.mark.django_db


def test_deleting_the_account_erases_the_vault_and_logs_out(
    logged_in: Client, consumer: User, with_data
) -> None:
    with_data()
    vault_id = consumer.vault.id
    email = consumer.email

    response = logged_in.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/goodbye/"
    assert "Goodbye" in logged_in.get("/accounts/goodbye/").content.decode()
    assert not User.objects.filter(pk=consumer.pk).exists()
    assert not Vault.objects.filter(pk=vault_id).exists()
    assert not WrappedKey.objects.filter(vault_id=vault_id).exists()
    assert not Record.objects.filter(vault_id=vault_id).exists()
    assert logged_in.get("/").status_code == 302
    assert "_auth_user_id" not in Client().session
    refused = log_in(Client(), email)
    assert refused.status_code == 200
    assert "do not match an account" in refused.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"password": "wrong-password", "confirm": "on"}, "password"),
        ({"password": PASSWORD}, "confirm"),
    ],
)
def test_deletion_without_password_or_confirmation_erases_nothing(
    logged_in: Client, consumer: User, with_data, data: dict, field: str
) -> None:
    with_data()
    before = Record.objects.filter(vault=consumer.vault).count()

    response = logged_in.post("/accounts/delete/", data)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert User.objects.filter(pk=consumer.pk).exists()
    assert Record.objects.filter(vault=consumer.vault).count() == before


def test_with_2fa_on_deletion_also_needs_a_code(logged_in: Client, consumer: User) -> None:
    enable_two_factor(user=consumer)

    page = logged_in.get("/accounts/delete/").content.decode()
    without = logged_in.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"})
    wrong = logged_in.post("/accounts/delete/",
                           {"password": PASSWORD, "confirm": "on", "code": "000000"})
    right = logged_in.post("/accounts/delete/",
                           {"password": PASSWORD, "confirm": "on",
                            "code": totp_code(user=consumer)})

    assert 'name="code"' in page
    assert without.status_code == 400
    assert "code" in without.context["form"].errors
    assert wrong.status_code == 400
    assert "That code is not valid" in wrong.content.decode()
    assert right.status_code == 302
    assert not User.objects.filter(pk=consumer.pk).exists()

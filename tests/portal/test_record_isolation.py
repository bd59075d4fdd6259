"""IDOR: a consumer who knows (or guesses) another consumer's record id can
neither see nor delete it; every lookup is scoped to the caller's own vault."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from tests.factories.vault import import_records
from vault.models import Record

pytestmark = pytest.mark.django_db


@pytest.fixture
def victim_record(make_consumer) -> Record:
    victim = make_consumer(email="victim@example.test")
    import_records(
        user=victim,
        records=[
            {"facet": "identity", "data": {"given_name": "Victoire"}},
            {"facet": "purchases", "occurred_at": "2026-01-05T10:00:00Z",
             "data": {"merchant": "Pharmacie Secrète", "amount": "12", "currency": "EUR"}},
        ],
        source="Victim Bank",
    )
    return Record.objects.get(vault=victim.vault, facet="purchases")


@pytest.fixture
def attacker(client: Client, make_consumer) -> Client:
    client.force_login(make_consumer(email="attacker@example.test"))
    return client


def test_an_attacker_cannot_delete_another_consumers_record(
    attacker: Client, victim_record: Record
) -> None:
    before = Record.objects.count()

    for facet in ("purchases", "identity"):
        response = attacker.post(f"/vault/{facet}/{victim_record.id}/delete/")
        assert response.status_code == 404

    assert Record.objects.filter(pk=victim_record.pk).exists()
    assert Record.objects.count() == before


def test_an_attacker_sees_nothing_of_another_vault(attacker: Client, victim_record: Record) -> None:
    pages = [attacker.get(path).content.decode()
             for path in ("/", "/vault/", "/vault/purchases/", "/vault/identity/")]

    for html in pages:
        assert "Victoire" not in html
        assert "Pharmacie Secrète" not in html
        assert "Victim Bank" not in html
        assert str(victim_record.id) not in html


def test_a_malformed_record_id_is_not_found(attacker: Client) -> None:
    assert attacker.post("/vault/purchases/not-a-uuid/delete/").status_code == 404


def test_an_anonymous_visitor_cannot_delete(client: Client, victim_record: Record) -> None:
    response = client.post(f"/vault/purchases/{victim_record.id}/delete/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert Record.objects.filter(pk=victim_record.pk).exists()


def test_the_owner_can_delete_the_same_record(client: Client, victim_record: Record) -> None:
    owner = User.objects.get(vault=victim_record.vault)
    client.force_login(owner)

    assert client.post(f"/vault/purchases/{victim_record.id}/delete/").status_code == 302
    assert not Record.objects.filter(pk=victim_record.pk).exists()

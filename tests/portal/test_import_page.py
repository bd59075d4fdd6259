"""Importing a brand's export from the portal: all or nothing, problems listed
by line (CSV) or record (JSON) and field, a summary by facet on success."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from accounts.models import User
from tests.factories.vault import PURCHASES_CSV
from vault.models import ImportBatch, Record

pytestmark = pytest.mark.django_db


def _upload(client: Client, name: str, content: bytes, source: str = "Maison Laurent"):
    return client.post(
        "/vault/import/", {"source": source, "file": SimpleUploadedFile(name, content)}
    )


def _nothing_stored(user: User) -> bool:
    return (not Record.objects.filter(vault=user.vault).exists()
            and not ImportBatch.objects.filter(vault=user.vault).exists())


def test_a_good_csv_is_imported_and_summarised_by_facet(logged_in: Client, consumer: User) -> None:
    response = _upload(logged_in, "purchases.csv", PURCHASES_CSV.encode())
    summary = logged_in.get("/vault/import/")
    again = logged_in.get("/vault/import/")

    assert response.status_code == 302
    assert response["Location"] == "/vault/import/"
    html = summary.content.decode()
    assert "2 records imported from Maison Laurent" in html
    assert 'href="/vault/purchases/">Purchases</a>: 2' in html
    assert Record.objects.filter(vault=consumer.vault, facet="purchases").count() == 2
    assert "imported from" not in again.content.decode()
    vault_page = logged_in.get("/vault/").content.decode()
    assert "Boulangerie Ginette" in vault_page


def test_a_good_json_file_fills_several_facets(logged_in: Client, consumer: User) -> None:
    document = {"records": [
        {"facet": "identity", "data": {"given_name": "Camille"}},
        {"facet": "loyalty", "data": {"programme": "Carte Or", "points": 120}},
    ]}

    _upload(logged_in, "export.json", json.dumps(document).encode())
    html = logged_in.get("/vault/import/").content.decode()

    assert "2 records imported from Maison Laurent" in html
    assert "Identity</a>: 1" in html
    assert "Loyalty</a>: 1" in html


def test_a_csv_with_bad_rows_lists_each_line_and_field_and_stores_nothing(
    logged_in: Client, consumer: User
) -> None:
    content = (
        "occurred_at,merchant,category,description,amount,currency,channel\n"
        "2026-01-14T10:30:00Z,Maison Laurent,clothing,Shirt,59.90,EUR,store\n"
        "2026-01-15T10:30:00Z,Maison Laurent,clothing,Shirt,lots,EUR,store\n"
        "2026-01-16T10:30:00Z,,clothing,Shirt,10,EUR,store\n"
        "yesterday,Maison Laurent,clothing,Shirt,10,euro,store\n"
    )

    response = _upload(logged_in, "purchases.csv", content.encode())

    assert response.status_code == 400
    html = response.content.decode()
    assert "The file was not imported: nothing was stored" in html
    problems = [(p["where"], p["field"]) for p in response.context["problems"]]
    assert ("Line 3", "amount") in problems
    assert ("Line 4", "merchant") in problems
    assert ("Line 5", "occurred_at") in problems
    assert "<td>Line 3</td>" in html
    assert "<code>amount</code>" in html
    assert _nothing_stored(consumer)


def test_a_json_file_with_an_unknown_facet_names_the_record(
    logged_in: Client, consumer: User
) -> None:
    document = {"records": [
        {"facet": "identity", "data": {"given_name": "Camille"}},
        {"facet": "horoscope", "data": {"sign": "leo"}},
    ]}

    response = _upload(logged_in, "export.json", json.dumps(document).encode())

    assert response.status_code == 400
    assert response.context["problems"][0]["where"] == "Record 2"
    assert response.context["problems"][0]["field"] == "facet"
    assert "unknown facet" in response.context["problems"][0]["message"]
    assert _nothing_stored(consumer)


def test_malformed_json_is_reported_with_its_line(logged_in: Client, consumer: User) -> None:
    response = _upload(logged_in, "export.json", b'{"records": [\n  {"facet": }\n]}')

    assert response.status_code == 400
    assert response.context["problems"][0]["where"] == "Line 2"
    assert "malformed JSON" in response.context["problems"][0]["message"]
    assert _nothing_stored(consumer)


def test_an_oversized_file_is_refused(logged_in: Client, consumer: User) -> None:
    with override_settings(VAULT={**settings.VAULT, "MAX_IMPORT_BYTES": 64}):
        response = _upload(logged_in, "purchases.csv", PURCHASES_CSV.encode())

    assert response.status_code == 400
    assert "larger than" in response.context["problems"][0]["message"]
    assert _nothing_stored(consumer)


def test_the_brand_name_is_required(logged_in: Client, consumer: User) -> None:
    response = _upload(logged_in, "purchases.csv", PURCHASES_CSV.encode(), source="   ")

    assert response.status_code == 400
    assert "source" in response.context["form"].errors
    assert _nothing_stored(consumer)


def test_no_file_is_a_clear_form_error(logged_in: Client, consumer: User) -> None:
    response = logged_in.post("/vault/import/", {"source": "Maison Laurent"})

    assert response.status_code == 400
    assert "file" in response.context["form"].errors
    assert _nothing_stored(consumer)


def test_an_import_leaves_no_personal_value_in_the_session(
    logged_in: Client, consumer: User
) -> None:
    from django.contrib.sessions.models import Session

    _upload(logged_in, "purchases.csv", PURCHASES_CSV.encode())

    stored = " ".join(Session.objects.values_list("session_data", flat=True))
    decoded = " ".join(str(session.get_decoded()) for session in Session.objects.all())
    for value in ("Maison Laurent", "Boulangerie", "Croissants"):
        assert value not in stored
        assert value not in decoded

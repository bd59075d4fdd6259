"""Export (GDPR art. 20): a POST downloads a ZIP with JSON, CSV and a readable page."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_export_downloads_a_zip_with_json_csv_and_a_readable_page(
    logged_in: Client, consumer: User, with_data
) -> None:
    with_data()

    response = logged_in.post("/vault/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    expected = f"sillage-export-{timezone.localdate():%Y%m%d}.zip"
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    assert {"sillage-export/vault.json", "sillage-export/index.html",
            "sillage-export/csv/purchases.csv", "sillage-export/csv/identity.csv"} <= names
    document = json.loads(archive.read("sillage-export/vault.json"))
    assert document["facets"]["identity"]["records"][0]["data"]["given_name"] == "Camille"
    assert "Maison Laurent" in archive.read("sillage-export/csv/purchases.csv").decode()
    page = archive.read("sillage-export/index.html").decode()
    assert "<table>" in page
    assert "Camille" in page
    assert "Postal address" in page
    assert "<style>" in page
    assert "<link" not in page


def test_the_export_page_itself_downloads_nothing(logged_in: Client) -> None:
    response = logged_in.get("/vault/export/")

    assert response.status_code == 200
    assert "Content-Disposition" not in response
    assert 'method="post"' in response.content.decode()


def test_an_empty_vault_still_exports(logged_in: Client) -> None:
    response = logged_in.post("/vault/export/")

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "sillage-export/index.html" in archive.namelist()
    assert "was empty" in archive.read("sillage-export/index.html").decode()

"""The operator commands, run as an operator would run them."""

from __future__ import annotations

import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from tests.factories.vault import export_csv
from vault.models import Record

from .conftest import table_state

pytestmark = pytest.mark.django_db


def test_vault_import_command_stores_a_csv_and_reports_counts(consumer, tmp_path, capsys):
    path = tmp_path / "carrefour.csv"
    path.write_bytes(
        export_csv(rows=["2026-01-05T09:30:00Z,Carrefour,groceries,Shop,54.20,EUR,store"]))
    call_command("vault_import", "--user", "Camille.Durand@example.test", "--source", "Carrefour", str(path))
    assert "imported 1 records (1 purchases) from Carrefour" in capsys.readouterr().out
    assert Record.objects.filter(vault=consumer.vault).count() == 1


def test_vault_import_command_names_the_bad_line_and_stores_nothing(consumer, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(export_csv(rows=[
        "2026-01-05T09:30:00Z,Carrefour,groceries,Shop,54.20,EUR,store",
        "2026-01-05T09:30:00Z,Carrefour,groceries,Shop,lots,EUR,store",
    ]))
    before = table_state()
    with pytest.raises(CommandError, match=r"bad.csv rejected, nothing stored: line 3: amount"):
        call_command("vault_import", "--user", "camille.durand@example.test", "--source", "C", str(path))
    assert table_state() == before


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--user", "nobody@example.test", "--source", "C"], "no account"),
        (["--user", "camille.durand@example.test", "--source", "C", "--missing-file"], "no such file"),
    ],
)
def test_vault_import_command_refuses_bad_arguments(consumer, tmp_path, arguments, message):
    path = tmp_path / "x.csv"
    path.write_bytes(export_csv(rows=["2026-01-05T09:30:00Z,C,g,S,1,EUR,store"]))
    target = str(tmp_path / "absent.csv") if "--missing-file" in arguments else str(path)
    arguments = [a for a in arguments if a != "--missing-file"]
    with pytest.raises(CommandError, match=message):
        call_command("vault_import", *arguments, target)


def test_vault_export_command_writes_a_complete_zip(consumer, tmp_path, capsys):
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"records": [
        {"facet": "identity", "data": {"given_name": "Camille", "family_name": "Durand"}},
        {"facet": "purchases", "occurred_at": "2026-01-05T09:30:00Z",
         "data": {"merchant": "Fnac", "amount": "20.00", "currency": "EUR"}},
    ]}))
    call_command("vault_import", "--user", "camille.durand@example.test", "--source", "Fnac", str(path))
    out = tmp_path / "export.zip"
    call_command("vault_export", "--user", "camille.durand@example.test", "--out", str(out))
    assert "exported 2 records" in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        assert {"sillage-export/vault.json", "sillage-export/index.html",
                "sillage-export/csv/identity.csv", "sillage-export/csv/purchases.csv"} <= names
        document = json.loads(archive.read("sillage-export/vault.json"))
        html = archive.read("sillage-export/index.html").decode()
        purchases_csv = archive.read("sillage-export/csv/purchases.csv").decode()
    identity = document["facets"]["identity"]["records"][0]
    assert identity["data"] == {"given_name": "Camille", "family_name": "Durand"}
    assert identity["source"] == "Fnac"
    assert document["facets"]["purchases"]["records"][0]["occurred_at"] == "2026-01-05T09:30:00+00:00"
    assert "Camille" in html
    assert "Fnac" in html
    assert "20.00" in purchases_csv.splitlines()[1]
    assert list(tmp_path.glob("*.partial")) == []


def test_vault_export_command_refuses_a_non_zip_target(consumer, tmp_path):
    with pytest.raises(CommandError, match=r"\.zip"):
        call_command("vault_export", "--user", "camille.durand@example.test", "--out", str(tmp_path / "x.txt"))


def test_seed_demo_creates_consumers_with_data_and_is_idempotent(capsys):
    call_command("seed_demo", "--months", "3")
    out = capsys.readouterr().out
    assert "camille@demo.sillage.test" in out
    assert "sillage-demo-2026" in out
    count = Record.objects.count()
    assert count > 100
    from accounts.models import User
    from brands.models import Application, BrandMembership
    from consents.models import Consent

    consent = Consent.objects.get()
    assert consent.status == Consent.Status.ACTIVE
    assert consent.purpose == "loyalty"
    assert "client_id" in out
    assert "client_secret" in out
    assert BrandMembership.objects.filter(role="owner").count() == 1
    assert User.objects.filter(role=User.Role.REGULATOR).count() == 1
    call_command("seed_demo", "--months", "3")
    again = capsys.readouterr().out
    assert "already seeded" in again
    assert "shown when first seeded" in again
    assert Record.objects.count() == count
    assert Consent.objects.count() == 1
    assert Application.objects.count() == 1

"""Bad imports are refused with a precise reason, and nothing is stored."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from vault.facets import RecordInvalid
from vault.importers import ImportRejected
from vault.models import Record
from vault.selectors import vault_overview
from vault.services import ImportTooLarge, vault_import

from .conftest import CSV_HEADER, csv_bytes, json_bytes, table_state

pytestmark = pytest.mark.django_db

GOOD_ROW = "2026-01-05T09:30:00Z,Carrefour,groceries,Weekly shop,54.20,EUR,store"


def _import(user, payload: bytes, filename: str = "", source: str = "Carrefour"):
    return vault_import(vault=user.vault, source=source, stream=payload, filename=filename,
                        actor=("operator", "test"))


def test_a_valid_csv_is_stored_whole(consumer):
    result = _import(consumer, csv_bytes(GOOD_ROW, GOOD_ROW.replace("54.20", "12.00")), "shop.csv")
    assert result.by_facet == {"purchases": 2}
    assert Record.objects.filter(vault=consumer.vault, facet="purchases").count() == 2
    amounts = sorted(view.data["amount"] for view in next(
        s for s in vault_overview(vault=consumer.vault) if s.facet.key == "purchases").latest)
    assert amounts == ["12.00", "54.20"]


@pytest.mark.parametrize(
    ("payload", "filename", "where", "field"),
    [
        (csv_bytes(GOOD_ROW, "2026-01-06T10:00:00Z,Fnac,books,Novel,abc,EUR,online"), "a.csv",
         "line 3", "amount"),
        (csv_bytes(GOOD_ROW, GOOD_ROW, "not-a-date,Fnac,books,Novel,9.90,EUR,online"), "a.csv",
         "line 4", "occurred_at"),
        (csv_bytes(",Fnac,books,Novel,9.90,EUR,online"), "a.csv", "line 2", "occurred_at"),
        (csv_bytes("2026-01-06T10:00:00Z,,books,Novel,9.90,EUR,online"), "a.csv", "line 2", "merchant"),
        (csv_bytes("2026-01-06T10:00:00Z,Fnac,books,Novel,9.90,euro,online"), "a.csv", "line 2",
         "currency"),
        (csv_bytes("2099-01-06T10:00:00Z,Fnac,books,Novel,9.90,EUR,online"), "a.csv", "line 2",
         "occurred_at"),
        (csv_bytes(GOOD_ROW + ",extra"), "a.csv", "line 2", ""),
        (b"occurred_at,merchant,amount\n2026-01-01,Fnac,3\n", "a.csv", "line 1", "header"),
        (CSV_HEADER.encode(), "a.csv", "file", ""),
        (b"", "a.csv", "file", ""),
        (b'{"records": [', "a.json", "line 1", ""),
        (b'{"items": []}', "a.json", "document", "records"),
        (b'{"records": []}', "a.json", "document", "records"),
        (json_bytes([{"facet": "horoscope", "data": {"sign": "leo"}}]), "a.json", "record 1", "facet"),
        (json_bytes([{"facet": "birthdate", "data": {"date": "1990-02-01"}},
                     {"facet": "birthdate", "data": {"date": 19900201}}]), "a.json", "record 2", "date"),
        (json_bytes([{"facet": "contact", "data": {"email": "not-an-email"}}]), "a.json", "record 1",
         "email"),
        (json_bytes([{"facet": "contact", "data": {"email": "a@b.test", "fax": "1"}}]), "a.json",
         "record 1", "fax"),
        (json_bytes([{"facet": "purchases", "data": {"merchant": "X", "amount": "1", "currency": "EUR"}}]),
         "a.json", "record 1", "occurred_at"),
        (json_bytes([{"facet": "identity", "occurred_at": "2026-01-01T00:00:00Z",
                      "data": {"given_name": "A"}}]), "a.json", "record 1", "occurred_at"),
        (json_bytes([{"facet": "loyalty", "data": {"programme": "P", "points": -5}}]), "a.json",
         "record 1", "points"),
        (json_bytes([{"facet": "preferences", "data": {"Bad Key": "x"}}]), "a.json", "record 1",
         "Bad Key"),
        (json_bytes(["just a string"]), "a.json", "record 1", "record"),
        ("occurred_at,merchant\n".encode("utf-16"), "a.csv", "line 1", ""),
    ],
)
def test_a_bad_file_is_refused_naming_the_place_and_nothing_is_stored(
    consumer, payload, filename, where, field
):
    _import(consumer, csv_bytes(GOOD_ROW), "earlier.csv")
    before = table_state()
    with pytest.raises(ImportRejected) as caught:
        _import(consumer, payload, filename)
    first = caught.value.problems[0]
    assert first.where == where
    assert first.field == field
    assert first.message
    assert table_state() == before


def test_every_bad_row_is_reported_not_only_the_first(consumer):
    rows = [GOOD_ROW] * 3 + ["2026-01-06T10:00:00Z,Fnac,books,Novel,x,EUR,online"] * 4
    with pytest.raises(ImportRejected) as caught:
        _import(consumer, csv_bytes(*rows), "a.csv")
    assert [problem.where for problem in caught.value.problems] == [
        "line 5", "line 6", "line 7", "line 8"]


@override_settings(VAULT={**__import__("django.conf").conf.settings.VAULT, "MAX_IMPORT_BYTES": 1024})
def test_an_oversized_file_is_refused_before_parsing(consumer):
    before = table_state()
    with pytest.raises(ImportTooLarge):
        _import(consumer, csv_bytes(*([GOOD_ROW] * 40)), "big.csv")
    assert table_state() == before


@override_settings(VAULT={**__import__("django.conf").conf.settings.VAULT, "MAX_IMPORT_RECORDS": 5})
def test_too_many_records_are_refused(consumer):
    before = table_state()
    with pytest.raises(ImportRejected):
        _import(consumer, csv_bytes(*([GOOD_ROW] * 6)), "many.csv")
    with pytest.raises(ImportRejected):
        _import(consumer, json_bytes([{"facet": "birthdate", "data": {"date": "1990-01-01"}}] * 6))
    assert table_state() == before


@pytest.mark.parametrize("source", ["", "   ", "x" * 81, "bad\x00name", None])
def test_an_unnamed_or_garbled_source_is_refused(consumer, source):
    before = table_state()
    with pytest.raises(RecordInvalid) as caught:
        _import(consumer, csv_bytes(GOOD_ROW), "a.csv", source=source)
    assert caught.value.field == "source"
    assert table_state() == before


def test_a_failure_while_storing_rolls_back_the_whole_import(consumer, monkeypatch, settings):
    from vault import services

    calls = {"n": 0}
    real = services._RecordInserter.flush

    def failing_flush(self):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(self)

    monkeypatch.setattr(services._RecordInserter, "flush", failing_flush)
    settings.VAULT = {**settings.VAULT, "IMPORT_BATCH_SIZE": 2}
    before = table_state()
    with pytest.raises(RuntimeError):
        _import(consumer, csv_bytes(*([GOOD_ROW] * 5)), "a.csv")
    assert calls["n"] == 2
    assert table_state() == before


def test_profile_values_in_one_import_keep_the_last_as_current_and_the_rest_as_history(consumer):
    _import(consumer, json_bytes([{"facet": "contact", "data": {"email": "old@x.test"}}]))
    _import(consumer, json_bytes([
        {"facet": "contact", "data": {"email": "mid@x.test"}},
        {"facet": "contact", "data": {"email": "new@x.test"}},
    ]))
    summary = next(s for s in vault_overview(vault=consumer.vault) if s.facet.key == "contact")
    assert summary.current.data == {"email": "new@x.test"}
    assert sorted(view.data["email"] for view in summary.history) == ["mid@x.test", "old@x.test"]


def test_csv_with_bom_crlf_quoted_commas_and_reordered_columns_is_accepted(consumer):
    payload = (
        "\ufeffmerchant,occurred_at,category,description,amount,currency,channel\r\n"
        '"Fnac, Paris",2026-01-02T10:00:00+01:00,books,"Two ""great"" novels",19.90,eur,online\r\n'
    ).encode()
    _import(consumer, payload, "x.csv")
    view = next(s for s in vault_overview(vault=consumer.vault) if s.facet.key == "purchases").latest[0]
    assert view.data["merchant"] == "Fnac, Paris"
    assert view.data["description"] == 'Two "great" novels'
    assert view.data["currency"] == "EUR"
    assert view.occurred_at.isoformat() == "2026-01-02T09:00:00+00:00"


def test_json_numbers_are_accepted_for_amounts_and_kept_exact(consumer):
    _import(consumer, json.dumps({"records": [{"facet": "purchases", "occurred_at": "2026-01-02",
        "data": {"merchant": "A", "amount": 0.1, "currency": "EUR"}}]}).encode())
    view = next(s for s in vault_overview(vault=consumer.vault) if s.facet.key == "purchases").latest[0]
    assert view.data["amount"] == "0.1"

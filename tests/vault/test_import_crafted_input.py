"""Crafted files for the importer (a red-team review's findings), through the
service and the /vault/import/ page: each is refused with a readable problem
naming where it is, never a 500, and nothing is stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import User
from core.actors import account_actor
from tests.factories.vault import export_csv
from vault.errors import ImportRejected
from vault.services import vault_import

from .conftest import table_state

pytestmark = pytest.mark.django_db

DEEP = 30_000
PURCHASE = ('{"facet": "purchases", "occurred_at": "2026-01-05T09:30:00Z", '
            '"data": {"merchant": "M", "amount": "1", "currency": "EUR"}}')

CRAFTED: dict[str, tuple[bytes, str]] = {
    # name: (file, what the first problem says, in English)
    "nested 30,000 levels": ('{"records": ' + "[" * DEEP + "]" * DEEP + "}",
                             "document: nested more than 32 levels deep"),
    "nested in a record": ('{"records": [' + PURCHASE[:-1] + ', "x": ' + "[" * 900 + "]" * 900
                           + "}]}", "document: nested more than 32 levels deep"),
    "amount 1e999999999": (PURCHASE.replace('"1"', '"1e999999999"').join(['{"records": [', "]}"]),
                           "record 1: amount: must be a finite number below one trillion"),
    "lone surrogate in a value": (
        PURCHASE.replace('"M"', '"M\\ud800"').join(['{"records": [', "]}"]),
        "record 1: merchant: must be Unicode text (a lone surrogate is not)"),
    "lone surrogate in a name": (
        PURCHASE.replace('"merchant"', '"\\udfff"').join(['{"records": [', "]}"]),
        "record 1: data: must be Unicode text (a lone surrogate is not)"),
    "lone surrogate in a source key": (
        '{"records": [' + PURCHASE + '], "source": "\\ud800"}',
        "document: source: must be Unicode text (a lone surrogate is not)"),
    "a 5,000-digit number": ('{"records": [' + PURCHASE.replace('"1"', "1" * 5000) + "]}",
                             "document: a number is too long"),
    "NaN": ('{"records": [' + PURCHASE.replace('"1"', "NaN") + "]}",
            "document: NaN is not a JSON value"),
}


def _import(user: User, content: bytes, filename: str) -> Any:
    return vault_import(vault=user.vault, source="Maison Laurent", stream=content,
                        filename=filename, actor=account_actor(user))


@pytest.mark.parametrize("case", list(CRAFTED))
def test_the_service_refuses_a_crafted_json_file(consumer: User, case: str) -> None:
    content, said = CRAFTED[case]
    before = table_state()
    with pytest.raises(ImportRejected) as rejected:
        _import(consumer, content.encode() if isinstance(content, str) else content, "x.json")
    assert str(rejected.value).split("; ")[0] == said
    assert table_state() == before


@pytest.mark.parametrize("case", list(CRAFTED))
def test_the_import_page_shows_a_readable_problem(logged_in: Client, consumer: User,
                                                  case: str) -> None:
    content, _said = CRAFTED[case]
    before = table_state()
    response = logged_in.post("/vault/import/", {
        "source": "Maison Laurent",
        "file": SimpleUploadedFile("export.json", content.encode()),
    })
    assert response.status_code == 400
    assert "problem" in response.content.decode().lower()
    assert table_state() == before


@pytest.mark.parametrize(("row", "said"), [
    ("2026-01-05T09:30:00Z,M,c,d,1e999999999,EUR,store",
     "line 2: amount: must be a finite number below one trillion"),
    ("2026-01-05T09:30:00Z,M\x00,c,d,1,EUR,store",
     "line 2: merchant: must not contain control characters"),
    ("0001-01-01T00:00:00+05:00,M,c,d,1,EUR,store",
     "line 2: occurred_at: must not be before 1970 or in the future"),
])
def test_the_service_refuses_a_crafted_csv_row(consumer: User, row: str, said: str) -> None:
    before = table_state()
    with pytest.raises(ImportRejected) as rejected:
        _import(consumer, export_csv(rows=[row]), "x.csv")
    assert str(rejected.value) == said
    assert table_state() == before

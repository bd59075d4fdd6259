"""Parsing and validating brand exports before anything is stored.

An import is all-or-nothing: the whole file is parsed and every record
validated first; any problem rejects the file, reported by line (CSV) or record
number (JSON) and field, and nothing reaches the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.errors import JsonMalformed, JsonTextInvalid, JsonTooDeep, Message
from core.json_input import load_json

from .errors import ImportRejected, Problem, RecordInvalid, problem
from .facets import FACETS, PURCHASE_CSV_HEADER, clean_event_time, get_facet

MAX_PROBLEMS = 20


@dataclass(frozen=True)
class ParsedRecord:
    facet: str
    occurred_at: dt.datetime | None
    data: dict[str, Any]


def detect_format(raw: bytes, filename: str = "") -> str:
    lowered = filename.lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith(".csv"):
        return "csv"
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "json" if head in (b"{", b"[") else "csv"


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ImportRejected([problem("line", line, "", _("the file is not valid UTF-8 text"))]) from error


def parse(raw: bytes, *, file_format: str, max_records: int) -> list[ParsedRecord]:
    if not raw.strip():
        raise ImportRejected([problem("file", None, "", _("the file is empty"))])
    if file_format == "csv":
        return parse_purchases_csv(_decode(raw), max_records=max_records)
    if file_format == "json":
        return parse_json(_decode(raw), max_records=max_records)
    raise ImportRejected([problem("file", None, "", _("unsupported format %(format)s: use csv or json"),
                                  format=repr(file_format))])


def parse_purchases_csv(text: str, *, max_records: int) -> list[ParsedRecord]:
    facet = FACETS["purchases"]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise ImportRejected([problem("line", 1, "", _("missing or unreadable header"))]) from error
    columns = [name.strip().lower() for name in header]
    expected = list(PURCHASE_CSV_HEADER)
    missing = [name for name in expected if name not in columns]
    unknown = [name for name in columns if name not in expected]
    if missing or unknown or len(set(columns)) != len(columns):
        detail: list[Message] = []
        if missing:
            detail.append(Message(_("missing column(s) %(names)s"), names=", ".join(missing)))
        if unknown:
            detail.append(Message(_("unknown column(s) %(names)s"), names=", ".join(unknown)))
        if len(set(columns)) != len(columns):
            detail.append(Message(_("repeated column names")))
        raise ImportRejected([problem("line", 1, "header", _("%(detail)s. Expected: %(expected)s"),
                                      detail=Message.join(detail), expected=",".join(expected))])
    records: list[ParsedRecord] = []
    problems: list[Problem] = []
    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                problems.append(problem("line", line, "", _("expected %(expected)s values, found %(found)s"),
                                        expected=len(columns), found=len(row)))
            else:
                values = dict(zip(columns, row, strict=True))
                try:
                    occurred_at = clean_event_time(facet, values.pop("occurred_at"))
                    data = facet.clean(values)
                    records.append(ParsedRecord("purchases", occurred_at, data))
                except RecordInvalid as error:
                    problems.append(Problem("line", line, error.field, error.text))
            if len(problems) >= MAX_PROBLEMS:
                break
            if len(records) > max_records:
                raise ImportRejected([problem("line", line, "", _("more than %(n)s records in one file"),
                                              n=max_records)])
    except csv.Error as error:
        problems.append(problem("line", reader.line_num or line, "", _("malformed CSV (%(detail)s)"),
                                detail=str(error)))
    if problems:
        raise ImportRejected(problems)
    if not records:
        raise ImportRejected([problem("file", None, "", _("no records after the header"))])
    return records


def _unreadable(error: JsonMalformed | JsonTooDeep | JsonTextInvalid) -> Problem:
    """Where a document ``load_json`` refused is wrong, as an import problem."""
    if isinstance(error, JsonMalformed) and error.line is not None:
        return Problem("line", error.line, "", error.text)
    if isinstance(error, JsonTextInvalid) and error.path[:1] == ("records",) \
            and len(error.path) > 1 and isinstance(error.path[1], int):
        inside = error.path[2:]
        if inside[:1] == ("data",) and len(inside) > 1:
            field = str(inside[1])
        else:
            field = str(inside[0]) if inside else "record"
        return Problem("record", error.path[1] + 1, field, error.text)
    field = error.field if isinstance(error, JsonTextInvalid) else ""
    return Problem("document", None, field, error.text)


def parse_json(text: str, *, max_records: int) -> list[ParsedRecord]:
    try:
        document = load_json(text)
    except (JsonMalformed, JsonTooDeep, JsonTextInvalid) as error:
        raise ImportRejected([_unreadable(error)]) from None
    if not isinstance(document, dict) or not isinstance(document.get("records"), list):
        raise ImportRejected([problem("document", None, "records",
                                      _('expected {"records": [ ... ]} at the top level'))])
    unknown_keys = sorted(set(document) - {"records", "source", "exported_at", "version"})
    if unknown_keys:
        raise ImportRejected([problem("document", None, unknown_keys[0],
                                      _("is not a known top-level key"))])
    items = document["records"]
    if len(items) > max_records:
        raise ImportRejected([problem("document", None, "records", _("more than %(n)s records"),
                                      n=max_records)])
    if not items:
        raise ImportRejected([problem("document", None, "records",
                                      _("the list of records is empty"))])
    records: list[ParsedRecord] = []
    problems: list[Problem] = []
    for number, item in enumerate(items, start=1):
        try:
            if not isinstance(item, dict):
                raise RecordInvalid("record", _("must be an object with facet and data"))
            extra = sorted(set(item) - {"facet", "occurred_at", "data"})
            if extra:
                raise RecordInvalid(extra[0], _("is not a record key (facet, occurred_at, data)"))
            facet = get_facet(item.get("facet"))
            occurred_at = clean_event_time(facet, item.get("occurred_at"))
            records.append(ParsedRecord(facet.key, occurred_at, facet.clean(item.get("data"))))
        except RecordInvalid as error:
            problems.append(Problem("record", number, error.field, error.text))
            if len(problems) >= MAX_PROBLEMS:
                break
    if problems:
        raise ImportRejected(problems)
    return records

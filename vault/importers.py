"""Parsing and validating brand exports before anything is stored.

An import is all-or-nothing: the whole file is parsed and every record
validated first; any problem rejects the file, reported by line (CSV) or record
number (JSON) and field, and nothing reaches the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from .facets import (
    FACETS,
    PURCHASE_CSV_HEADER,
    RecordInvalid,
    clean_event_time,
    get_facet,
)

MAX_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}" if self.field else f"{self.where}: {self.message}"


class ImportRejected(Exception):
    """The file was refused; ``problems`` lists what is wrong, nothing was stored."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems[:3]))


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
        raise ImportRejected([Problem(f"line {line}", "", "the file is not valid UTF-8 text")]) from error


def parse(raw: bytes, *, file_format: str, max_records: int) -> list[ParsedRecord]:
    if not raw.strip():
        raise ImportRejected([Problem("file", "", "the file is empty")])
    if file_format == "csv":
        return parse_purchases_csv(_decode(raw), max_records=max_records)
    if file_format == "json":
        return parse_json(_decode(raw), max_records=max_records)
    raise ImportRejected([Problem("file", "", f"unsupported format {file_format!r}: use csv or json")])


def parse_purchases_csv(text: str, *, max_records: int) -> list[ParsedRecord]:
    facet = FACETS["purchases"]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise ImportRejected([Problem("line 1", "", "missing or unreadable header")]) from error
    columns = [name.strip().lower() for name in header]
    expected = list(PURCHASE_CSV_HEADER)
    missing = [name for name in expected if name not in columns]
    unknown = [name for name in columns if name not in expected]
    if missing or unknown or len(set(columns)) != len(columns):
        detail = []
        if missing:
            detail.append("missing column(s) " + ", ".join(missing))
        if unknown:
            detail.append("unknown column(s) " + ", ".join(unknown))
        if len(set(columns)) != len(columns):
            detail.append("repeated column names")
        raise ImportRejected(
            [Problem("line 1", "header", "; ".join(detail) + ". Expected: " + ",".join(expected))]
        )
    records: list[ParsedRecord] = []
    problems: list[Problem] = []
    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                problems.append(
                    Problem(f"line {line}", "", f"expected {len(columns)} values, found {len(row)}")
                )
            else:
                values = dict(zip(columns, row, strict=True))
                try:
                    occurred_at = clean_event_time(facet, values.pop("occurred_at"))
                    data = facet.clean(values)
                    records.append(ParsedRecord("purchases", occurred_at, data))
                except RecordInvalid as error:
                    problems.append(Problem(f"line {line}", error.field, error.message))
            if len(problems) >= MAX_PROBLEMS:
                break
            if len(records) > max_records:
                raise ImportRejected(
                    [Problem(f"line {line}", "", f"more than {max_records} records in one file")]
                )
    except csv.Error as error:
        problems.append(Problem(f"line {reader.line_num or line}", "", f"malformed CSV ({error})"))
    if problems:
        raise ImportRejected(problems)
    if not records:
        raise ImportRejected([Problem("file", "", "no records after the header")])
    return records


def parse_json(text: str, *, max_records: int) -> list[ParsedRecord]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportRejected(
            [Problem(f"line {error.lineno}", "", f"malformed JSON ({error.msg})")]
        ) from error
    if not isinstance(document, dict) or not isinstance(document.get("records"), list):
        raise ImportRejected(
            [Problem("document", "records", 'expected {"records": [ ... ]} at the top level')]
        )
    unknown_keys = sorted(set(document) - {"records", "source", "exported_at", "version"})
    if unknown_keys:
        raise ImportRejected([Problem("document", unknown_keys[0], "is not a known top-level key")])
    items = document["records"]
    if len(items) > max_records:
        raise ImportRejected([Problem("document", "records", f"more than {max_records} records")])
    if not items:
        raise ImportRejected([Problem("document", "records", "the list of records is empty")])
    records: list[ParsedRecord] = []
    problems: list[Problem] = []
    for number, item in enumerate(items, start=1):
        where = f"record {number}"
        try:
            if not isinstance(item, dict):
                raise RecordInvalid("record", "must be an object with facet and data")
            extra = sorted(set(item) - {"facet", "occurred_at", "data"})
            if extra:
                raise RecordInvalid(extra[0], "is not a record key (facet, occurred_at, data)")
            facet = get_facet(item.get("facet"))
            occurred_at = clean_event_time(facet, item.get("occurred_at"))
            records.append(ParsedRecord(facet.key, occurred_at, facet.clean(item.get("data"))))
        except RecordInvalid as error:
            problems.append(Problem(where, error.field, error.message))
            if len(problems) >= MAX_PROBLEMS:
                break
    if problems:
        raise ImportRejected(problems)
    return records

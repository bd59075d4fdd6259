"""CSV that is safe to open in a spreadsheet.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (and a leading tab or carriage return can hide one), so a value
written by a brand or by an import could open a link or run a command on the
reader's machine. Every CSV the product writes goes through ``csv_writer``:
such a cell gets a single quote in front, which spreadsheets show as text.
A plain number (``-12.50``) is not a formula and is written as it is.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def spreadsheet_cell(value: Any) -> Any:
    """``value``, with a single quote in front if a spreadsheet would run it."""
    if (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and not _PLAIN_NUMBER.fullmatch(value)):
        return "'" + value
    return value


class SpreadsheetSafeWriter:
    """``csv.writer`` whose every cell goes through ``spreadsheet_cell``."""

    def __init__(self, out: Any, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([spreadsheet_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: Any, **options: Any) -> SpreadsheetSafeWriter:
    return SpreadsheetSafeWriter(out, **options)

"""The data-portability export (GDPR art. 20): one ZIP holding everything in
the vault as JSON (machine-readable, every value exact), CSV per facet
(spreadsheets: a cell that would run as a formula gets a single quote in
front, see core/spreadsheets.py), and a readable HTML page (people)."""

from __future__ import annotations

import io
import json
import zipfile
from typing import IO

from django.template.loader import render_to_string
from django.utils import timezone

from core.spreadsheets import csv_writer

from .facets import FACETS
from .models import Vault
from .selectors import RecordView, all_records

FORMAT_VERSION = 1


def _csv_for(facet_key: str, views: list[RecordView]) -> str:
    facet = FACETS[facet_key]
    if facet.free_form:
        names = sorted({name for view in views for name in view.data})
    else:
        names = [spec.name for spec in facet.fields]
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    base = ["occurred_at"] if facet.is_events else ["current", "superseded_at"]
    writer.writerow(["record_id", "source", *base, *names, "recorded_at"])
    for view in views:
        if facet.is_events:
            head = [view.occurred_at.isoformat() if view.occurred_at else ""]
        else:
            head = ["yes" if view.superseded_at is None else "no",
                    view.superseded_at.isoformat() if view.superseded_at else ""]
        values = []
        for name in names:
            value = view.data.get(name, "")
            values.append("; ".join(value) if isinstance(value, list) else value)
        writer.writerow([view.id, view.source, *head, *values, view.created_at.isoformat()])
    return buffer.getvalue()


def write_zip(*, vault: Vault, out: IO[bytes]) -> int:
    views = all_records(vault=vault)
    grouped: dict[str, list[RecordView]] = {}
    for view in views:
        grouped.setdefault(view.facet, []).append(view)
    exported_at = timezone.now()
    document = {
        "format": "sillage-vault-export",
        "version": FORMAT_VERSION,
        "exported_at": exported_at.isoformat(),
        "vault": {"subject": str(vault.subject), "created_at": vault.created_at.isoformat()},
        "facets": {
            key: {
                "label": str(FACETS[key].label),
                "kind": FACETS[key].kind,
                "records": [view.as_dict() for view in grouped[key]],
            }
            for key in FACETS
            if key in grouped
        },
    }
    html = render_to_string(
        "vault/export.html",
        {
            "exported_at": exported_at,
            "sections": [
                {"facet": FACETS[key], "records": grouped[key]} for key in FACETS if key in grouped
            ],
            "total": len(views),
        },
    )
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("sillage-export/vault.json", json.dumps(document, indent=2, ensure_ascii=False))
        for key, facet_views in grouped.items():
            archive.writestr(f"sillage-export/csv/{key}.csv", _csv_for(key, facet_views))
        archive.writestr("sillage-export/index.html", html)
        archive.writestr(
            "sillage-export/README.txt",
            "Your Sillage vault export.\n\n"
            "index.html  readable page of everything in your vault\n"
            "vault.json  the same data, machine-readable (format sillage-vault-export v1)\n"
            "csv/        one CSV file per facet, for spreadsheets (a value that starts like\n"
            "            a formula, with = + - or @, has a ' in front so that it stays text)\n",
        )
    return len(views)

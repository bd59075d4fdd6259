"""Property-based tests: every parser of outside input, thrown arbitrary JSON,
text (lone surrogates, NUL, control characters), numbers no decimal holds,
deep nesting and dates past the ends of the calendar, either accepts the input
or refuses it with a 4xx and a JSON body (the API) or a readable problem (the
importer and its page), and a refusal writes nothing.

"Nothing" is counted: vault records, import batches, sources and audit
events. The brand API records a refused write as a ``denied`` audit event by
design (the refusal is the event): on a refused write, accepted events and
records must not move, and at most that one denied event may be added.

Bounded: ``max_examples`` of 30 to 60 each, no deadline (a database round
trip per example); seeded (``derandomize``) so a run is repeatable.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from core.actors import account_actor
from core.errors import InvalidInput
from tests.factories.vault import CSV_HEADER
from vault.facets import FACETS
from vault.models import ImportBatch, Record, Source
from vault.services import vault_import

from .conftest import Callers
from .strategies import (
    BODIES,
    CURSORS,
    DATE_TEXTS,
    DEEP,
    JSON_VALUES,
    LIMITS,
    TEXT,
    body_text,
    records,
)

pytestmark = pytest.mark.django_db

BOUNDED = settings(max_examples=60, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.function_scoped_fixture,
                                          HealthCheck.too_slow, HealthCheck.data_too_large])
FEWER = settings(BOUNDED, max_examples=30)


def _counts() -> dict[str, int]:
    return {"records": Record.objects.count(), "batches": ImportBatch.objects.count(),
            "sources": Source.objects.count(),
            "accepted events": AuditEvent.objects.exclude(outcome="denied").count(),
            "denied events": AuditEvent.objects.filter(outcome="denied").count()}


def _refused_cleanly(response: Any, before: dict[str, int], *, denied_allowed: int = 0) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    body = response.json()
    assert set(body) == {"error", "detail"}, body
    assert body["error"], body
    after = _counts()
    assert {k: v for k, v in after.items() if k != "denied events"} == {
        k: v for k, v in before.items() if k != "denied events"}
    assert before["denied events"] <= after["denied events"] <= before["denied events"] + \
        denied_allowed


# --- the brand API -------------------------------------------------------------------------


@BOUNDED
@given(facet=st.sampled_from(sorted(FACETS)), body=BODIES)
def test_brand_api_bodies(callers: Callers, facet: str, body: str) -> None:
    before = _counts()
    response = Client().generic("POST", f"/api/v1/facets/{facet}",
                                body.encode("utf-8", "surrogatepass"),
                                content_type="application/json",
                                HTTP_AUTHORIZATION=f"Bearer {callers.consent_token}")
    if response.status_code == 201:
        assert Record.objects.count() == before["records"] + 1
    else:
        _refused_cleanly(response, before, denied_allowed=1)


@FEWER
@given(raw=st.binary(max_size=300))
def test_brand_api_bodies_of_any_bytes(callers: Callers, raw: bytes) -> None:
    before = _counts()
    response = Client().generic("POST", "/api/v1/facets/purchases", raw,
                                content_type="application/json",
                                HTTP_AUTHORIZATION=f"Bearer {callers.consent_token}")
    _refused_cleanly(response, before, denied_allowed=1)


def _some_of(**parameters: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, str]]:
    """Any non-empty choice of the named query parameters, each from its strategy."""
    return st.fixed_dictionaries({}, optional=parameters).filter(bool)


@BOUNDED
@given(query=_some_of(cursor=CURSORS, since=DATE_TEXTS, limit=LIMITS))
def test_brand_api_query_parameters(callers: Callers, query: dict[str, str]) -> None:
    before = _counts()
    response = Client().get(f"/api/v1/facets/purchases?{_query(query)}",
                            HTTP_AUTHORIZATION=f"Bearer {callers.consent_token}")
    if response.status_code != 200:
        _refused_cleanly(response, before)


@BOUNDED
@given(query=_some_of(cursor=CURSORS, since=DATE_TEXTS, until=DATE_TEXTS, limit=LIMITS)
       | _some_of(subject=TEXT, actor_id=TEXT, consent_id=TEXT, action=TEXT, brand=TEXT))
def test_audit_api_event_query_parameters(callers: Callers, query: dict[str, str]) -> None:
    _audit_query(callers, "events", query)


@BOUNDED
@given(query=_some_of(cursor=CURSORS, limit=LIMITS))
def test_audit_api_checkpoint_query_parameters(callers: Callers, query: dict[str, str]) -> None:
    _audit_query(callers, "checkpoints", query)


def _audit_query(callers: Callers, path: str, query: dict[str, str]) -> None:
    before = _counts()
    response = Client().get(f"/api/v1/audit/{path}?{_query(query)}",
                            HTTP_AUTHORIZATION=f"Bearer {callers.regulator_token}")
    if response.status_code == 200:
        assert _counts()["accepted events"] == before["accepted events"] + 1  # the query, logged
    else:
        _refused_cleanly(response, before)


def _query(params: dict[str, str]) -> str:
    # As a client would put arbitrary text in a URL: UTF-8, surrogates as they come.
    return urlencode({key: value.encode("utf-8", "surrogatepass")
                      for key, value in params.items()})


# --- the importer ------------------------------------------------------------------------


def _import(callers: Callers, content: bytes, filename: str) -> None:
    user = callers.consumer
    vault_import(vault=user.vault, source="Maison Laurent", stream=content, filename=filename,
                 actor=account_actor(user))


def _imported_or_refused(callers: Callers, content: bytes, filename: str) -> None:
    before = _counts()
    refused: InvalidInput | None = None
    try:
        _import(callers, content, filename)
    except InvalidInput as error:
        refused = error
    if refused is None:
        assert ImportBatch.objects.count() == before["batches"] + 1
        return
    assert str(refused)  # a readable reason, in English
    assert refused.localized()
    assert _counts() == before


JSON_DOCUMENTS = st.one_of(
    st.lists(records(), max_size=4).map(lambda items: {"records": items}),
    st.dictionaries(TEXT, JSON_VALUES, max_size=3).map(
        lambda extra: {"records": [], **extra}),
    JSON_VALUES,
    DEEP,
    st.builds(lambda inner: '{"records": [' + inner + "]}", DEEP),
).map(body_text)


@BOUNDED
@given(document=JSON_DOCUMENTS)
def test_json_importer(callers: Callers, document: str) -> None:
    _imported_or_refused(callers, document.encode("utf-8", "surrogatepass"), "export.json")


CSV_CELLS = st.one_of(TEXT, DATE_TEXTS).map(lambda cell: cell.replace("\ud800", ""))


@BOUNDED
@given(rows=st.lists(st.lists(CSV_CELLS, min_size=1, max_size=8), max_size=4),
       header=st.sampled_from([CSV_HEADER, "", "occurred_at,merchant\n"]))
def test_csv_importer(callers: Callers, rows: list[list[str]], header: str) -> None:
    text = header + "".join(",".join(row) + "\n" for row in rows)
    _imported_or_refused(callers, text.encode("utf-8", "surrogatepass"), "export.csv")


@FEWER
@given(content=st.one_of(st.binary(max_size=400), JSON_DOCUMENTS.map(
    lambda text: text.encode("utf-8", "surrogatepass"))),
       filename=st.sampled_from(["export.json", "export.csv", "export.txt", ""]),
       source=TEXT)
def test_the_import_page(callers: Callers, content: bytes, filename: str, source: str) -> None:
    browser = Client()
    browser.force_login(callers.consumer)
    before = _counts()
    response = browser.post("/vault/import/", {
        "source": source.encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
        "file": SimpleUploadedFile(filename or "upload", content),
    })
    if response.status_code == 302:
        assert ImportBatch.objects.count() == before["batches"] + 1
    else:
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert _counts() == before

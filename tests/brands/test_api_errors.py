"""Every refusal of the brand API, word for word: status, JSON body and the
Bearer challenge. Brands read these bodies in programs, so Sillage's own
messages are English whatever language the HTTP client asks for; only the
messages of the REST framework itself (a missing token) follow the request's
language."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from tests.consents.test_client_credentials import client_token
from tests.factories.consents import Flow

pytestmark = pytest.mark.django_db

PURCHASE = {"data": {"merchant": "A", "amount": "1.00", "currency": "EUR"},
            "occurred_at": "2026-04-02T08:00:00Z"}


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    yield
    translation.deactivate()


def _call(token: str | None, path: str, method: str = "get", language: str = "en",
          **kwargs: Any) -> tuple[int, Any, str]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    response = getattr(Client(), method)(path, HTTP_ACCEPT_LANGUAGE=language, **headers, **kwargs)
    return response.status_code, response.json(), response.get("WWW-Authenticate", "")


def _post(token: str, body: Any, language: str, **kwargs: Any) -> tuple[int, Any, str]:
    kwargs.setdefault("content_type", "application/json")
    return _call(token, "/api/v1/facets/purchases", "post", language, data=body, **kwargs)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_refusal_of_the_brand_api(flow: Flow, language: str) -> None:
    token = flow.tokens(scope="contact:read purchases:read purchases:write")["access_token"]
    reader = flow.tokens(scope="contact:read")["access_token"]
    aggregates = client_token(flow.app)
    first = _post(token, PURCHASE, language, HTTP_IDEMPOTENCY_KEY="key-1")
    assert first[0] == 201

    said = {
        "unknown facet": _call(token, "/api/v1/facets/nope", language=language),
        "bad cursor": _call(token, "/api/v1/facets/purchases?cursor=abc", language=language),
        "not consented (read)": _call(reader, "/api/v1/facets/purchases", language=language),
        "not consented (write)": _post(reader, PURCHASE, language),
        "bad key": _post(token, PURCHASE, language, HTTP_IDEMPOTENCY_KEY="a b"),
        "bad record": _post(token, {"data": {"merchant": "A", "amount": "x", "currency": "EUR"},
                                    "occurred_at": "2026-04-02T08:00:00Z"}, language),
        "key reused": _post(token, {**PURCHASE, "data": {**PURCHASE["data"], "amount": "2"}},
                            language, HTTP_IDEMPOTENCY_KEY="key-1"),
        "declared too large": _post(token, PURCHASE, language, CONTENT_LENGTH="10000000"),
        "not json type": _post(token, "merchant=A", language, content_type="text/plain"),
        "not json": _post(token, "{nope", language),
        "no data": _post(token, {"merchant": "A"}, language),
        "no token": _call(None, "/api/v1/profile", language=language),
        "bad header": _call(None, "/api/v1/profile", language=language,
                            HTTP_AUTHORIZATION="Token abc"),
        "unknown token": _call("nope", "/api/v1/profile", language=language),
        "client token": _call(aggregates, "/api/v1/profile", language=language),
        "consumer token on aggregates": _call(token, "/api/v1/aggregates?dimension=city",
                                              language=language),
        "bad aggregate query": _call(aggregates, "/api/v1/aggregates?dimension=shoe",
                                     language=language),
    }
    assert {case: list(answer) for case, answer in said.items()} == EXPECTED[language]


_EN = {
    "unknown facet": [404, {"error": "unknown_facet", "detail": "no facet named 'nope'"}, ""],
    "bad cursor": [400, {"error": "invalid_request",
                         "detail": "cursor is not one this API returned"}, ""],
    "not consented (read)": [403, {"error": "facet_not_consented", "detail":
                                   "the consent behind this token does not allow purchases:read"},
                             ""],
    "not consented (write)": [403, {"error": "facet_not_consented", "detail":
                                    "the consent behind this token does not allow "
                                    "purchases:write"}, ""],
    "bad key": [400, {"error": "invalid_request",
                      "detail": "Idempotency-Key is 1 to 200 printable characters"}, ""],
    "bad record": [400, {"error": "invalid_record",
                         "detail": "amount: must be a number such as 12.50"}, ""],
    "key reused": [409, {"error": "idempotency_conflict",
                         "detail": "this Idempotency-Key was used with a different request"}, ""],
    "declared too large": [413, {"error": "too_large",
                                 "detail": "the body is larger than 65536 bytes"}, ""],
    "not json type": [415, {"error": "unsupported_media_type",
                            "detail": "send the record as application/json"}, ""],
    "not json": [400, {"error": "invalid_request", "detail": "the body is not valid JSON"}, ""],
    "no data": [400, {"error": "invalid_record", "detail":
                      'data: send an object {"data": {...}, "occurred_at": ...}'}, ""],
    "no token": [401, {"error": "invalid_token",
                       "detail": "Authentication credentials were not provided."},
                 'Bearer realm="sillage"'],
    "bad header": [401, {"error": "invalid_token", "detail":
                         "use the header 'Authorization: Bearer <access token>'"},
                   'Bearer realm="sillage"'],
    "unknown token": [401, {"error": "invalid_token", "detail":
                            "the access token is not valid: unknown, revoked or replaced"},
                      'Bearer realm="sillage"'],
    "client token": [403, {"error": "insufficient_scope", "detail":
                           "this client-credentials token carries no consent: it is for "
                           "/api/v1/aggregates only"}, ""],
    "consumer token on aggregates": [403, {"error": "insufficient_scope", "detail":
                                           "the token needs the 'aggregates' scope: ask "
                                           "/o/token/ for a client-credentials token "
                                           "(grant_type=client_credentials)"}, ""],
    "bad aggregate query": [400, {"error": "invalid_query", "detail":
                                  "dimension must be one of age_band, city, category"}, ""],
}

EXPECTED: dict[str, dict[str, list[Any]]] = {"en": _EN, "fr": {**_EN, "no token": [
    401, {"error": "invalid_token", "detail": "Informations d'authentification non fournies."},
    'Bearer realm="sillage"']}}

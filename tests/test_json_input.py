"""core.json_input and the REST framework parser built on it: deep nesting,
lone surrogates, over-long numbers and non-JSON constants are refusals, never
a RecursionError or a UnicodeEncodeError later."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core.errors import JsonMalformed, JsonTextInvalid, JsonTooDeep
from core.json_input import load_json


def test_a_document_within_the_limits_reads_as_json_does() -> None:
    assert load_json(b'\xef\xbb\xbf{"a": [1, 2.5, "\\u00e9", null, true]}') == {
        "a": [1, 2.5, "é", None, True]}
    assert load_json("[" * 32 + "]" * 32) is not None


@pytest.mark.parametrize("depth", [33, 900, 30_000])
def test_deep_nesting_is_refused(depth: int) -> None:
    with pytest.raises(JsonTooDeep):
        load_json("[" * depth + "]" * depth)


@pytest.mark.parametrize(("text", "path"), [
    ('{"a": "x\\ud800"}', ("a",)),
    ('{"a": [0, {"\\udfff": 1}]}', ("a", 1)),
    ('["\\udc00"]', (0,)),
])
def test_a_lone_surrogate_is_refused_with_where_it_is(text: str, path: tuple[Any, ...]) -> None:
    with pytest.raises(JsonTextInvalid) as refused:
        load_json(text)
    assert refused.value.path == path


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"a": -Infinity}', "1" * 5000, "{",
                                  b"\xff\xfe"])
def test_what_is_not_json_is_malformed(text: str | bytes) -> None:
    with pytest.raises(JsonMalformed):
        load_json(text)


class _Echo(APIView):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    def post(self, request: Request) -> Response:
        return Response({"keys": sorted(request.data)})


@pytest.mark.parametrize("body", ["[" * 30_000 + "]" * 30_000, '{"a": "\\ud800"}', "{nope",
                                  '{"a": NaN}'])
def test_the_rest_framework_parser_answers_400(body: str) -> None:
    request = APIRequestFactory().post("/", body, content_type="application/json")
    response = _Echo.as_view()(request)
    assert response.status_code == 400
    assert response.data["error"] == "invalid_request"
    assert response.data["detail"].startswith("JSON parse error - ")


def test_the_rest_framework_parser_reads_valid_json() -> None:
    request = APIRequestFactory().post("/", '{"b": 1, "a": [2]}', content_type="application/json")
    assert _Echo.as_view()(request).data == {"keys": ["a", "b"]}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32"])
def test_bytes_are_read_as_json_loads_reads_them(encoding: str) -> None:
    assert load_json('{"a": "é"}'.encode(encoding)) == {"a": "é"}


def test_encoded_surrogates_are_not_text() -> None:
    with pytest.raises(JsonMalformed):
        load_json(b'{"a": "\xed\xa0\x80"}')

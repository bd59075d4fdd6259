"""The REST framework's JSON parser, reading through ``core.json_input``.

The framework's own ``JSONParser`` turns a ``ValueError`` into a 400 but lets
``RecursionError`` (deep nesting) through as a 500, and returns strings with
lone surrogates that break the response later. This one refuses all of them
with the framework's ``ParseError`` (400, rendered by ``core.api_errors``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .errors import InvalidInput
from .json_input import load_json


class SafeJSONParser(JSONParser):
    def parse(self, stream: IO[bytes] | None, media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read() if stream is not None else b""
        try:
            if str(encoding).lower().replace("_", "-") not in ("utf-8", "utf8"):
                return load_json(raw.decode(encoding))
            return load_json(raw)
        except (UnicodeDecodeError, LookupError):
            raise ParseError("JSON parse error - the body is not text") from None
        except InvalidInput as error:
            raise ParseError(f"JSON parse error - {error}") from None

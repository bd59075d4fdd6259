"""The one reader of JSON that comes from outside (API bodies, imported files).

``json.loads`` alone is not enough for input nobody vouches for:

* deep nesting (``[[[[...]]]]`` 30,000 levels) makes it raise ``RecursionError``,
  and a document a little under the interpreter's limit still breaks whatever
  walks it next (``json.dumps``, a serializer);
* a number of more than 4,300 digits raises a bare ``ValueError``;
* ``NaN`` and ``Infinity`` are read although they are not JSON;
* a ``\\ud800`` escape gives a string with a lone surrogate, which every later
  ``.encode()`` (sealing, hashing, the response) refuses with
  ``UnicodeEncodeError``.

``load_json`` turns each of these into a refusal on ``core.errors``
(``JsonMalformed``, ``JsonTooDeep``, ``JsonTextInvalid``) and returns only
documents at most ``max_depth`` levels deep whose strings are all encodable.
NUL and other control characters are valid JSON text and stay: the validators
of each field decide about them (the facets refuse them).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.utils.translation import gettext_lazy as _

from .errors import JsonMalformed, JsonTextInvalid, JsonTooDeep

DEFAULT_MAX_DEPTH = 32
_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_constant(name: str) -> Any:
    raise JsonMalformed(_("%(name)s is not a JSON value"), name=name)


def load_json(raw: bytes | str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """The document in ``raw`` (bytes as ``json.loads`` reads them, or text), checked as
    the module says; raises ``JsonMalformed``, ``JsonTooDeep`` or ``JsonTextInvalid``."""
    if isinstance(raw, bytes | bytearray):
        # As json.loads reads bytes (UTF-8, or UTF-16/32 told by their first
        # bytes), but strictly: json.loads would let encoded surrogates through.
        encoding = json.detect_encoding(bytes(raw))
        try:
            text = bytes(raw).decode(encoding)
        except UnicodeDecodeError as error:
            line = bytes(raw)[: error.start].count(b"\n") + 1
            raise JsonMalformed(_("the text is not %(encoding)s"), encoding=encoding.upper(),
                                line=line) from None
    else:
        text = raw
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise JsonMalformed(_("malformed JSON (%(detail)s)"), detail=error.msg,
                            line=error.lineno) from None
    except RecursionError:
        raise JsonTooDeep(max_depth) from None
    except ValueError:
        # Python refuses to read integers of more than 4,300 digits.
        raise JsonMalformed(_("a number is too long")) from None
    check_document(document, max_depth=max_depth)
    return document


def check_document(document: Any, *, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
    """Refuse a parsed document nested deeper than ``max_depth`` or holding a
    string that is not encodable (without recursion: a deep document must not
    break the check)."""
    stack: list[tuple[Any, int, tuple[str | int, ...]]] = [(document, 0, ())]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                raise JsonTextInvalid(path)
        elif isinstance(value, dict | list):
            if depth >= max_depth:
                raise JsonTooDeep(max_depth)
            if isinstance(value, dict):
                for key, item in value.items():
                    if isinstance(key, str) and _SURROGATE.search(key):
                        raise JsonTextInvalid(path)
                    stack.append((item, depth + 1, (*path, key)))
            else:
                stack.extend((item, depth + 1, (*path, index)) for index, item in enumerate(value))

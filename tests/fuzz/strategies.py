"""Hypothesis strategies for hostile input: text with lone surrogates, NUL and
other control characters, numbers no decimal or float can hold, dates at and
past the ends of the calendar in any offset, JSON of any shape and documents
nested far deeper than anyone writes."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from hypothesis import strategies as st

from vault.facets import FACETS

# Every code point, lone surrogates included (Hypothesis leaves them out by default).
ANY_CHARACTER = st.characters(exclude_categories=())
NASTY_STRINGS = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\ud800", "x\udfff", "\ufeff", "\u202e",
    "1e999999999", "-1e999999999", "0e999999999", "1e-999999999", "NaN", "Infinity", "-0",
    "0001-01-01", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00",
    "10000-01-01", "2026-02-30", "1969-12-31T23:59:59Z", "null", "[]", "{}", "%00", "../",
    "' OR 1=1 --", "<script>", "$ne", "\r\n", "\t",
]) | st.sampled_from([("9", 5000), ("é", 300)]).map(lambda pair: pair[0] * pair[1])
TEXT = st.one_of(NASTY_STRINGS, st.text(ANY_CHARACTER, max_size=40))
NUMBERS = st.one_of(
    st.integers(), st.integers(min_value=-(10**400), max_value=10**400), st.floats(),
    st.sampled_from([4299, -4299]).map(lambda digits: 10 ** abs(digits) * (digits // abs(digits))),
    st.sampled_from([1e308, 5e-324, 0.1]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)

ZONES = st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=14)),
                         dt.timezone(dt.timedelta(hours=-12)),
                         dt.timezone(dt.timedelta(hours=23, minutes=59)),
                         dt.timezone(-dt.timedelta(hours=23, minutes=59))])
DATETIMES = st.one_of(
    st.datetimes(timezones=st.none() | ZONES),
    # The first and the last minute of the calendar, in any offset.
    st.tuples(st.sampled_from([(dt.MINYEAR, 1, 1, 0, 0), (dt.MAXYEAR, 12, 31, 23, 59)]), ZONES)
    .map(lambda pair: dt.datetime(*pair[0], tzinfo=pair[1])),
)
# The ends of the calendar, as dates and as times in the offsets that push
# them past what UTC can hold.
CALENDAR_ENDS = st.one_of(
    st.sampled_from(["0001-01-01", "9999-12-31", "0001-01-01T00:00:00", "9999-12-31T23:59:59"]),
    st.tuples(st.sampled_from(["0001-01-01T00:00:00", "9999-12-31T23:59:59"]),
              st.sampled_from(["Z", "+00:00", "+05:00", "-05:00", "+23:59", "-23:59"]))
    .map("".join),
)
DATE_TEXTS = st.one_of(
    CALENDAR_ENDS,
    DATETIMES.map(lambda moment: moment.isoformat()),
    st.dates().map(lambda day: day.isoformat()),
    NASTY_STRINGS,
    st.text(st.sampled_from("0123456789-T:+Z. "), max_size=32),
)


def dumps(value: Any) -> str:
    """JSON as a client may send it: NaN and Infinity literals, surrogate escapes."""
    return json.dumps(value, allow_nan=True)


def nested(depth: int, inner: str = "1", opener: str = "[") -> str:
    closer = "]" if opener == "[" else "}"
    if opener == "{":
        return '{"a": ' * depth + inner + closer * depth
    return opener * depth + inner + closer * depth


DEEP = st.builds(nested, st.integers(min_value=30, max_value=40_000),
                 st.sampled_from(["1", '"x"', "[]", "{}"]), st.sampled_from(["[", "{"]))


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """A record in the shape of the importer and the brand API (facet, data,
    occurred_at), each part either plausible or hostile."""
    facet = draw(st.sampled_from(sorted(FACETS)) | TEXT)
    spec = FACETS.get(facet) if isinstance(facet, str) else None
    names = [field.name for field in spec.fields] if spec and spec.fields else []
    data: Any = draw(st.dictionaries(
        st.sampled_from(names) | TEXT if names else TEXT,
        st.one_of(TEXT, NUMBERS, st.just("12.50"), JSON_VALUES), max_size=5,
    ) | JSON_VALUES)
    record: dict[str, Any] = {"facet": facet, "data": data}
    if draw(st.booleans()):
        record["occurred_at"] = draw(DATE_TEXTS | JSON_VALUES)
    return record


def body_text(value: Any) -> str:
    return value if isinstance(value, str) else dumps(value)


BODIES = st.one_of(
    records().map(lambda record: {k: v for k, v in record.items() if k != "facet"}),
    JSON_VALUES,
    DEEP,
    st.builds(lambda inner: '{"data": ' + inner + "}", DEEP),
).map(body_text)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# Page cursors as a client could forge them: the brand API's (base64 of
# {"t": time, "id": record id}) and the audit API's (base64 of "e:<id>" or
# "c:<tree size>"), with any time, any id, any number, any JSON inside.
CURSORS = st.one_of(
    st.fixed_dictionaries({"t": DATE_TEXTS | JSON_VALUES, "id": st.uuids().map(str) | SCALARS})
    .map(dumps).map(lambda text: _b64(text.encode("utf-8", "surrogatepass"))),
    JSON_VALUES.map(dumps).map(lambda text: _b64(text.encode("utf-8", "surrogatepass"))),
    st.tuples(st.sampled_from(["e", "c", "x", ""]), st.integers(min_value=-(2**70),
                                                            max_value=2**70) | TEXT)
    .map(lambda pair: _b64(f"{pair[0]}:{pair[1]}".encode("utf-8", "surrogatepass"))),
    TEXT,
)
LIMITS = st.one_of(st.integers(min_value=-(2**70), max_value=2**70).map(str), TEXT)

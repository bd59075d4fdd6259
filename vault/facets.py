"""The facet registry: code, not data.

A facet names one kind of personal data. Its schema validates every write, so
a bad record is refused with a message naming the field before anything is
stored. Values are normalised to JSON-safe forms (dates as ISO strings,
amounts as decimal strings) so that what is sealed is exactly what is shown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .errors import RecordInvalid

PROFILE = "profile"
EVENTS = "events"


Validator = Callable[[Any, "Field"], Any]

_SURROGATE = re.compile("[\ud800-\udfff]")


def _showable(name: Any) -> bool:
    """Whether a field name the registry does not know may be repeated in an
    error message (and in the audit event of a refused write): printable text,
    no NUL, which PostgreSQL's JSON refuses, nor a lone surrogate."""
    return isinstance(name, str) and name.isprintable()


def _text(value: Any, spec: Field) -> str:
    if not isinstance(value, str):
        raise RecordInvalid(spec.name, _("must be text"))
    value = value.strip()
    if len(value) > spec.max_length:
        raise RecordInvalid(spec.name, _("must be at most %(n)s characters"), n=spec.max_length)
    if any(ord(char) < 32 and char not in "\t" for char in value):
        raise RecordInvalid(spec.name, _("must not contain control characters"))
    if _SURROGATE.search(value):
        # Valid in a Python string, not in UTF-8 text: sealing would fail.
        raise RecordInvalid(spec.name, _("must be Unicode text (a lone surrogate is not)"))
    if spec.choices and value.lower() not in spec.choices:
        raise RecordInvalid(spec.name, _("must be one of %(choices)s"),
                            choices=", ".join(spec.choices))
    return value.lower() if spec.choices else value


_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 .()-]{5,24}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def _email(value: Any, spec: Field) -> str:
    value = _text(value, spec)
    if not _EMAIL.match(value):
        raise RecordInvalid(spec.name, _("must be an e-mail address"))
    local, _at, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def _phone(value: Any, spec: Field) -> str:
    value = _text(value, spec)
    if not _PHONE.match(value):
        raise RecordInvalid(spec.name, _("must be a phone number such as %(example)s"),
                            example="+33 6 12 34 56 78")
    return value


def _currency(value: Any, spec: Field) -> str:
    value = _text(value, spec).upper()
    if not _CURRENCY.match(value):
        raise RecordInvalid(spec.name, _("must be a three-letter ISO 4217 code such as EUR"))
    return value


def _country(value: Any, spec: Field) -> str:
    value = _text(value, spec).upper()
    if not _COUNTRY.match(value):
        raise RecordInvalid(spec.name, _("must be a two-letter ISO 3166 code such as FR"))
    return value


def _date(value: Any, spec: Field) -> str:
    if not isinstance(value, str):
        raise RecordInvalid(spec.name, _("must be a date written YYYY-MM-DD"))
    try:
        parsed = parse_date(value.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise RecordInvalid(spec.name, _("must be a date written YYYY-MM-DD"))
    if parsed > timezone.localdate() or parsed.year < 1900:
        raise RecordInvalid(spec.name, _("must be a date between 1900 and today"))
    return parsed.isoformat()


def parse_timestamp(value: Any, name: str) -> dt.datetime:
    """An aware datetime from ISO 8601 text; naive times are read as UTC."""
    if isinstance(value, dt.datetime):
        parsed: dt.datetime | None = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            parsed = parse_datetime(text)
            if parsed is None:
                day = parse_date(text)
                parsed = dt.datetime.combine(day, dt.time()) if day else None
        except ValueError:
            parsed = None
    else:
        parsed = None
    if parsed is None:
        raise RecordInvalid(name, _("must be a date-time in ISO 8601, e.g. %(example)s"),
                            example="2026-03-01T14:30:00Z")
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=dt.UTC)
    if parsed.year < 1970 or parsed > timezone.now() + dt.timedelta(days=1):
        raise RecordInvalid(name, _("must not be before 1970 or in the future"))
    return parsed.astimezone(dt.UTC)


def _decimal(value: Any, spec: Field) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RecordInvalid(spec.name, _("must be a number"))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise RecordInvalid(spec.name, _("must be a number such as 12.50")) from error
    # copy_abs and comparisons are exact, whatever the exponent; abs() would
    # round in the decimal context and raise Overflow for 1e999999999.
    if not number.is_finite() or number.copy_abs() >= Decimal("1e12"):
        raise RecordInvalid(spec.name, _("must be a finite number below one trillion"))
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # noqa: S101 - a finite number's exponent
    if exponent < -4:
        raise RecordInvalid(spec.name, _("must have at most four decimals"))
    if exponent > 12:
        # Only a zero gets here (0e999999999): written out, it would be a
        # billion zeros.
        number = Decimal(0)
    return format(number, "f")


def _integer(value: Any, spec: Field) -> int:
    if isinstance(value, bool):
        raise RecordInvalid(spec.name, _("must be a whole number"))
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,15}\s*", value):
        value = int(value)
    if not isinstance(value, int) or abs(value) >= 10**15:
        raise RecordInvalid(spec.name, _("must be a whole number"))
    if value < 0:
        raise RecordInvalid(spec.name, _("must not be negative"))
    return value


_MAP_KEY = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")


def _mapping(value: Any, spec: Field) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RecordInvalid(spec.name, _("must be an object of names to values"))
    if len(value) > 64:
        raise RecordInvalid(spec.name, _("must have at most %(n)s entries"), n=64)
    cleaned: dict[str, Any] = {}
    for key, item in value.items():
        prefix = "" if spec.name == "data" else f"{spec.name}."
        if not isinstance(key, str) or not _MAP_KEY.match(key):
            shown = f"{prefix}{key}" if _showable(key) else spec.name
            raise RecordInvalid(
                shown, _("names must be lower-case letters, digits, '_', '.', '-'")
            )
        entry = Field(f"{prefix}{key}", "text", max_length=200)
        if isinstance(item, list):
            if len(item) > 32:
                raise RecordInvalid(entry.name, _("must have at most %(n)s values"), n=32)
            cleaned[key] = [_text(part, entry) for part in item]
        else:
            cleaned[key] = _text(item, entry)
    return cleaned


VALIDATORS: dict[str, Validator] = {
    "text": _text,
    "email": _email,
    "phone": _phone,
    "currency": _currency,
    "country": _country,
    "date": _date,
    "decimal": _decimal,
    "integer": _integer,
    "mapping": _mapping,
}


@dataclass(frozen=True)
class Field:
    name: str
    type: str = "text"
    required: bool = False
    max_length: int = 200
    choices: tuple[str, ...] = ()
    label: str | Promise = ""

    def clean(self, value: Any) -> Any:
        return VALIDATORS[self.type](value, self)


@dataclass(frozen=True)
class Facet:
    key: str
    label: str | Promise
    kind: str
    description: str | Promise
    fields: tuple[Field, ...]
    sensitivity: str = "medium"
    retention_days: int | None = None
    # Events whose source may not know when they happened (a loyalty status
    # observed at import time) default occurred_at to the moment of writing.
    occurred_at_optional: bool = False
    # Free key/values (preferences): any lower-case name, text or list of text.
    free_form: bool = False
    field_map: Mapping[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "field_map", {spec.name: spec for spec in self.fields})

    @property
    def is_events(self) -> bool:
        return self.kind == EVENTS

    def clean(self, data: Any) -> dict[str, Any]:
        """Validate ``data`` against the schema; return the normalised record."""
        if not isinstance(data, dict):
            raise RecordInvalid("data", _("must be an object of field names to values"))
        if self.free_form:
            cleaned_map = _mapping(data, Field("data", "mapping"))
            if not cleaned_map:
                raise RecordInvalid("data", _("facet '%(facet)s' needs at least one entry"),
                                    facet=self.key)
            return cleaned_map
        unknown = sorted(set(data) - set(self.field_map), key=str)
        if unknown:
            name = unknown[0]
            if not _showable(name):
                raise RecordInvalid("data", _("has a field name that is not a name of "
                                              "letters, digits, '_', '.' or '-'"))
            raise RecordInvalid(name, _("is not a field of facet '%(facet)s'"),
                                facet=self.key)
        cleaned: dict[str, Any] = {}
        for spec in self.fields:
            value = data.get(spec.name)
            if value is None or (isinstance(value, str) and not value.strip()):
                if spec.required:
                    raise RecordInvalid(spec.name, _("is required"))
                continue
            cleaned[spec.name] = spec.clean(value)
        if not cleaned:
            raise RecordInvalid("data", _("facet '%(facet)s' needs at least one field"),
                                facet=self.key)
        return cleaned


FACETS: dict[str, Facet] = {
    facet.key: facet
    for facet in (
        Facet(
            "identity",
            _("Identity"),
            PROFILE,
            _("Your given and family names."),
            (
                Field("given_name", label=_("Given name"), max_length=100),
                Field("family_name", label=_("Family name"), max_length=100),
            ),
            sensitivity="medium",
        ),
        Facet(
            "contact",
            _("Contact"),
            PROFILE,
            _("E-mail address and phone number."),
            (
                Field("email", "email", label=_("E-mail"), max_length=254),
                Field("phone", "phone", label=_("Phone"), max_length=32),
            ),
            sensitivity="high",
        ),
        Facet(
            "birthdate",
            _("Birth date"),
            PROFILE,
            _("Your date of birth."),
            (Field("date", "date", required=True, label=_("Date of birth")),),
            sensitivity="high",
        ),
        Facet(
            "address",
            _("Postal address"),
            PROFILE,
            _("Street, postcode, city and country."),
            (
                Field("line1", label=_("Street"), max_length=200),
                Field("postcode", label=_("Postcode"), max_length=16),
                Field("city", required=True, label=_("City"), max_length=100),
                Field("country", "country", required=True, label=_("Country")),
            ),
            sensitivity="high",
        ),
        Facet(
            "preferences",
            _("Preferences"),
            PROFILE,
            _("Sizes, languages, channels and interests you told brands."),
            (),
            sensitivity="low",
            free_form=True,
        ),
        Facet(
            "purchases",
            _("Purchases"),
            EVENTS,
            _("What you bought, where, when and for how much."),
            (
                Field("merchant", required=True, label=_("Merchant"), max_length=120),
                Field("category", label=_("Category"), max_length=80),
                Field("description", label=_("Description"), max_length=300),
                Field("amount", "decimal", required=True, label=_("Amount")),
                Field("currency", "currency", required=True, label=_("Currency")),
                Field("channel", label=_("Channel"), max_length=40),
            ),
            sensitivity="medium",
            retention_days=3650,
        ),
        Facet(
            "loyalty",
            _("Loyalty"),
            EVENTS,
            _("Loyalty programmes you belong to, with tier and points."),
            (
                Field("programme", required=True, label=_("Programme"), max_length=120),
                Field("member_id", label=_("Member number"), max_length=64),
                Field("tier", label=_("Tier"), max_length=40),
                Field("points", "integer", label=_("Points")),
            ),
            sensitivity="low",
            occurred_at_optional=True,
        ),
        Facet(
            "devices",
            _("Devices"),
            EVENTS,
            _("Devices and apps you used with brands."),
            (
                Field("device_type", required=True, label=_("Device type"), max_length=60),
                Field("os", label=_("Operating system"), max_length=60),
                Field("app", label=_("App"), max_length=80),
            ),
            sensitivity="low",
            retention_days=730,
        ),
        Facet(
            "location",
            _("Location"),
            EVENTS,
            _("Cities and kinds of place where you used a service."),
            (
                Field("city", required=True, label=_("City"), max_length=100),
                Field("place_type", label=_("Kind of place"), max_length=60),
            ),
            sensitivity="high",
            retention_days=90,
        ),
        Facet(
            "connected",
            _("Connected objects"),
            EVENTS,
            _("Readings from connected objects: what, which measure, how much."),
            (
                Field("object", required=True, label=_("Object"), max_length=80),
                Field("metric", required=True, label=_("Measure"), max_length=60),
                Field("value", "decimal", required=True, label=_("Value")),
                Field("unit", label=_("Unit"), max_length=20),
            ),
            sensitivity="medium",
            retention_days=730,
        ),
    )
}

PURCHASE_CSV_HEADER = ("occurred_at", "merchant", "category", "description", "amount", "currency", "channel")


def get_facet(key: Any) -> Facet:
    if not isinstance(key, str) or key not in FACETS:
        raise RecordInvalid("facet", _("unknown facet %(name)s; known: %(known)s"),
                            name=repr(str(key)[:40]), known=", ".join(FACETS))
    return FACETS[key]


def clean_event_time(facet: Facet, value: Any) -> dt.datetime | None:
    """The event time for an events facet (required unless the facet says otherwise)."""
    if not facet.is_events:
        if value not in (None, ""):
            raise RecordInvalid("occurred_at", _("facet '%(facet)s' is a profile facet: no occurred_at"),
                                facet=facet.key)
        return None
    if value in (None, ""):
        if facet.occurred_at_optional:
            return timezone.now()
        raise RecordInvalid("occurred_at", _("is required for event facets"))
    return parse_timestamp(value, "occurred_at")

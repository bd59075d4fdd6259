"""Vault forms, generated from the facet registry so the portal never repeats
a schema: the registry's validation (vault.facets) stays the single judge of
what a valid value is; these forms only shape the input."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .facets import Facet, Field

# Browser auto-fill hints for the profile fields we know.
AUTOCOMPLETE = {
    ("identity", "given_name"): "given-name",
    ("identity", "family_name"): "family-name",
    ("contact", "email"): "email",
    ("contact", "phone"): "tel",
    ("birthdate", "date"): "bday",
    ("address", "line1"): "address-line1",
    ("address", "postcode"): "postal-code",
    ("address", "city"): "address-level2",
    ("address", "country"): "country",
}

HELP = {
    "country": _("Two letters, for example FR or BE."),
    "phone": _("With the country code, for example +33 6 12 34 56 78."),
    "date": _("Year, month and day."),
}


def _widget(facet: Facet, spec: Field) -> forms.Widget:
    attrs: dict[str, Any] = {}
    hint = AUTOCOMPLETE.get((facet.key, spec.name))
    if hint:
        attrs["autocomplete"] = hint
    if spec.type == "date":
        return forms.DateInput(attrs={**attrs, "type": "date"})
    if spec.type == "email":
        return forms.EmailInput(attrs=attrs)
    if spec.type == "phone":
        return forms.TextInput(attrs={**attrs, "type": "tel"})
    if spec.type in ("integer", "decimal"):
        attrs["inputmode"] = "numeric" if spec.type == "integer" else "decimal"
    if spec.type == "country":
        attrs.update({"maxlength": 2, "autocapitalize": "characters"})
    return forms.TextInput(attrs=attrs)


class ProfileForm(forms.Form):
    """One input per field of a profile facet; values pass to record_write as text."""

    def __init__(self, *args: Any, facet: Facet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.facet = facet
        for spec in facet.fields:
            self.fields[spec.name] = forms.CharField(
                label=str(spec.label or spec.name),
                required=spec.required,
                max_length=spec.max_length if spec.type != "date" else None,
                help_text=HELP.get(spec.type, ""),
                widget=_widget(facet, spec),
            )

    def record_data(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}

    def label_for(self, name: str) -> str:
        field = self.fields.get(name)
        return str(field.label) if field is not None else name


class PreferenceRowForm(forms.Form):
    key = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. shoe_size")}),
    )
    value = forms.CharField(
        label=_("Value"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 39, or several: fr, en")}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        key = (cleaned.get("key") or "").strip()
        value = (cleaned.get("value") or "").strip()
        if key and not value:
            self.add_error("value", _("Give a value, or clear the name to remove this entry."))
        if value and not key:
            self.add_error("key", _("Give this value a name."))
        return cleaned


class BasePreferenceFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            key = (form.cleaned_data.get("key") or "").strip()
            if key and key in seen:
                form.add_error("key", _("This name is used twice."))
            seen.add(key)

    def record_data(self) -> dict[str, Any]:
        """Rows as a mapping; a value with commas becomes a list of values."""
        data: dict[str, Any] = {}
        for form in self.forms:
            key = (form.cleaned_data.get("key") or "").strip()
            value = (form.cleaned_data.get("value") or "").strip()
            if not key:
                continue
            parts = [part.strip() for part in value.split(",") if part.strip()]
            data[key] = parts if len(parts) > 1 else value
        return data

    def form_for_key(self, key: str) -> forms.Form | None:
        for form in self.forms:
            if (form.cleaned_data.get("key") or "").strip() == key:
                return form
        return None


PreferenceFormSet = forms.formset_factory(
    PreferenceRowForm, formset=BasePreferenceFormSet, extra=3, max_num=64, validate_max=True
)


def preference_rows(data: dict[str, Any] | None) -> list[dict[str, str]]:
    rows = []
    for key, value in sorted((data or {}).items()):
        text = ", ".join(value) if isinstance(value, list) else str(value)
        rows.append({"key": key, "value": text})
    return rows


class ImportForm(forms.Form):
    source = forms.CharField(
        label=_("Brand the data comes from"),
        max_length=80,
        help_text=_("The name you want to see next to these values, for example Maison Laurent."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A CSV of purchases (header: occurred_at, merchant, category, description, "
            "amount, currency, channel) or a JSON file {\"records\": [...]}."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,text/csv,application/json"}),
    )


# --- messages of the vault's validation, in the consumer's language ---------------
#
# vault.facets and vault.importers speak plain English so that the API, the
# commands and the logs all say the same thing. The portal shows those messages
# in the consumer's language: each known wording is matched here and
# translated, its variable parts kept; an unknown wording is shown as it is.

_MESSAGES: tuple[tuple[str, Any], ...] = (
    (r"must be text", _("must be text")),
    (r"must be at most (?P<n>\d+) characters", _("must be at most %(n)s characters")),
    (r"must not contain control characters", _("must not contain control characters")),
    (r"must be one of (?P<choices>.+)", _("must be one of %(choices)s")),
    (r"must be an e-mail address", _("must be an e-mail address")),
    (r"must be a phone number such as (?P<example>.+)",
     _("must be a phone number such as %(example)s")),
    (r"must be a three-letter ISO 4217 code such as EUR",
     _("must be a three-letter ISO 4217 code such as EUR")),
    (r"must be a two-letter ISO 3166 code such as FR",
     _("must be a two-letter ISO 3166 code such as FR")),
    (r"must be a date written YYYY-MM-DD", _("must be a date written YYYY-MM-DD")),
    (r"must be a date between 1900 and today", _("must be a date between 1900 and today")),
    (r"must be a date-time in ISO 8601, e\.g\. (?P<example>\S+)",
     _("must be a date-time in ISO 8601, e.g. %(example)s")),
    (r"must not be before 1970 or in the future", _("must not be before 1970 or in the future")),
    (r"must be a number", _("must be a number")),
    (r"must be a number such as 12\.50", _("must be a number such as 12.50")),
    (r"must be a finite number below one trillion",
     _("must be a finite number below one trillion")),
    (r"must have at most four decimals", _("must have at most four decimals")),
    (r"must be a whole number", _("must be a whole number")),
    (r"must not be negative", _("must not be negative")),
    (r"must be an object of names to values", _("must be an object of names to values")),
    (r"must be an object of field names to values",
     _("must be an object of field names to values")),
    (r"must have at most (?P<n>\d+) entries", _("must have at most %(n)s entries")),
    (r"must have at most (?P<n>\d+) values", _("must have at most %(n)s values")),
    (r"names must be lower-case letters, digits, '_', '\.', '-'",
     _("names must be lower-case letters, digits, '_', '.', '-'")),
    (r"facet '(?P<facet>[^']+)' needs at least one (entry|field)",
     _("facet '%(facet)s' needs at least one value")),
    (r"is not a field of facet '(?P<facet>[^']+)'", _("is not a field of facet '%(facet)s'")),
    (r"is required", _("is required")),
    (r"unknown facet (?P<name>.+); known: (?P<known>.+)",
     _("unknown facet %(name)s; known: %(known)s")),
    (r"facet '(?P<facet>[^']+)' is a profile facet: no occurred_at",
     _("facet '%(facet)s' is a profile facet: no occurred_at")),
    (r"is required for event facets", _("is required for event facets")),
    (r"the file is not valid UTF-8 text", _("the file is not valid UTF-8 text")),
    (r"the file is empty", _("the file is empty")),
    (r"the file is larger than (?P<n>\d+) MiB", _("the file is larger than %(n)s MiB")),
    (r"unsupported format (?P<format>.+): use csv or json",
     _("unsupported format %(format)s: use csv or json")),
    (r"missing or unreadable header", _("missing or unreadable header")),
    (r"expected (?P<expected>\d+) values, found (?P<found>\d+)",
     _("expected %(expected)s values, found %(found)s")),
    (r"more than (?P<n>\d+) records in one file", _("more than %(n)s records in one file")),
    (r"more than (?P<n>\d+) records", _("more than %(n)s records")),
    (r"malformed CSV \((?P<detail>.*)\)", _("malformed CSV (%(detail)s)")),
    (r"malformed JSON \((?P<detail>.*)\)", _("malformed JSON (%(detail)s)")),
    (r"no records after the header", _("no records after the header")),
    (r'expected \{"records": \[ \.\.\. \]\} at the top level',
     _('expected {"records": [ ... ]} at the top level')),
    (r"is not a known top-level key", _("is not a known top-level key")),
    (r"the list of records is empty", _("the list of records is empty")),
    (r"must be an object with facet and data", _("must be an object with facet and data")),
    (r"is not a record key \(facet, occurred_at, data\)",
     _("is not a record key (facet, occurred_at, data)")),
    (r"name the brand the data comes from", _("name the brand the data comes from")),
    (r"must be at most 80 printable characters", _("must be at most 80 printable characters")),
    (r"missing column\(s\) (?P<names>.+)", _("missing column(s) %(names)s")),
    (r"unknown column\(s\) (?P<names>.+)", _("unknown column(s) %(names)s")),
    (r"repeated column names", _("repeated column names")),
)
_HEADER = re.compile(r"(?P<detail>.*)\. Expected: (?P<expected>\S+)")
_COMPILED = tuple((re.compile(pattern), text) for pattern, text in _MESSAGES)


def describe(message: str) -> str:
    """A validation message from the vault in the active language."""
    header = _HEADER.fullmatch(message)
    if header:
        detail = "; ".join(describe(part) for part in header.group("detail").split("; "))
        return str(_("%(detail)s. Expected: %(expected)s")) % {
            "detail": detail, "expected": header.group("expected")}
    for pattern, text in _COMPILED:
        match = pattern.fullmatch(message)
        if match:
            return str(text) % match.groupdict() if match.groupdict() else str(text)
    return message

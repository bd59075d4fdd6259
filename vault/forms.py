"""Vault forms, generated from the facet registry so the portal never repeats
a schema: the registry's validation (vault.facets) stays the single judge of
what a valid value is; these forms only shape the input."""

from __future__ import annotations

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

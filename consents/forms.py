"""Forms of the consent screen and of the consent pages. They only turn what
was ticked into a choice; the rules (never more than asked, never wider than
before) are checked again by the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import READ, WRITE
from .scopes import facet_info, reductions

FULL = "full"


class ConsentForm(forms.Form):
    """The consumer's answer to an authorization request.

    One row per requested facet: share it or not, in full or in a reduced form
    (read access only), with or without write access; and for how long, up to
    what was asked.
    """

    consent_days = forms.IntegerField(label=gettext_lazy("For how many days"))

    def __init__(self, *args: Any, requested: dict[str, list[str]], max_days: int,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requested = requested
        self.max_days = max_days
        days = self.fields["consent_days"]
        days.initial = max_days
        days.validators += [MinValueValidator(1), MaxValueValidator(max_days)]
        days.widget.attrs.update({"min": 1, "max": max_days})
        for facet, modes in requested.items():
            self.fields[f"share_{facet}"] = forms.BooleanField(required=False, initial=True)
            if READ in modes and reductions(facet):
                choices = [(FULL, FULL)] + [(key, key) for key in reductions(facet)]
                self.fields[f"form_{facet}"] = forms.ChoiceField(
                    choices=choices, initial=FULL, required=False
                )
            if READ in modes and WRITE in modes:
                self.fields[f"write_{facet}"] = forms.BooleanField(required=False, initial=True)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        granted: dict[str, set[str]] = {}
        for facet, modes in self.requested.items():
            if not cleaned.get(f"share_{facet}"):
                continue
            if READ in modes:
                chosen = cleaned.get(f"form_{facet}") or FULL
                target = facet if chosen == FULL else chosen
                if target != facet and target not in reductions(facet):
                    raise forms.ValidationError(_("Choose one of the forms offered."))
                granted.setdefault(target, set()).add(READ)
            if WRITE in modes and (READ not in modes or cleaned.get(f"write_{facet}")):
                granted.setdefault(facet, set()).add(WRITE)
        if not granted:
            raise forms.ValidationError(
                _("Tick at least one kind of data to share, or refuse the request.")
            )
        self.granted = {facet: sorted(modes) for facet, modes in sorted(granted.items())}
        return cleaned

    def rows(self) -> list[dict[str, Any]]:
        """Current state of each row, bound or initial, for the template."""
        rows = []
        for facet, modes in self.requested.items():
            info = facet_info(facet)
            share = self[f"share_{facet}"].value()
            row: dict[str, Any] = {
                "facet": facet, "info": info, "modes": modes,
                "read": READ in modes, "write": WRITE in modes,
                "share": bool(share) if self.is_bound else True,
                "form": FULL, "keep_write": True,
                "reductions": [facet_info(key) for key in reductions(facet)] if READ in modes else [],
            }
            if f"form_{facet}" in self.fields:
                row["form"] = self[f"form_{facet}"].value() or FULL
            if f"write_{facet}" in self.fields:
                value = self[f"write_{facet}"].value()
                row["keep_write"] = bool(value) if self.is_bound else True
            rows.append(row)
        return rows


class NarrowForm(forms.Form):
    """Keep part of a consent: untick access to drop it, or bring the end nearer."""

    expires_on = forms.DateField(
        required=False, label=gettext_lazy("End on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, grants: dict[str, list[str]], expires_at: dt.datetime,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grants = grants
        self.expires_at = expires_at
        for facet, modes in grants.items():
            for mode in modes:
                self.fields[f"keep_{facet}_{mode}"] = forms.BooleanField(required=False, initial=True)

    def clean_expires_on(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get("expires_on")
        if value is None:
            return None
        if value <= timezone.localdate():
            raise forms.ValidationError(_("Choose a later day, or revoke the consent to end it now."))
        if value > timezone.localtime(self.expires_at).date():
            raise forms.ValidationError(_("A consent can be shortened here, not extended."))
        return value

    def kept(self) -> dict[str, list[str]]:
        kept: dict[str, list[str]] = {}
        for facet, modes in self.grants.items():
            for mode in modes:
                if self.cleaned_data.get(f"keep_{facet}_{mode}"):
                    kept.setdefault(facet, []).append(mode)
        return kept

    def new_expiry(self) -> dt.datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        end = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
        return min(end, self.expires_at)

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for facet, modes in self.grants.items():
            info = facet_info(facet)
            entries = []
            for mode in modes:
                bound = self[f"keep_{facet}_{mode}"]
                checked = bool(bound.value()) if self.is_bound else True
                entries.append({"mode": mode, "name": bound.html_name, "checked": checked})
            rows.append({"facet": facet, "info": info, "entries": entries})
        return rows

"""Forms of the regulator portal: input shape only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from audit.selectors import EventFilters
from core.datetimes import day_start

_DATE = forms.DateInput(attrs={"type": "date"})


def _start_of(day: dt.date | None, *, days_after: int = 0) -> dt.datetime | None:
    """Midnight of ``days_after`` days after ``day`` in the current time zone
    (0001-01-01 and 9999-12-31 included: see core.datetimes)."""
    if day is None:
        return None
    return day_start(day, timezone.get_current_timezone(), days_after=days_after)


class RegulatorSearchForm(forms.Form):
    brand = forms.SlugField(label=_("Brand (slug)"), required=False)
    actor_type = forms.ChoiceField(
        label=_("Actor type"), required=False,
        choices=[("", _("Any")), *AuditEvent.ActorType.choices],
    )
    actor_id = forms.CharField(label=_("Actor id"), required=False, max_length=80)
    action = forms.CharField(label=_("Action"), required=False, max_length=48,
                             help_text=_("Exact, or a prefix such as consent.*"))
    outcome = forms.ChoiceField(label=_("Outcome"), required=False,
                                choices=[("", _("Any")), *AuditEvent.Outcome.choices])
    subject = forms.CharField(label=_("Subject pseudonym"), required=False, max_length=80)
    consent_id = forms.CharField(label=_("Consent id"), required=False, max_length=64)
    since = forms.DateField(label=_("From"), required=False, widget=_DATE)
    until = forms.DateField(label=_("To (inclusive)"), required=False, widget=_DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def filters(self) -> EventFilters:
        data = self.cleaned_data if self.is_valid() else {}
        until = data.get("until")
        return EventFilters(
            brand=data.get("brand", ""), actor_type=data.get("actor_type", ""),
            actor_id=data.get("actor_id", "").strip(), action=data.get("action", "").strip(),
            outcome=data.get("outcome", ""), subject=data.get("subject", "").strip(),
            consent_id=data.get("consent_id", "").strip(),
            since=_start_of(data.get("since")),
            until=_start_of(until, days_after=1),
        )


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=_DATE)
    until = forms.DateField(label=_("To (inclusive)"), required=False, widget=_DATE)

    def period(self) -> tuple[dt.datetime, dt.datetime | None]:
        data = self.cleaned_data if self.is_valid() else {}
        today = timezone.localdate()
        since = data.get("since") or today - dt.timedelta(days=30)
        until = data.get("until")
        return (_start_of(since) or timezone.now(),
                _start_of(until, days_after=1))


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80,
                           help_text=_("What the token is for, to recognise it later."))

"""Filter forms of the Activity page and the regulator portal: input shape only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_DATE = forms.DateInput(attrs={"type": "date"})


def _start_of(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


class ActivityFilterForm(forms.Form):
    actor = forms.ChoiceField(label=_("Who"), required=False)

    def __init__(self, *args: Any, actors: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["actor"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 (declared just above)
        field.choices = [("", _("Everyone")), *actors]

    def actor_key(self) -> tuple[str, str] | None:
        if not self.is_valid() or not self.cleaned_data.get("actor"):
            return None
        actor_type, _sep, actor_id = self.cleaned_data["actor"].partition(":")
        return actor_type, actor_id

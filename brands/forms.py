"""Brand portal forms (clients). Validation of URIs and purposes lives in the
services; the form only collects the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from consents.scopes import PURPOSES


class ClientForm(forms.Form):
    name = forms.CharField(label=_("Name shown to consumers"), max_length=120)
    redirect_uris = forms.CharField(
        label=_("Redirect URIs (one per line, matched exactly)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    client_type = forms.ChoiceField(
        label=_("Client type"),
        choices=[("confidential", _("Confidential (a server keeps a secret)")),
                 ("public", _("Public (mobile or browser app, PKCE only)"))],
        initial="confidential", widget=forms.RadioSelect,
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purposes you may ask consent for"),
        choices=[(key, format_lazy("{} — {}", key, label)) for key, label in PURPOSES.items()],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in PURPOSES:
            self.fields[f"description_{key}"] = forms.CharField(
                required=False, max_length=300, label=_("What %(purpose)s means here") % {"purpose": key},
            )
        if editing:
            del self.fields["client_type"]

    def uris(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["redirect_uris"].splitlines() if line.strip()]

    def declared(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"description_{key}", "") for key in self.cleaned_data["purposes"]}

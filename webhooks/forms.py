"""Brand portal forms for webhook endpoints: input shape only; the destination
rules (https, public addresses) live in the transport."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .events import SUBSCRIBABLE_EVENT_TYPES

EVENT_TYPE_HELP = {
    "consent.granted": _("A consumer granted your application a consent."),
    "consent.narrowed": _("A consumer removed facets from a consent or shortened it."),
    "consent.revoked": _("A consumer revoked a consent; its tokens no longer work."),
    "consent.expired": _("A consent reached its end date."),
    "data.erased": _("A consumer erased their vault; delete what you copied."),
}


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label=_("Destination URL"),
        max_length=2000,
        assume_scheme="https",
        help_text=_("An https address on the public internet. Redirects are not followed."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[
            (name, format_lazy("{} — {}", name, EVENT_TYPE_HELP[name]))
            for name in SUBSCRIBABLE_EVENT_TYPES
        ],
        widget=forms.CheckboxSelectMultiple,
        initial=list(SUBSCRIBABLE_EVENT_TYPES),
    )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Webhooks to brands: endpoints, the outbox written in the changing
    transaction, signed delivery over a pinned, SSRF-safe transport."""

    name = "webhooks"
    verbose_name = _("Webhooks")

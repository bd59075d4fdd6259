from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Webhooks to brands: endpoints, the outbox written in the changing
    transaction, signed delivery over a pinned, SSRF-safe transport."""

    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        # Every event consents raise for a brand goes to its outbox, in the
        # transaction of the change.
        from consents import hooks as consent_hooks

        from .outbox import webhook_enqueue

        consent_hooks.brand_event.register(webhook_enqueue)

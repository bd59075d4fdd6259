from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentsConfig(AppConfig):
    name = "consents"
    verbose_name = _("Consents")

    def ready(self) -> None:
        # Before a vault is erased, its consents end their tokens and tell the
        # brands, in the erasure's transaction.
        from vault import hooks as vault_hooks

        from .services import consents_on_erasure

        vault_hooks.erasing.register(consents_on_erasure)

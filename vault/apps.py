from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "vault"
    verbose_name = "Vault"

    def ready(self) -> None:
        # Fail at start-up, not at the first request, when keys are unusable.
        from .crypto import keyring

        keyring()

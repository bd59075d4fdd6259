from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "vault"
    verbose_name = "Vault"

    def ready(self) -> None:
        # Fail at start-up, not at the first request, when keys are unusable.
        from audit.labels import facet_labels_register

        from . import checks  # noqa: F401 - registers the system checks
        from .crypto import keyring
        from .facets import FACETS

        keyring()
        facet_labels_register({key: facet.label for key, facet in FACETS.items()})

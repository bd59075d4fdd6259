from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegulatorConfig(AppConfig):
    """Regulators: their portal, their API over the audit log, their tokens."""

    name = "regulator"
    verbose_name = _("Regulators")

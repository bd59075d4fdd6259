from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Insights and aggregates"

    def ready(self) -> None:
        # Insights follow the vault and its consents: stale at once, recomputed
        # on commit. The lower layers call these hooks; they never import us.
        from consents import hooks as consent_hooks
        from vault import hooks as vault_hooks

        from .services import insights_stale_after_consent_change, schedule_refresh

        vault_hooks.data_changed.register(schedule_refresh)
        consent_hooks.consent_changed.register(insights_stale_after_consent_change)

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The bottom layer: what every app shares (errors, settings access, audit
    actors, request helpers, hooks, the page shell). It imports no other app."""

    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The consumer's home, on top of every other app: the dashboard, and the
    demo seeding that needs every app at once."""

    name = "portal"
    verbose_name = "Consumer portal"

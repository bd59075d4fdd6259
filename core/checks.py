"""System checks shared by every app: what ``manage.py check --deploy`` refuses."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.utils.module_loading import import_string

# Django's backends that deliver nothing: fine for development and tests, never
# in production (password-reset links would be printed, kept in memory or
# written to files). config/settings/production.py refuses them at start-up.
NON_DELIVERING_MAIL_BACKENDS = frozenset({
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
})


@register(Tags.security, deploy=True)
def mail_backend_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The configured mail backend exists and delivers mail."""
    backend = str(settings.EMAIL_BACKEND)
    if backend in NON_DELIVERING_MAIL_BACKENDS:
        return [Error(
            f"EMAIL_BACKEND is {backend}, which delivers no mail.",
            hint="Set EMAIL_URL (SMTP) or EMAIL_BACKEND to a real backend (docs/operations.md).",
            id="core.E001",
        )]
    try:
        import_string(backend)
    except ImportError as error:
        return [Error(
            f"EMAIL_BACKEND {backend!r} cannot be imported ({error}).",
            hint="Install the mail provider's package or correct the dotted path.",
            id="core.E001",
        )]
    return []

"""One way to read options: each app's namespaced dict in the settings, over
defaults the app declares (the model is django-oauth-toolkit's settings object).

    # vault/conf.py
    vault_settings = AppSettings("VAULT", defaults={"MAX_IMPORT_BYTES": 32 * 1024 * 1024})

    # anywhere in the vault
    from .conf import vault_settings
    vault_settings.MAX_IMPORT_BYTES

The settings files override only what the deployment changes (most often from
the environment); everything else comes from the app's defaults, where it is
documented. Values are read at each access, never cached, so
``override_settings(VAULT={...})`` in a test takes effect at once, and an
unknown name fails loudly instead of silently reading ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class AppSettings:
    def __init__(self, setting: str, *, defaults: Mapping[str, Any],
                 required: tuple[str, ...] = ()) -> None:
        self._setting = setting
        self._defaults = dict(defaults)
        self._required = required

    def _configured(self) -> Mapping[str, Any]:
        configured = getattr(settings, self._setting, None) or {}
        unknown = set(configured) - set(self._defaults) - set(self._required)
        if unknown:
            raise ImproperlyConfigured(
                f"settings.{self._setting} has unknown option(s): {', '.join(sorted(unknown))}")
        return configured

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or not name.isupper():
            raise AttributeError(name)
        configured = self._configured()
        if name in configured:
            return configured[name]
        if name in self._defaults:
            return self._defaults[name]
        if name in self._required:
            raise ImproperlyConfigured(f"settings.{self._setting}[{name!r}] must be set")
        raise AttributeError(f"{self._setting} has no option {name!r}")

    def __repr__(self) -> str:
        return f"<AppSettings {self._setting}>"


# Options of the core layer itself, shared by every app: ``settings.CORE``.
core_settings = AppSettings("CORE", defaults={
    # Networks (CIDRs, e.g. "10.0.0.0/8") of the reverse proxies and load
    # balancers in front of Sillage. Only a connection from one of these may
    # say, in X-Forwarded-For, which client it forwards. Empty: the client is
    # the connection's own address (REMOTE_ADDR), and X-Forwarded-For is ignored.
    "TRUSTED_PROXIES": [],
    # Sent on every response (core.middleware.SecurityHeadersMiddleware):
    # everything from this server only, no inline script or style, no plug-in,
    # never framed, forms posted to this server only. A view adds a source for
    # one response with core.csp.csp_allow (the consent screen lets its form
    # reach the brand's registered return address; the API docs allow data:
    # images). Keys are CSP directives, values lists of sources.
    "CONTENT_SECURITY_POLICY": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
})

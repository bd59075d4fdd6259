"""Production: PostgreSQL, Redis-backed Celery, secrets from the environment only.

Every secret is required; a missing one stops start-up with ImproperlyConfigured
naming it, rather than falling back to something guessable.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env, vault_settings

REQUIRED = (
    "DJANGO_SECRET_KEY",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "SILLAGE_VAULT_KEYS",
    "SILLAGE_INDEX_KEY",
    "SILLAGE_AUDIT_SIGNING_KEY",
)
_missing = [name for name in REQUIRED if not os.environ.get(name)]
if _missing:
    raise ImproperlyConfigured(
        "Sillage refuses to start: missing environment variable(s) "
        + ", ".join(_missing)
        + ". See docs/operations.md."
    )
_secrets = {name: os.environ.get(name, "") for name in (*REQUIRED, "SILLAGE_VAULT_ACTIVE_KEY")}

DEBUG = False
SECRET_KEY = _secrets["DJANGO_SECRET_KEY"]
VAULT = vault_settings(_secrets)
AUDIT = audit_settings(_secrets)  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = False
CACHES = {"default": env.cache("CACHE_URL", default="rediscache://127.0.0.1:6379/1")}

SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
CONN_MAX_AGE = env.int("CONN_MAX_AGE", default=60)

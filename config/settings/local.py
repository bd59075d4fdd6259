"""Embedded default: SQLite, eager tasks, generated development keys."""

from __future__ import annotations

import os

from config import devkeys

from .base import *  # noqa: F403
from .base import BASE_DIR, env, vault_settings

DEBUG = env.bool("DJANGO_DEBUG", default=True)
_dev = devkeys.load_or_create(BASE_DIR / ".sillage" / "dev-keys.json")
_secrets = {name: os.environ.get(name) or value for name, value in _dev.items()}

SECRET_KEY = _secrets["DJANGO_SECRET_KEY"]
VAULT = vault_settings(_secrets)
AUDIT = audit_settings(_secrets)  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
(BASE_DIR / "var" / "static").mkdir(parents=True, exist_ok=True)  # STATIC_ROOT, for whitenoise

"""Test settings: SQLite unless DATABASE_URL says otherwise, throw-away keys,
eager tasks, fast password hashing."""

from __future__ import annotations

import os

from config import devkeys

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, env, vault_settings

DEBUG = False
_secrets = devkeys.random_keys()
SECRET_KEY = _secrets["DJANGO_SECRET_KEY"]
VAULT = vault_settings(_secrets)
AUDIT = audit_settings(_secrets)  # noqa: F405
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# One test database per pytest process, so concurrent runs never destroy each
# other's; file-based on SQLite so that a real Celery worker can share it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_sillage_{os.getpid()}"}
(BASE_DIR / "var" / "static").mkdir(parents=True, exist_ok=True)  # STATIC_ROOT, for whitenoise

# Webhooks: tests deliver to receivers on 127.0.0.1 over http; the SSRF tests
# switch these back off to check the refusals.
WEBHOOKS = {  # noqa: F405
    **WEBHOOKS,  # noqa: F405
    "ALLOW_HTTP": True,
    "ALLOW_PRIVATE_DESTINATIONS": True,
}

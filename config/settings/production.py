"""Production: PostgreSQL, Redis-backed Celery, secrets from the environment only.

Every secret is required; a missing one stops start-up with ImproperlyConfigured
naming it, rather than falling back to something guessable.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from core.checks import NON_DELIVERING_MAIL_BACKENDS

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


# --- Keystore: the wrapped data keys in their own database ---------------------
# Erasure destroys a vault's wrapped data key; the records' ciphertext may survive
# in the main database's backups, WAL archives and replicas, and is unreadable
# only if no copy of the key survives with it. So the keys live in a database of
# their own, with its own short backup retention (docs/security.md, Erasure).
# Keeping them in the main database takes an explicit SILLAGE_KEYSTORE_SAME_DATABASE=1,
# and every start then warns (vault.W001).
def _same_database(first: dict[str, Any], second: dict[str, Any]) -> bool:
    def where(database: dict[str, Any]) -> tuple[str, str, str, str]:
        host = str(database.get("HOST") or "").lower()
        local = host in ("", "localhost", "127.0.0.1", "::1")
        default_port = "5432" if "postgresql" in database["ENGINE"] else ""
        return (database["ENGINE"], "local" if local else host,
                str(database.get("PORT") or default_port), str(database.get("NAME") or ""))

    return where(first) == where(second)


_keystore_same = env.bool("SILLAGE_KEYSTORE_SAME_DATABASE", default=False)
if not os.environ.get("SILLAGE_KEYSTORE_DATABASE_URL") and not _keystore_same:
    raise ImproperlyConfigured(
        "Sillage refuses to start: missing environment variable SILLAGE_KEYSTORE_DATABASE_URL "
        "(the wrapped data keys' own database, with a short backup retention). To keep them "
        "in the main database instead, set SILLAGE_KEYSTORE_SAME_DATABASE=1 knowing that "
        "erased vaults then stay recoverable from its backups. See docs/operations.md.")
if os.environ.get("SILLAGE_KEYSTORE_DATABASE_URL") and _keystore_same:
    raise ImproperlyConfigured(
        "Sillage refuses to start: both SILLAGE_KEYSTORE_DATABASE_URL and "
        "SILLAGE_KEYSTORE_SAME_DATABASE=1 are set; keep one. See docs/operations.md.")
if "keystore" in DATABASES and _same_database(DATABASES["keystore"], DATABASES["default"]):  # noqa: F405
    raise ImproperlyConfigured(
        "Sillage refuses to start: SILLAGE_KEYSTORE_DATABASE_URL names the main database "
        "(DATABASE_URL); the keystore must be a database of its own. See docs/operations.md.")

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


# --- Mail: password-reset links must reach people -------------------------------
# A real backend is required: SMTP from EMAIL_URL (smtp+tls://user:password@host:587,
# smtp+ssl://…:465) or EMAIL_HOST (+ EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
# EMAIL_USE_TLS / EMAIL_USE_SSL), or any backend by its dotted path in
# EMAIL_BACKEND (a mail provider's API backend, configured by its own variables).
# Backends that deliver nothing (console, locmem, dummy, file) are refused.
def _mail_settings() -> dict[str, Any]:
    if os.environ.get("EMAIL_URL"):
        variable = "EMAIL_URL"
        try:
            parsed = env.email_url("EMAIL_URL")
        except (ImproperlyConfigured, ValueError, KeyError) as error:
            raise ImproperlyConfigured(
                f"Sillage refuses to start: EMAIL_URL cannot be read ({error}). "
                "See docs/operations.md.") from error
        mail = {key: value for key, value in parsed.items() if value not in (None, "")}
    elif os.environ.get("EMAIL_BACKEND") or os.environ.get("EMAIL_HOST"):
        variable = "EMAIL_BACKEND" if os.environ.get("EMAIL_BACKEND") else "EMAIL_HOST"
        use_ssl = env.bool("EMAIL_USE_SSL", default=False)
        mail = {
            "EMAIL_BACKEND": env.str("EMAIL_BACKEND",
                                     default="django.core.mail.backends.smtp.EmailBackend"),
            "EMAIL_HOST": env.str("EMAIL_HOST", default="localhost"),
            "EMAIL_PORT": env.int("EMAIL_PORT", default=465 if use_ssl else 587),
            "EMAIL_HOST_USER": env.str("EMAIL_HOST_USER", default=""),
            "EMAIL_HOST_PASSWORD": env.str("EMAIL_HOST_PASSWORD", default=""),
            "EMAIL_USE_TLS": env.bool("EMAIL_USE_TLS", default=not use_ssl),
            "EMAIL_USE_SSL": use_ssl,
        }
    else:
        raise ImproperlyConfigured(
            "Sillage refuses to start: missing environment variable EMAIL_URL (or EMAIL_HOST, "
            "or EMAIL_BACKEND naming a mail provider's backend); without it password-reset "
            "links would be written to the server's output. See docs/operations.md.")
    if mail["EMAIL_BACKEND"] in NON_DELIVERING_MAIL_BACKENDS:
        raise ImproperlyConfigured(
            f"Sillage refuses to start: {variable} names {mail['EMAIL_BACKEND']}, which "
            "delivers no mail; give an SMTP server or a mail provider's backend. "
            "See docs/operations.md.")
    # A mail server that does not answer must not hold a web worker for ever.
    mail.setdefault("EMAIL_TIMEOUT", env.int("EMAIL_TIMEOUT", default=10))
    return mail


globals().update(_mail_settings())

"""Settings shared by every environment (12-factor: everything that differs
between deployments comes from the environment, read here with django-environ).

Environment-specific modules (local, test, production) import this one and
supply the secrets: production from the environment only, local and test from
generated development keys.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    # Django's admin on Sillage's site: no log-in form of its own, open only to
    # staff whose session passed the second factor (accounts/admin_site.py).
    "accounts.admin_site.SillageAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Sillage's apps, bottom layer first (docs/architecture.md).
    "core",
    "audit",
    "vault",
    "accounts",
    "consents",
    "brands",
    "webhooks",
    "regulator",
    "analytics",
    "portal",
    "oauth2_provider",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy and no-store on every response below (core/csp.py).
    "core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.RequestIdMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'sillage.sqlite3'}"),
}
# Wrapped data keys may live in their own database (short backup retention), so
# that a restored backup of the records does not bring erased keys back.
if env.str("SILLAGE_KEYSTORE_DATABASE_URL", default=""):
    DATABASES["keystore"] = env.db("SILLAGE_KEYSTORE_DATABASE_URL")

# SQLite (development, tests, small single-host installs): writers queue instead
# of failing with "database is locked". Every transaction takes the write lock
# when it begins (IMMEDIATE), so one that reads and then writes cannot be
# refused half-way; a writer waits up to 20 s for the lock (timeout); WAL lets
# readers go on while one writer commits. secure_delete zeroes deleted rows in
# the file (erased wrapped keys, docs/security.md), whatever SQLite's build default.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;"
    ),
}
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.sqlite3":
        _database["OPTIONS"] = {**SQLITE_OPTIONS, **_database.get("OPTIONS", {})}
DATABASE_ROUTERS = ["vault.routers.KeystoreRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailDigestBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("Français"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Sillage <no-reply@sillage.invalid>")

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://sillage")}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Uploads: the vault enforces its own limit (VAULT["MAX_IMPORT_BYTES"]); Django
# streams anything larger than 2.5 MB to a temporary file rather than memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.parsers.SafeJSONParser"],
    "EXCEPTION_HANDLER": "core.api_errors.json_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sillage API",
    "DESCRIPTION": "Consent-first personal data vault: brand, regulator and aggregate APIs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from this server (no CDN: the product works offline).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="")  or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Every periodic job, in one place (a worker runs them with ``celery beat``).
CELERY_BEAT_SCHEDULE = {
    "vault-enforce-retention": {
        "task": "vault.tasks.enforce_retention",
        "schedule": 3600.0,
    },
    # Safety net of the vacuum queued after each erasure (broker down, lost task):
    # destroyed wrapped keys leave the keystore's files within this interval.
    "vault-keystore-vacuum": {
        "task": "vault.tasks.keystore_vacuum",
        "schedule": env.float("SILLAGE_KEYSTORE_VACUUM_SECONDS", default=3600.0),
    },
    "audit-checkpoint": {
        "task": "audit.tasks.issue_checkpoint",
        "schedule": env.float("SILLAGE_AUDIT_CHECKPOINT_SECONDS", default=300.0),
    },
    "audit-verify": {
        "task": "audit.tasks.verify_log",
        "schedule": 3600.0,
    },
    "webhooks-requeue-due": {
        "task": "webhooks.tasks.requeue_due",
        "schedule": 60.0,
    },
    "consents-expire-due": {
        "task": "consents.tasks.expire_due_consents",
        "schedule": 60.0,
    },
    "consents-clear-expired-credentials": {
        "task": "consents.tasks.clear_expired_credentials",
        "schedule": 6 * 3600.0,
    },
    "analytics-refresh-insights": {
        "task": "analytics.tasks.refresh_all_insights",
        "schedule": 24 * 3600.0,
    },
    "brands-prune-idempotency-keys": {
        "task": "brands.tasks.prune_idempotency_keys",
        "schedule": 6 * 3600.0,
    },
}


def vault_settings(secrets: dict[str, str]) -> dict[str, object]:
    """Vault options in one namespaced dict."""
    return {
        # "id:base64url(32 bytes)" entries, comma separated; several ids allow rotation.
        "KEYS": secrets["SILLAGE_VAULT_KEYS"],
        # The id new data keys are wrapped under; the last listed id when unset.
        "ACTIVE_KEY": secrets.get("SILLAGE_VAULT_ACTIVE_KEY", ""),
        # HMAC key for blind indexes (log-in e-mail look-up) so e-mails are never stored in clear.
        "INDEX_KEY": secrets["SILLAGE_INDEX_KEY"],
        "KEYSTORE_DATABASE": "keystore" if "keystore" in DATABASES else "default",
        # The operator chose to keep the wrapped keys in the main database
        # (production refuses to start without a keystore database otherwise).
        "KEYSTORE_SAME_DATABASE": env.bool("SILLAGE_KEYSTORE_SAME_DATABASE", default=False),
        "MAX_IMPORT_BYTES": env.int("SILLAGE_MAX_IMPORT_BYTES", default=32 * 1024 * 1024),
        "MAX_IMPORT_RECORDS": env.int("SILLAGE_MAX_IMPORT_RECORDS", default=200_000),
    }


# Each app's options: a namespaced dict named after the app, read through the
# app's conf.py (core/conf.py), where every option and its default is written.
# Only what a deployment sets (here, from the environment) is listed below.
CORE = {
    # CIDRs of the load balancers / reverse proxies whose X-Forwarded-For is believed.
    "TRUSTED_PROXIES": env.list("SILLAGE_TRUSTED_PROXIES", default=[]),
}
ACCOUNTS = {
    "LOGIN_MAX_FAILURES": env.int("SILLAGE_LOGIN_MAX_FAILURES", default=5),
    "LOGIN_ACCOUNT_MAX_FAILURES": env.int("SILLAGE_LOGIN_ACCOUNT_MAX_FAILURES", default=20),
    "LOGIN_ADDRESS_MAX_FAILURES": env.int("SILLAGE_LOGIN_ADDRESS_MAX_FAILURES", default=20),
    "LOGIN_BACKOFF_MAX_SECONDS": env.int("SILLAGE_LOGIN_BACKOFF_MAX_SECONDS", default=900),
    "LOGIN_WINDOW_SECONDS": env.int("SILLAGE_LOGIN_WINDOW_SECONDS", default=3600),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # oauthlib's debug messages print issued tokens and request bodies (client
    # secrets): warnings only, whatever LOG_LEVEL says.
    "loggers": {"oauthlib": {"level": "WARNING"}},
}


# --- Audit: append-only log, Merkle tree, signed checkpoints ---------
def audit_settings(secrets: dict[str, str]) -> dict[str, object]:
    """Audit options in one namespaced dict; the signing key is a secret."""
    return {
        # Ed25519 seed (base64, 32 bytes) signing the checkpoints; production refuses to start without it.
        "SIGNING_KEY": secrets.get("SILLAGE_AUDIT_SIGNING_KEY", ""),
        # Log identity on the first line of every checkpoint, and the signing key's name.
        "ORIGIN": env.str("SILLAGE_AUDIT_ORIGIN", default="sillage.example/audit"),
        # Verifier keys ("name+id+key") of retired signing keys, so older checkpoints still verify.
        "PREVIOUS_VERIFIER_KEYS": env.list("SILLAGE_AUDIT_PREVIOUS_VERIFIER_KEYS", default=[]),
        "TOKEN_LIFETIME_DAYS": env.int("SILLAGE_AUDIT_TOKEN_LIFETIME_DAYS", default=90),
    }



# --- Webhooks: Standard Webhooks 1.0 delivery; defaults in webhooks/conf.py ---
WEBHOOKS = {
    "TIMEOUT_SECONDS": env.float("SILLAGE_WEBHOOKS_TIMEOUT_SECONDS", default=5.0),
    "MAX_ATTEMPTS": env.int("SILLAGE_WEBHOOKS_MAX_ATTEMPTS", default=8),
    "QUEUE": env.str("SILLAGE_WEBHOOKS_QUEUE", default=""),
}


# --- OAuth / consents ---------------------------------------------
# django-oauth-toolkit set to the OAuth 2.0 Security BCP (RFC 9700), not to its
# defaults. Grant and token models are swapped for ones that keep only SHA-256
# digests of the bearer values and point at the consent they carry.
OAUTH2_PROVIDER_APPLICATION_MODEL = "brands.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "consents.AccessToken"  # noqa: S105 (a model name)
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "consents.RefreshToken"  # noqa: S105
OAUTH2_PROVIDER_GRANT_MODEL = "consents.Grant"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "consents.IDToken"  # noqa: S105
OAUTH2_PROVIDER = {
    "OAUTH2_SERVER_CLASS": "consents.oauth.SillageServer",
    "OAUTH2_VALIDATOR_CLASS": "consents.oauth.SillageValidator",
    "SCOPES_BACKEND_CLASS": "consents.scopes.FacetScopes",
    # Admin pages change nothing behind the audit log: clients and credentials
    # are read-only there (changes go through the audited services).
    "APPLICATION_ADMIN_CLASS": "brands.admin.ApplicationAdmin",
    "ACCESS_TOKEN_ADMIN_CLASS": "consents.admin.AccessTokenAdmin",
    "REFRESH_TOKEN_ADMIN_CLASS": "consents.admin.RefreshTokenAdmin",
    "GRANT_ADMIN_CLASS": "consents.admin.GrantAdmin",
    "ID_TOKEN_ADMIN_CLASS": "consents.admin.IDTokenAdmin",
    # Never consulted (the facet scopes backend answers), but the toolkit wants it non-empty.
    "SCOPES": {"<facet>:read": "see consents.scopes", "<facet>:write": "see consents.scopes"},
    "DEFAULT_SCOPES": [],
    "PKCE_REQUIRED": True,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    # Upper bound; the server also caps each token at its consent's expiry.
    "ACCESS_TOKEN_EXPIRE_SECONDS": 900,
    # Idle lifetime of a refresh token after its access token expired; a refresh
    # token never outlives its consent whatever this says.
    "REFRESH_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    "REQUEST_APPROVAL_PROMPT": "force",
    "ALLOW_URI_WILDCARDS": False,
    # Plain-http redirect URIs only for loopback clients, and only when asked for.
    "ALLOWED_REDIRECT_URI_SCHEMES": (
        ["https", "http"] if env.bool("SILLAGE_OAUTH_LOOPBACK_HTTP", default=False) else ["https"]
    ),
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    # client_credentials: confidential brand clients, `aggregates` scope only (consents.oauth).
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "refresh_token", "client_credentials"],
    "OAUTH2_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": [
        "client_secret_basic", "client_secret_post", "none",
    ],
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": False,  # loopback http stays possible, see above
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}

# Consents and the brand API in one namespaced dict.
CONSENTS = {
    # Ed25519 seed (base64url, 32 bytes) signing consent receipts. Empty: derived
    # from SECRET_KEY (stable per deployment); set it to rotate independently.
    "RECEIPT_SIGNING_KEY": env.str("SILLAGE_RECEIPT_SIGNING_KEY", default=""),
    "RECEIPT_JURISDICTION": env.str("SILLAGE_RECEIPT_JURISDICTION", default="EU (GDPR)"),
    "CONTROLLER_NAME": env.str("SILLAGE_CONTROLLER_NAME", default="Sillage"),
}
BRANDS = {
    "RATE_LIMIT": env.str("SILLAGE_API_RATE_LIMIT", default="600/min"),
    "MAX_BODY_BYTES": env.int("SILLAGE_API_MAX_BODY_BYTES", default=64 * 1024),
}


# --- Insights and brand aggregates: defaults in analytics/conf.py ---
ANALYTICS = {
    "MIN_GROUP_SIZE": env.int("SILLAGE_AGGREGATES_MIN_GROUP_SIZE", default=10),
    "BRAND_EPSILON_BUDGET": env.float("SILLAGE_AGGREGATES_EPSILON_BUDGET", default=10.0),
}

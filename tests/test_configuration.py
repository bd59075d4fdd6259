"""Start-up behaviour of each environment, as an operator meets it."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories.vault import random_key

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    base = {key: value for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "SILLAGE_", "DATABASE_URL", "CELERY_", "EMAIL_"))}
    return subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**base, **env}, cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
    )


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "x" * 10 + random_key() + random_key(),
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
    # The wrapped data keys' own database (`check` connects to neither).
    "SILLAGE_KEYSTORE_DATABASE_URL": "postgres://postgres@127.0.0.1:5432/sillage_keystore",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "SILLAGE_VAULT_KEYS": f"k1:{random_key()}",
    "SILLAGE_INDEX_KEY": random_key(),
    "SILLAGE_AUDIT_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode(),
    "DJANGO_ALLOWED_HOSTS": "sillage.example",
    "EMAIL_URL": "smtp+tls://sillage:mail-password@smtp.sillage.example:587",
}


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "SILLAGE_VAULT_KEYS", "SILLAGE_INDEX_KEY",
                                     "SILLAGE_AUDIT_SIGNING_KEY", "DATABASE_URL",
                                     "SILLAGE_KEYSTORE_DATABASE_URL"])
def test_production_refuses_to_start_without_a_secret_and_names_it(missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_refuses_a_malformed_vault_key():
    result = _manage("check", env={**PRODUCTION_ENV, "SILLAGE_VAULT_KEYS": "k1:tooshort"})
    assert result.returncode != 0
    assert "must be 32 bytes" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def settings_of(env: dict[str, str], code: str) -> str:
    """The last line ``code`` prints under these settings."""
    result = _manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_keeps_the_wrapped_keys_in_their_own_database():
    printed = settings_of(PRODUCTION_ENV, "from django.conf import settings as s; "
                          "print(s.VAULT['KEYSTORE_DATABASE'], s.DATABASES['keystore']['NAME'])")
    assert printed == "keystore sillage_keystore"


def test_production_keeps_the_keys_in_the_main_database_only_when_told_and_warns_at_every_start():
    env = {key: value for key, value in PRODUCTION_ENV.items()
           if key != "SILLAGE_KEYSTORE_DATABASE_URL"}
    shared = {**env, "SILLAGE_KEYSTORE_SAME_DATABASE": "1"}
    printed = settings_of(shared, "from django.conf import settings as s; "
                          "print(s.VAULT['KEYSTORE_DATABASE'], sorted(s.DATABASES))")
    assert printed == "default ['default']"
    started = _manage("check", env=shared)
    assert started.returncode == 0, started.stderr
    assert "vault.W001" in started.stderr
    assert "SILLAGE_KEYSTORE_SAME_DATABASE" in started.stderr
    deploy = _manage("check", "--deploy", "--fail-level", "WARNING", env=shared)
    assert deploy.returncode != 0
    assert "vault.W001" in deploy.stderr


@pytest.mark.parametrize("keystore", [
    # The "separate" keystore is the main database under another name.
    {"SILLAGE_KEYSTORE_DATABASE_URL": PRODUCTION_ENV["DATABASE_URL"]},
    {"SILLAGE_KEYSTORE_DATABASE_URL": "postgres://postgres@127.0.0.1/test"},
    # Both a keystore and "keep them in the main database": which one was meant?
    {"SILLAGE_KEYSTORE_SAME_DATABASE": "1"},
])
def test_production_refuses_a_keystore_that_is_not_apart(keystore):
    result = _manage("check", env={**PRODUCTION_ENV, **keystore})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SILLAGE_KEYSTORE_DATABASE_URL" in result.stderr


MAIL_VARIABLES = ("EMAIL_URL", "EMAIL_HOST", "EMAIL_BACKEND")


def without_mail(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in PRODUCTION_ENV.items() if key not in MAIL_VARIABLES}
    return {**env, **extra}


def test_production_refuses_to_start_without_a_mail_backend_and_names_the_variable():
    """Password-reset links must reach people, not the server's stdout."""
    result = _manage("check", env=without_mail())
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "EMAIL_URL" in result.stderr


@pytest.mark.parametrize(("variable", "value"), [
    ("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
    ("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"),
    ("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend"),
    ("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"),
    ("EMAIL_URL", "consolemail://"),
    ("EMAIL_URL", "memorymail://"),
    ("EMAIL_URL", "dummymail://"),
    ("EMAIL_URL", "filemail:///tmp/mail"),
])
def test_production_refuses_a_mail_backend_that_delivers_nothing(variable, value):
    result = _manage("check", env=without_mail(**{variable: value}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr
    assert "delivers no mail" in result.stderr


@pytest.mark.parametrize("mail", [
    {"EMAIL_URL": "smtp+ssl://sillage:secret@smtp.sillage.example:465"},
    {"EMAIL_HOST": "smtp.sillage.example", "EMAIL_HOST_USER": "sillage",
     "EMAIL_HOST_PASSWORD": "secret"},
    # A backend named by its dotted path (how a mail provider's API backend is
    # chosen, configured by its own variables); here Django's SMTP one.
    {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
     "EMAIL_HOST": "smtp.sillage.example"},
])
def test_production_accepts_smtp_or_a_named_backend(mail):
    code = ("from django.conf import settings as s; "
            "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL)")
    result = _manage("shell", "-c", code, env=without_mail(**mail))
    assert result.returncode == 0, result.stderr
    backend, host, port, use_tls, use_ssl = result.stdout.strip().splitlines()[-1].split()
    assert backend == "django.core.mail.backends.smtp.EmailBackend"
    assert host == "smtp.sillage.example"
    if "EMAIL_URL" in mail:
        assert (port, use_tls, use_ssl) == ("465", "False", "True")
    else:
        assert (port, use_tls, use_ssl) == ("587", "True", "False")


def test_production_deployment_check_refuses_a_mail_backend_that_cannot_be_imported():
    env = without_mail(EMAIL_BACKEND="mailprovider.backends.EmailBackend")
    result = _manage("check", "--deploy", env=env)
    assert result.returncode != 0
    assert "core.E001" in result.stderr
    assert "EMAIL_BACKEND" in result.stderr


def test_development_generates_local_keys_once_with_a_warning(tmp_path):
    # A copy of the tree layout is not needed: point the key file at a fresh place.
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.local", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    keys = ROOT / ".sillage" / "dev-keys.json"
    existed = keys.exists()
    first = _manage("check", env=env)
    assert first.returncode == 0, first.stderr
    assert keys.exists()
    assert oct(keys.stat().st_mode & 0o777) == "0o600"
    if not existed:
        assert "DEVELOPMENT keys" in first.stderr
    second = _manage("check", env=env)
    assert "DEVELOPMENT keys" not in second.stderr

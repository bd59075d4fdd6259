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
            if not key.startswith(("DJANGO_", "SILLAGE_", "DATABASE_URL", "CELERY_"))}
    return subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**base, **env}, cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
    )


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "x" * 10 + random_key() + random_key(),
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "SILLAGE_VAULT_KEYS": f"k1:{random_key()}",
    "SILLAGE_INDEX_KEY": random_key(),
    "SILLAGE_AUDIT_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode(),
    "DJANGO_ALLOWED_HOSTS": "sillage.example",
}


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "SILLAGE_VAULT_KEYS", "SILLAGE_INDEX_KEY",
                                     "SILLAGE_AUDIT_SIGNING_KEY", "DATABASE_URL"])
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

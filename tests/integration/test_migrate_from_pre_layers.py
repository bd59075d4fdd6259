"""A database made before the apps were split into layers still migrates, still
opens every record and still verifies its audit log.

The fixture in tests/fixtures/pre_layers/ (see its README.md) is a database
built by the code of commit eae56f8, the last one before the User model moved
to ``accounts``, the webhook models to ``webhooks`` and the regulator tokens to
``regulator``: SQLite (``sqlite.sqlite3``) and PostgreSQL (``postgres.sql``),
with its keys (``keys.env``) and what it holds (``expected.json``).

Each backend's database is copied into a scratch database (a temporary file;
on PostgreSQL a fresh ``sillage_pre_layers_<random>`` database, dropped
afterwards). Then, in subprocesses with the production settings, the fixture's
keys and DATABASE_URL pointing at the copy, as an operator would upgrade:
``manage.py migrate``, ``read_back.py`` (opens every account, record, consent
receipt, webhook secret and insight snapshot, and counts every model's rows)
and ``manage.py audit_verify``. SQLite always; PostgreSQL when DATABASE_URL
names a PostgreSQL server (CI runs the suite once on each).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

# Where each model lives NOW, as "app_label.ModelName" for django.apps.apps.get_model,
# and where each function read_back.py calls lives now. The fixture was built when
# all of them were in portal, vault, consents, brands, audit and analytics; when a
# model or function moves to another app, change its entry here, nothing else.
MODELS = {
    "User": "accounts.User",
    "RecoveryCode": "accounts.RecoveryCode",
    "Vault": "vault.Vault",
    "WrappedKey": "vault.WrappedKey",
    "Source": "vault.Source",
    "ImportBatch": "vault.ImportBatch",
    "Record": "vault.Record",
    "Consent": "consents.Consent",
    "Grant": "consents.Grant",
    "AccessToken": "consents.AccessToken",
    "RefreshToken": "consents.RefreshToken",
    "IDToken": "consents.IDToken",
    "Brand": "brands.Brand",
    "BrandMembership": "brands.BrandMembership",
    "Application": "brands.Application",
    "IdempotencyKey": "brands.IdempotencyKey",
    "WebhookEndpoint": "webhooks.WebhookEndpoint",
    "OutboxMessage": "webhooks.OutboxMessage",
    "DeliveryAttempt": "webhooks.DeliveryAttempt",
    "AuditEvent": "audit.AuditEvent",
    "ChainHead": "audit.ChainHead",
    "PendingLeaf": "audit.PendingLeaf",
    "MerkleLeaf": "audit.MerkleLeaf",
    "MerkleNode": "audit.MerkleNode",
    "TreeHead": "audit.TreeHead",
    "Checkpoint": "audit.Checkpoint",
    "RegulatorToken": "regulator.RegulatorToken",
    "VerificationRun": "audit.VerificationRun",
    "InsightSnapshot": "analytics.InsightSnapshot",
    "RecommendationDecision": "analytics.RecommendationDecision",
    "PrivacyBudget": "analytics.PrivacyBudget",
    "AggregateRelease": "analytics.AggregateRelease",
    # Django's own rows that point at accounts.
    "Group": "auth.Group",
    "Session": "sessions.Session",
    "LogEntry": "admin.LogEntry",
}
CODE = {
    "open_records": "vault.selectors.all_records",
    "source_labels": "vault.selectors.source_labels",
    "open_insights": "analytics.selectors.snapshot_payload_open",
    "verify_receipt": "consents.receipts.verify_receipt",
    "receipt_public_key": "consents.receipts.public_key_b64",
    "open_totp_secret": "accounts.services.totp_secret",
    "open_webhook_secret": "webhooks.secrets._open_secret",
    "regulator_token_user": "regulator.services.regulator_token_user",
}

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "pre_layers"
EXPECTED: dict[str, Any] = json.loads((FIXTURE / "expected.json").read_text())
COMMAND_SECONDS = 120
VERIFIED = re.compile(r"^OK: (\d+) events verified, (\d+) checkpoints, tree size (\d+), "
                      r"(\d+) awaiting", re.MULTILINE)


def fixture_keys() -> dict[str, str]:
    keys = {}
    for line in (FIXTURE / "keys.env").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            keys[name.strip()] = value.strip()
    return keys


def environment(database_url: str) -> dict[str, str]:
    """Production settings with the fixture's keys, nothing inherited that configures Sillage."""
    inherited = {name: value for name, value in os.environ.items()
                 if not name.startswith(("SILLAGE_", "DJANGO_", "CELERY_", "DATABASE_URL",
                                         "CACHE_URL", "EMAIL_"))}
    return {
        **inherited,
        **fixture_keys(),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": "memory://",
        "CACHE_URL": "locmemcache://",
        # Required by production; nothing here sends mail.
        "EMAIL_URL": "smtp://127.0.0.1:25",
        # The fixture was built with its keys in the main database, as it is upgraded.
        "SILLAGE_KEYSTORE_SAME_DATABASE": "1",
        "LOG_LEVEL": "WARNING",
    }


def run(args: list[str], *, env: dict[str, str] | None = None, stdin: str | None = None,
        what: str) -> str:
    result = subprocess.run(  # noqa: S603 (fixed commands, our own interpreter)
        args, cwd=ROOT, env=env, input=stdin, capture_output=True, text=True,
        timeout=COMMAND_SECONDS, check=False,
    )
    if result.returncode:
        pytest.fail(f"{what} exited with {result.returncode}:\n{result.stdout[-2000:]}\n"
                    f"{result.stderr[-4000:]}", pytrace=False)
    return result.stdout


@dataclass
class Upgraded:
    """The fixture after an upgrade: what each step printed."""

    backend: str
    expected: dict[str, Any]
    migrate: str
    opened: dict[str, Any]
    verify: str


def upgrade(database_url: str, backend: str) -> Upgraded:
    built = EXPECTED["backends"].get(backend)
    if built is None:
        pytest.fail(f"expected.json has nothing for {backend}: rebuild the fixture "
                    "(tests/fixtures/pre_layers/README.md)", pytrace=False)
    env = environment(database_url)
    manage = [sys.executable, str(ROOT / "manage.py")]
    migrate = run([*manage, "migrate", "--noinput"], env=env, what="manage.py migrate")
    spec = {"models": MODELS, "code": CODE, **built["credentials"]}
    printed = run([sys.executable, str(FIXTURE / "read_back.py")], env=env,
                  stdin=json.dumps(spec), what="read_back.py")
    opened = json.loads(printed.strip().splitlines()[-1])
    verify = run([*manage, "audit_verify"], env=env, what="manage.py audit_verify")
    return Upgraded(backend=backend, expected=built["manifest"], migrate=migrate,
                    opened=opened, verify=verify)


def postgresql_server() -> str | None:
    """``scheme://credentials@host:port`` of the server DATABASE_URL names, if PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return None
    parts = urlsplit(url)
    return f"postgresql://{parts.netloc}"


def psql(server: str, database: str, *args: str, stdin: str | None = None) -> None:
    run(["psql", f"{server}/{database}", "-X", "-q", "-v", "ON_ERROR_STOP=1", *args],
        stdin=stdin, what=f"psql on {database}")


@pytest.fixture(scope="module", params=[
    "sqlite", pytest.param("postgresql", marks=pytest.mark.integration),
])
def upgraded(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upgraded]:
    """The fixture copied into a scratch database and upgraded, once per backend."""
    if request.param == "sqlite":
        copy = tmp_path_factory.mktemp("pre-layers") / "sillage.sqlite3"
        shutil.copyfile(FIXTURE / "sqlite.sqlite3", copy)
        yield upgrade(f"sqlite:///{copy}", "sqlite")
        return
    server = postgresql_server()
    if server is None:
        pytest.skip("PostgreSQL copy: runs when DATABASE_URL names a PostgreSQL server")
    name = f"sillage_pre_layers_{uuid.uuid4().hex[:12]}"
    psql(server, "postgres", "-c", f"CREATE DATABASE {name}")
    try:
        # The dump is our own: drop pg_dump's \restrict guard so any psql 15 loads it.
        dump = (FIXTURE / "postgres.sql").read_text()
        dump = re.sub(r"^\\(un)?restrict .*$", "", dump, flags=re.MULTILINE)
        psql(server, name, stdin=dump)
        yield upgrade(f"{server}/{name}", "postgresql")
    finally:
        psql(server, "postgres", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Where two JSON values differ, as paths (values cut short: synthetic data only)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in sorted(set(expected) | set(actual)):
            where = f"{path}/{key}"
            if key not in actual:
                found.append(f"{where}: missing")
            elif key not in expected:
                found.append(f"{where}: unexpected")
            else:
                found.extend(differences(expected[key], actual[key], where))
        return found
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [line for index, (left, right) in enumerate(zip(expected, actual, strict=True))
                for line in differences(left, right, f"{path}[{index}]")]
    if expected != actual:
        return [f"{path}: expected {json.dumps(expected)[:80]}, got {json.dumps(actual)[:80]}"]
    return []


def assert_same(expected: Any, actual: Any) -> None:
    found = differences(expected, actual)
    assert not found, f"{len(found)} differences:\n" + "\n".join(found[:30])


def test_database_from_before_the_layering_migrates(upgraded: Upgraded) -> None:
    # migrate exited 0 (upgrade() fails the test otherwise). At eae56f8 itself it
    # has nothing to apply; after the layering it applies the moves.
    assert "Operations to perform" in upgraded.migrate


def test_database_from_before_the_layering_migrates_and_every_record_still_opens(
    upgraded: Upgraded,
) -> None:
    expected = upgraded.expected["accounts"]
    opened = upgraded.opened["accounts"]
    assert sorted(opened) == sorted(expected), "accounts (by their opened e-mail) differ"
    assert EXPECTED["erased_account"] not in opened
    for email, account in expected.items():
        if account["vault"] is None:
            continue
        assert_same(account["vault"]["records"], opened[email]["vault"]["records"])
    assert sum(len(account["vault"]["records"]) for account in opened.values()) == (
        upgraded.opened["rows"]["Record"]
    ), "a record belongs to no account"


def test_every_account_still_logs_in_and_keeps_its_second_factor(upgraded: Upgraded) -> None:
    accounts = upgraded.opened["accounts"]
    for email, account in upgraded.expected["accounts"].items():
        if "password_accepted" in account:
            assert accounts[email]["password_accepted"], email
    two_factor = accounts[EXPECTED["two_factor_account"]]
    assert two_factor["two_factor"] is True
    assert two_factor["totp_secret_sha256"] is not None
    assert two_factor["recovery_codes"] == {"total": 10, "used": 1}
    assert [email for email, account in accounts.items() if account["two_factor"]] == [
        EXPECTED["two_factor_account"]
    ]


def test_brand_clients_webhook_endpoints_and_regulator_tokens_survive(upgraded: Upgraded) -> None:
    rows = upgraded.opened["rows"]
    for model in ("Application", "WebhookEndpoint", "OutboxMessage", "DeliveryAttempt",
                  "RegulatorToken", "BrandMembership", "AccessToken", "RefreshToken"):
        assert rows[model] == upgraded.expected["rows"][model] > 0, model
    assert_same(upgraded.expected["brands"], upgraded.opened["brands"])
    # The kept regulator token still authenticates its regulator.
    assert upgraded.opened["regulator_token_opens_account"] == EXPECTED["regulator_account"]


def test_the_audit_log_of_a_database_from_before_the_layering_still_verifies(
    upgraded: Upgraded,
) -> None:
    audit = upgraded.expected["audit"]
    match = VERIFIED.search(upgraded.verify)
    assert match, upgraded.verify
    events, checkpoints, tree_size, pending = map(int, match.groups())
    assert (events, checkpoints, tree_size, pending) == (
        audit["events"], audit["checkpoints"], audit["tree_size"], audit["pending"]
    )
    assert_same(audit, upgraded.opened["audit"])


def test_every_row_of_every_model_is_still_there(upgraded: Upgraded) -> None:
    assert sorted(upgraded.opened["rows"]) == sorted(MODELS)
    assert_same(upgraded.expected["rows"], upgraded.opened["rows"])


def test_everything_a_database_from_before_the_layering_held_reads_back_the_same(
    upgraded: Upgraded,
) -> None:
    """The whole manifest: accounts, vaults (records, sources, imports, insights,
    consents and their receipts), brands, audit counts and rows, exactly."""
    assert_same(upgraded.expected, upgraded.opened)

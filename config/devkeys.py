"""Development keys, generated once into an ignored local file.

Production never reaches this module: its settings read every secret from the
environment and refuse to start without them. Locally, a fresh clone must run
with one command, so we generate random keys on first start and warn loudly
that they are for development only.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import sys
from pathlib import Path


def _random_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _random_seed() -> str:
    """An Ed25519 seed (32 random bytes, standard base64): the audit checkpoint signing key."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


# Secrets added after the first release: filled into an existing dev-keys file.
_ADDED_LATER = {"SILLAGE_AUDIT_SIGNING_KEY": _random_seed}


def _fill_missing(path: Path, keys: dict[str, str]) -> dict[str, str]:
    missing = {name: make() for name, make in _ADDED_LATER.items() if name not in keys}
    if missing:
        keys.update(missing)
        path.write_text(json.dumps(keys, indent=2))
        sys.stderr.write(f"WARNING: added DEVELOPMENT key(s) {', '.join(missing)} to {path}.\n")
    return keys


def load_or_create(path: Path) -> dict[str, str]:
    """Return the development secrets stored at ``path``, creating them if absent."""
    if path.exists():
        return _fill_missing(path, json.loads(path.read_text()))
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "SILLAGE_VAULT_KEYS": f"dev1:{_random_key()}",
        "SILLAGE_VAULT_ACTIVE_KEY": "dev1",
        "SILLAGE_INDEX_KEY": _random_key(),
        "SILLAGE_AUDIT_SIGNING_KEY": _random_seed(),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(keys, handle, indent=2)
    sys.stderr.write(
        f"WARNING: generated DEVELOPMENT keys in {path}. They protect local demo data only; "
        "never use them in production (set SILLAGE_VAULT_KEYS and friends instead).\n"
    )
    return keys


def random_keys() -> dict[str, str]:
    """Throw-away keys for a test run (nothing is written to disk)."""
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "SILLAGE_VAULT_KEYS": f"test1:{_random_key()}",
        "SILLAGE_VAULT_ACTIVE_KEY": "test1",
        "SILLAGE_INDEX_KEY": _random_key(),
        "SILLAGE_AUDIT_SIGNING_KEY": _random_seed(),
    }

"""The checkpoint signing key, from settings (production: the environment only)."""

from __future__ import annotations

from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured

from . import note
from .conf import audit_settings


def previous_verifier_keys() -> list[str]:
    """Verifier keys of retired signing keys, so older checkpoints still verify."""
    value = audit_settings.PREVIOUS_VERIFIER_KEYS
    return [str(item) for item in value] if isinstance(value, list | tuple) else []


def origin() -> str:
    return str(audit_settings.ORIGIN)


@lru_cache(maxsize=4)
def _key(encoded: str) -> Ed25519PrivateKey:
    try:
        return note.private_key_from_seed(encoded)
    except note.NoteError as error:
        raise ImproperlyConfigured(f"SILLAGE_AUDIT_SIGNING_KEY: {error}") from error


def signing_key() -> Ed25519PrivateKey:
    encoded = str(audit_settings.SIGNING_KEY or "")
    if not encoded:
        raise ImproperlyConfigured(
            "SILLAGE_AUDIT_SIGNING_KEY is not set: checkpoints cannot be signed. "
            "See docs/regulator.md (signing key)."
        )
    return _key(encoded)


def verifier() -> note.Verifier:
    """The current public verifier key, as published to regulators."""
    return note.verifier_for(origin(), signing_key())


def trusted_verifiers() -> list[note.Verifier]:
    """The current key first, then retired keys whose older checkpoints still count."""
    keys = [verifier()]
    for text in previous_verifier_keys():
        keys.append(note.parse_verifier(text))
    return keys


def sign_checkpoint(checkpoint: note.Checkpoint) -> str:
    return note.sign(checkpoint.body(), name=origin(), key=signing_key())

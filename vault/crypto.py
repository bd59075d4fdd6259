"""Envelope encryption for vaults.

* Each vault has a random 256-bit data key (DEK). It is only ever stored
  wrapped (AES-256-GCM) by a key-encryption key (KEK) from the keyring, with
  associated data naming the vault, the DEK version and the KEK id, so a wrapped
  key copied to another vault does not unwrap.
* Each record is sealed with AES-256-GCM under its vault's DEK, a fresh 96-bit
  nonce, and associated data binding the ciphertext to its vault, record id,
  facet and key version, so a row copied elsewhere fails to open.

* A service secret (a value Sillage itself must use in clear, such as a
  webhook endpoint's signing secret) is sealed with AES-256-GCM under a key of
  its own purpose, derived from the index key, and bound to its owner's row.

Sealed values are ``version byte || nonce || ciphertext+tag``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import ImproperlyConfigured

from .conf import vault_settings
from .errors import KeyUnavailable, SealError

FORMAT_V1 = b"\x01"
NONCE_BYTES = 12
KEY_BYTES = 32


def _decode_key(key_id: str, text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise ImproperlyConfigured(f"Vault key {key_id!r} is not valid base64.") from error
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"Vault key {key_id!r} must be {KEY_BYTES} bytes, got {len(raw)}."
        )
    return raw


@dataclass(frozen=True)
class Keyring:
    """Key-encryption keys by id; ``active`` wraps new and rotated data keys."""

    keys: Mapping[str, bytes]
    active: str

    @classmethod
    def parse(cls, spec: str, active: str = "") -> Keyring:
        keys: dict[str, bytes] = {}
        for entry in (part.strip() for part in spec.split(",")):
            if not entry:
                continue
            key_id, sep, text = entry.partition(":")
            if not sep or not key_id:
                raise ImproperlyConfigured(
                    "SILLAGE_VAULT_KEYS entries must look like 'id:base64key'."
                )
            if key_id in keys:
                raise ImproperlyConfigured(f"Vault key id {key_id!r} is listed twice.")
            keys[key_id] = _decode_key(key_id, text)
        if not keys:
            raise ImproperlyConfigured("SILLAGE_VAULT_KEYS is empty: the vault has no key.")
        active = active or list(keys)[-1]
        if active not in keys:
            raise ImproperlyConfigured(
                f"SILLAGE_VAULT_ACTIVE_KEY {active!r} is not one of the keyring's ids."
            )
        return cls(keys=keys, active=active)

    def wrap(self, dek: bytes, *, vault_id: str, version: int) -> tuple[str, bytes]:
        aad = _dek_aad(vault_id, version, self.active)
        return self.active, _seal_bytes(self.keys[self.active], dek, aad)

    def unwrap(self, wrapped: bytes, *, kek_id: str, vault_id: str, version: int) -> bytes:
        kek = self.keys.get(kek_id)
        if kek is None:
            raise KeyUnavailable(f"key-encryption key {kek_id!r} is not in the keyring")
        return _open_bytes(kek, wrapped, _dek_aad(vault_id, version, kek_id))


@functools.cache
def keyring() -> Keyring:
    return Keyring.parse(str(vault_settings.KEYS), str(vault_settings.ACTIVE_KEY))


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _dek_aad(vault_id: str, version: int, kek_id: str) -> bytes:
    return f"sillage/dek/v1|{vault_id}|{version}|{kek_id}".encode()


def record_aad(*, vault_id: str, record_id: str, facet: str, key_version: int) -> bytes:
    return f"sillage/record/v1|{vault_id}|{record_id}|{facet}|{key_version}".encode()


def field_aad(*, vault_id: str, owner_id: str, name: str) -> bytes:
    return f"sillage/field/v1|{vault_id}|{owner_id}|{name}".encode()


def _seal_bytes(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT_V1 + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _open_bytes(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    sealed = bytes(sealed)
    if len(sealed) < 1 + NONCE_BYTES + 16 or sealed[:1] != FORMAT_V1:
        raise SealError("not a sealed value")
    try:
        return AESGCM(key).decrypt(sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :], aad)
    except InvalidTag as error:
        raise SealError("authentication failed: wrong key, wrong context or tampering") from error


@functools.lru_cache(maxsize=8)
def _service_key(index_key: str, purpose: str) -> bytes:
    # HKDF over the configured text of the index key, so the key is never the
    # blind-index key itself, and each purpose has its own.
    info = f"sillage/{purpose}/v1".encode()
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(
        index_key.encode()
    )


def seal_service_secret(value: str, *, purpose: str, bound_to: bytes) -> bytes:
    """Seal a secret Sillage must be able to use in clear (outside any vault).

    The key is derived (HKDF-SHA256, info ``sillage/<purpose>/v1``) from
    ``VAULT["INDEX_KEY"]``, which is never rotated since blind indexes depend
    on it, rather than from a KEK, which is rotated and then retired with
    nothing to re-seal these values. ``bound_to`` is the associated data naming
    the row the value belongs to: a sealed value copied to another row fails to
    open. The format is that of every sealed value here. Webhook endpoint
    secrets were sealed with exactly this derivation and format before it moved
    here, so those already stored open unchanged.
    """
    key = _service_key(str(vault_settings.INDEX_KEY), purpose)
    return _seal_bytes(key, value.encode(), bound_to)


def open_service_secret(sealed: bytes | memoryview, *, purpose: str, bound_to: bytes) -> str:
    """Open what ``seal_service_secret`` sealed; SealError on any mismatch."""
    key = _service_key(str(vault_settings.INDEX_KEY), purpose)
    return _open_bytes(key, bytes(sealed), bound_to).decode()


def canonical_json(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


class DataKey:
    """An unwrapped data key bound to one vault: seals and opens its records.

    Holding the AESGCM object avoids re-running the key schedule for each record,
    which matters for 100,000-record imports.
    """

    __slots__ = ("_aead", "version", "vault_id")

    def __init__(self, key: bytes, *, vault_id: str, version: int) -> None:
        self._aead = AESGCM(key)
        self.vault_id = vault_id
        self.version = version

    def seal_record(self, *, record_id: str, facet: str, payload: Any) -> bytes:
        aad = record_aad(
            vault_id=self.vault_id, record_id=record_id, facet=facet, key_version=self.version
        )
        nonce = os.urandom(NONCE_BYTES)
        return FORMAT_V1 + nonce + self._aead.encrypt(nonce, canonical_json(payload), aad)

    def open_record(self, sealed: bytes, *, record_id: str, facet: str) -> Any:
        aad = record_aad(
            vault_id=self.vault_id, record_id=record_id, facet=facet, key_version=self.version
        )
        return json.loads(self._open(sealed, aad))

    def seal_field(self, *, owner_id: str, name: str, value: str) -> bytes:
        aad = field_aad(vault_id=self.vault_id, owner_id=owner_id, name=name)
        nonce = os.urandom(NONCE_BYTES)
        return FORMAT_V1 + nonce + self._aead.encrypt(nonce, value.encode(), aad)

    def open_field(self, sealed: bytes, *, owner_id: str, name: str) -> str:
        aad = field_aad(vault_id=self.vault_id, owner_id=owner_id, name=name)
        return self._open(sealed, aad).decode()

    def _open(self, sealed: bytes, aad: bytes) -> bytes:
        sealed = bytes(sealed)
        if len(sealed) < 1 + NONCE_BYTES + 16 or sealed[:1] != FORMAT_V1:
            raise SealError("not a sealed value")
        try:
            return self._aead.decrypt(sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :], aad)
        except InvalidTag as error:
            raise SealError(
                "authentication failed: wrong key, wrong context or tampering"
            ) from error


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed digest for equality look-ups on values we refuse to store in clear."""
    key = base64.urlsafe_b64decode(
        str(vault_settings.INDEX_KEY) + "=" * (-len(str(vault_settings.INDEX_KEY)) % 4)
    )
    return hmac.new(key, f"{purpose}|{value}".encode(), sha256).hexdigest()


def account_email_index(email: str) -> str:
    """The keyed digest an account is found by: log-in e-mails are never stored
    in clear, only this (and a copy sealed under the account's own key)."""
    return blind_index(email.strip().lower(), purpose="account-email")

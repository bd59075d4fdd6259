"""Endpoint signing secrets: made, sealed at rest, and opened to sign.

We must sign with a brand's secret, so we cannot keep only a digest of it: it
is sealed (AES-256-GCM, under a key derived from the index key) and bound to
its endpoint's id, so a sealed secret copied to another endpoint does not
open. After a rotation the previous secret also signs until its grace period
ends.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import os
import secrets
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from .errors import WebhookError
from .models import WebhookEndpoint
from .signing import SECRET_PREFIX

SECRET_BYTES = 32
_SEAL_FORMAT = b"\x01"
_NONCE_BYTES = 12
_HKDF_INFO = b"sillage/webhooks/endpoint-secret/v1"


def new_secret() -> str:
    """``whsec_`` and the base64 of 32 random bytes, as Standard Webhooks expects."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


@functools.lru_cache(maxsize=4)
def _sealing_key(index_key: str) -> bytes:
    # A key of its own, derived (HKDF) so that it is never the blind-index key itself.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        index_key.encode()
    )


def _secret_aad(endpoint_id: uuid.UUID) -> bytes:
    # Binds the sealed secret to its endpoint: a value copied to another row fails to open.
    return b"sillage.webhook-endpoint-secret|" + endpoint_id.bytes


def seal_secret(*, endpoint_id: uuid.UUID, secret: str) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    key = _sealing_key(settings.VAULT["INDEX_KEY"])
    return _SEAL_FORMAT + nonce + AESGCM(key).encrypt(
        nonce, secret.encode(), _secret_aad(endpoint_id)
    )


def _open_secret(*, endpoint_id: uuid.UUID, sealed: bytes | memoryview) -> str:
    # Keeps its name: the pre-layers upgrade test opens old secrets through it.
    raw = bytes(sealed)
    if raw[:1] != _SEAL_FORMAT:
        raise WebhookError("unknown sealed secret format")
    nonce, ciphertext = raw[1 : 1 + _NONCE_BYTES], raw[1 + _NONCE_BYTES :]
    key = _sealing_key(settings.VAULT["INDEX_KEY"])
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, _secret_aad(endpoint_id)).decode()
    except InvalidTag as error:
        raise WebhookError("the endpoint secret cannot be opened with this key") from error


def signing_secrets(endpoint: WebhookEndpoint, now: dt.datetime) -> list[str]:
    """The secrets to sign with at ``now``: the current one, then the previous
    one while its grace period lasts."""
    current = [_open_secret(endpoint_id=endpoint.id, sealed=endpoint.secret_sealed)]
    if (
        endpoint.previous_secret_sealed
        and endpoint.previous_secret_expires_at
        and endpoint.previous_secret_expires_at > now
    ):
        current.append(
            _open_secret(endpoint_id=endpoint.id, sealed=endpoint.previous_secret_sealed)
        )
    return current

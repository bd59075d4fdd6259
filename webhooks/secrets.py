"""Endpoint signing secrets: made, sealed at rest, and opened to sign.

We must sign with a brand's secret, so we cannot keep only a digest of it: it
is sealed with the vault's primitive for such values
(``vault.crypto.seal_service_secret``) and bound to its endpoint's id, so a
sealed secret copied to another endpoint does not open. After a rotation the
previous secret also signs until its grace period ends.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import uuid

from vault.crypto import SealError, open_service_secret, seal_service_secret

from .errors import SecretUnavailable
from .models import WebhookEndpoint
from .signing import SECRET_PREFIX

SECRET_BYTES = 32
# Both name the key and the binding of every endpoint secret ever sealed: changing
# either makes the stored secrets unreadable.
_PURPOSE = "webhooks/endpoint-secret"
_BINDING = b"sillage.webhook-endpoint-secret|"


def new_secret() -> str:
    """``whsec_`` and the base64 of 32 random bytes, as Standard Webhooks expects."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def seal_secret(*, endpoint_id: uuid.UUID, secret: str) -> bytes:
    return seal_service_secret(secret, purpose=_PURPOSE, bound_to=_BINDING + endpoint_id.bytes)


def _open_secret(*, endpoint_id: uuid.UUID, sealed: bytes | memoryview) -> str:
    # Keeps its name: the pre-layers upgrade test opens old secrets through it.
    try:
        return open_service_secret(
            sealed, purpose=_PURPOSE, bound_to=_BINDING + endpoint_id.bytes
        )
    except SealError as error:
        raise SecretUnavailable("the endpoint secret cannot be opened with this key") from error


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

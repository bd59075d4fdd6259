"""Standard Webhooks 1.0 signatures: what a brand's verifier checks.

Pure functions of the secret, the message id, the time and the body, so the
construction can be compared with the specification's test vector and with
the snippet brands copy from docs/webhooks.md.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Sequence
from hashlib import sha256

SECRET_PREFIX = "whsec_"  # noqa: S105 (the Standard Webhooks prefix, not a secret)


def webhook_signature(*, secret: str, message_id: str, timestamp: int, body: bytes | str) -> str:
    """``v1,<base64 HMAC-SHA256(secret, "id.timestamp.body")>`` (Standard Webhooks 1.0).

    The key is the base64-decoded part of the secret after ``whsec_``.
    """
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    payload = body.encode() if isinstance(body, str) else body
    signed = f"{message_id}.{timestamp}.".encode() + payload
    return "v1," + base64.b64encode(hmac.new(key, signed, sha256).digest()).decode()


def webhook_headers(
    *, secrets_: Sequence[str], message_id: str, timestamp: int, body: bytes | str
) -> dict[str, str]:
    """The three Standard Webhooks headers; several secrets give space-separated signatures."""
    signatures = " ".join(
        webhook_signature(secret=secret, message_id=message_id, timestamp=timestamp, body=body)
        for secret in secrets_
    )
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures,
    }

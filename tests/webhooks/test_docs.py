"""The verification snippet brands copy from docs/webhooks.md really verifies
what Sillage sends (and refuses what it should)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings

from webhooks.secrets import new_secret
from webhooks.signing import webhook_headers

DOC = Path(settings.BASE_DIR) / "docs" / "webhooks.md"
BODY = b'{"data":{"client_id":"lumen-app","consent_id":"c-1"},"type":"consent.revoked"}'


@pytest.fixture(scope="module")
def snippet() -> dict[str, object]:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
    (code,) = [block for block in blocks if "def verify_webhook" in block]
    namespace: dict[str, object] = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 (our own documentation)
    return namespace


def signed(secrets: list[str], *, timestamp: int | None = None, body: bytes = BODY) -> dict:
    return webhook_headers(
        secrets_=secrets, message_id="msg_1", timestamp=timestamp or int(time.time()), body=body
    )


def test_snippet_accepts_a_message_signed_by_sillage(snippet: dict) -> None:
    verify: Callable = snippet["verify_webhook"]  # type: ignore[assignment]
    secret = new_secret()

    assert verify(secret, signed([secret]), BODY)["type"] == "consent.revoked"


def test_snippet_accepts_either_signature_during_a_rotation(snippet: dict) -> None:
    verify: Callable = snippet["verify_webhook"]  # type: ignore[assignment]
    new, old = new_secret(), new_secret()

    assert verify(old, signed([new, old]), BODY)["data"]["consent_id"] == "c-1"
    assert verify(new, signed([new, old]), BODY)["data"]["consent_id"] == "c-1"


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("tampered body", "no valid signature"),
        ("other secret", "no valid signature"),
        ("replayed late", "timestamp"),
        ("no signature", "missing header"),
    ],
)
def test_snippet_refuses_what_it_should(snippet: dict, case: str, reason: str) -> None:
    verify: Callable = snippet["verify_webhook"]  # type: ignore[assignment]
    invalid: type[Exception] = snippet["InvalidWebhook"]  # type: ignore[assignment]
    secret = new_secret()
    headers, body = signed([secret]), BODY
    if case == "tampered body":
        body = BODY.replace(b"c-1", b"c-2")
    elif case == "other secret":
        headers = signed([new_secret()])
    elif case == "replayed late":
        headers = signed([secret], timestamp=int(time.time()) - 600)
    else:
        del headers["webhook-signature"]

    with pytest.raises(invalid, match=reason):
        verify(secret, headers, body)

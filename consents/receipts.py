"""Consent receipts: Kantara Consent Receipt v1.1 fields, signed with Ed25519.

The consumer downloads the receipt as JSON and can check it offline: the
signature covers the canonical JSON of ``receipt`` (sorted keys, no spaces,
UTF-8) and the public key travels in the receipt (``publicKey``) and in
``docs/api.md``. The receipt names the consumer only by their pseudonymous
subject, never by e-mail.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils import translation

from .conf import consents_settings
from .purposes import purpose_default
from .scopes import facet_info

if TYPE_CHECKING:
    from .models import Consent

# Kantara purpose categories closest to ours.
PURPOSE_CATEGORIES = {
    "service": "Core Function",
    "personalisation": "Personalisation",
    "loyalty": "Contracting",
    "analytics": "Improve Performance",
    "marketing": "Marketing",
}


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical(payload: Any) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@cache
def signing_key() -> Ed25519PrivateKey:
    configured = str(consents_settings.RECEIPT_SIGNING_KEY or "")
    if configured:
        seed = _b64url_decode(configured)
    else:
        seed = HKDF(algorithm=SHA256(), length=32, salt=b"sillage-consent-receipts",
                    info=b"ed25519 seed v1").derive(settings.SECRET_KEY.encode())
    if len(seed) != 32:
        raise ValueError("SILLAGE_RECEIPT_SIGNING_KEY must be 32 bytes, base64url-encoded")
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_b64() -> str:
    raw = signing_key().public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return _b64url(raw)


def key_id() -> str:
    return hashlib.sha256(public_key_b64().encode()).hexdigest()[:16]


def build_receipt(consent: Consent) -> dict[str, Any]:
    """The Kantara v1.1 fields for ``consent`` as it stands now, in English
    (``"language": "en"``) whatever language the consumer reads the portal in."""
    pii_categories = []
    with translation.override("en"):
        for facet, modes in sorted((consent.grants or {}).items()):
            info = facet_info(facet)
            pii_categories.append(
                {"facet": facet, "label": str(info.label) if info else facet, "access": list(modes)}
            )
    purpose_text = consent.description or purpose_default(consent.purpose)
    brand = consent.brand
    return {
        "version": "KI-CR-v1.1.0",
        "jurisdiction": consents_settings.RECEIPT_JURISDICTION,
        "consentTimestamp": int(consent.granted_at.timestamp()),
        "collectionMethod": "Sillage consent screen (OAuth 2.0 authorization code + PKCE)",
        "consentReceiptID": str(consent.id),
        "receiptVersion": consent.receipt_version,
        "publicKey": public_key_b64(),
        "language": "en",
        "piiPrincipalId": str(consent.subject),
        "piiControllers": [
            {
                "piiController": brand.name,
                "piiControllerId": brand.slug,
                "verified": brand.verified,
                "onBehalf": False,
            }
        ],
        "policyUrl": "",
        "services": [
            {
                "service": consent.application.name or consent.application.client_id,
                "clientId": consent.application.client_id,
                "purposes": [
                    {
                        "purpose": purpose_text,
                        "purposeKey": consent.purpose,
                        "purposeCategory": [PURPOSE_CATEGORIES.get(consent.purpose, "Other")],
                        "consentType": "EXPLICIT",
                        "piiCategory": pii_categories,
                        "primaryPurpose": consent.purpose == "service",
                        "termination": consent.expires_at.isoformat(),
                        "thirdPartyDisclosure": False,
                    }
                ],
            }
        ],
        "sensitive": any(facet in ("birthdate", "contact", "address", "location")
                         for facet in consent.grants or {}),
        "spiCat": [],
        "status": consent.status,
        "expiresAt": consent.expires_at.isoformat(),
        "revokedAt": consent.revoked_at.isoformat() if consent.revoked_at else None,
    }


def sign_receipt(receipt: dict[str, Any]) -> dict[str, Any]:
    signature = signing_key().sign(canonical(receipt))
    return {
        "receipt": receipt,
        "signature": {"alg": "EdDSA", "crv": "Ed25519", "kid": key_id(), "value": _b64url(signature)},
    }


def verify_receipt(document: dict[str, Any], public_key: str | None = None) -> bool:
    """True when ``document`` (as downloaded) carries a valid signature."""
    try:
        key = Ed25519PublicKey.from_public_bytes(
            _b64url_decode(public_key or document["receipt"]["publicKey"])
        )
        key.verify(_b64url_decode(document["signature"]["value"]), canonical(document["receipt"]))
    except (InvalidSignature, KeyError, TypeError, ValueError):
        return False
    return True

"""Consent options: ``settings.CONSENTS`` over these defaults (read through
``consents_settings.NAME``; see core/conf.py)."""

from core.conf import AppSettings

consents_settings = AppSettings("CONSENTS", defaults={
    # Ed25519 seed (base64url, 32 bytes) signing consent receipts. Empty: derived
    # from SECRET_KEY (stable per deployment); set it to rotate independently.
    "RECEIPT_SIGNING_KEY": "",
    "RECEIPT_JURISDICTION": "EU (GDPR)",
    "CONTROLLER_NAME": "Sillage",
    "MAX_DURATION_DAYS": 365,
    "DEFAULT_DURATION_DAYS": 90,
})

"""Audit options: ``settings.AUDIT`` over these defaults (read through
``audit_settings.NAME``; see core/conf.py). The regulator app reads the page
sizes and token lifetime of its views of the log here too."""

from core.conf import AppSettings

audit_settings = AppSettings("AUDIT", defaults={
    # Ed25519 seed (base64, 32 bytes) signing the checkpoints; a secret.
    # Production refuses to start without it; elsewhere one is derived.
    "SIGNING_KEY": "",
    # Log identity on the first line of every checkpoint, and the signing key's name.
    "ORIGIN": "sillage.example/audit",
    # Verifier keys ("name+id+key") of retired signing keys, so older checkpoints still verify.
    "PREVIOUS_VERIFIER_KEYS": [],
    "SEQUENCE_BATCH_SIZE": 5_000,
    "ACTIVITY_PAGE_SIZE": 25,
    "REGULATOR_PAGE_SIZE": 50,
    "API_PAGE_SIZE": 100,
    "API_MAX_PAGE_SIZE": 1_000,
    "TOKEN_LIFETIME_DAYS": 90,
})

"""Vault options: ``settings.VAULT`` over these defaults (read through
``vault_settings.NAME``; see core/conf.py)."""

from core.conf import AppSettings

vault_settings = AppSettings("VAULT", required=("KEYS", "INDEX_KEY"), defaults={
    # KEYS: "id:base64url(32 bytes)" entries, comma separated; several ids allow
    # rotation. INDEX_KEY: HMAC key of the blind indexes (log-in e-mail look-up),
    # so e-mails are never stored in clear. Both are secrets from the environment.
    # The id new data keys are wrapped under; the last listed id when empty.
    "ACTIVE_KEY": "",
    # Database alias of the wrapped data keys ("keystore" routes them apart).
    "KEYSTORE_DATABASE": "default",
    # True when the operator chose to keep the wrapped keys in the main database
    # (SILLAGE_KEYSTORE_SAME_DATABASE=1): every system check run warns (vault.W001),
    # since backups of that database then hold erased vaults' keys and ciphertext together.
    "KEYSTORE_SAME_DATABASE": False,
    # Erasures within this many seconds share one vacuum of the keystore
    # (services.keystore_vacuum), so the erased keys leave its files within about
    # this long after the commit.
    "KEYSTORE_VACUUM_DELAY_SECONDS": 60,
    # How long that vacuum waits for its lock on the key table before giving up
    # and retrying later; key look-ups queue behind it meanwhile (PostgreSQL).
    "KEYSTORE_VACUUM_LOCK_TIMEOUT_MS": 3000,
    "MAX_IMPORT_BYTES": 32 * 1024 * 1024,
    "MAX_IMPORT_RECORDS": 200_000,
    "IMPORT_BATCH_SIZE": 2_000,
})

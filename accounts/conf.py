"""Account options: ``settings.ACCOUNTS`` over these defaults (read through
``accounts_settings.NAME``; see core/conf.py)."""

from core.conf import AppSettings

accounts_settings = AppSettings("ACCOUNTS", defaults={
    # Failed log-ins allowed per account and per client address in WINDOW seconds.
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_WINDOW_SECONDS": 900,
    # The issuer an authenticator app shows beside the TOTP code.
    "TOTP_ISSUER": "Sillage",
})

"""Account options: ``settings.ACCOUNTS`` over these defaults (read through
``accounts_settings.NAME``; see core/conf.py). The log-in throttle is explained
in docs/security.md ("Log-in throttling")."""

from core.conf import AppSettings

accounts_settings = AppSettings("ACCOUNTS", defaults={
    # Failed log-ins (wrong password or code) allowed at once for one account
    # from one client address; past them, each further attempt waits.
    "LOGIN_MAX_FAILURES": 5,
    # Failures allowed at once for one account from all addresses together
    # (many addresses guessing one password); past them, attempts wait.
    "LOGIN_ACCOUNT_MAX_FAILURES": 20,
    # Failures allowed at once for one client address across all accounts
    # (credential stuffing); past them, attempts wait. IPv6 addresses count by /64.
    "LOGIN_ADDRESS_MAX_FAILURES": 20,
    # The first wait once a budget is used up; it doubles at each further
    # attempt, up to LOGIN_BACKOFF_MAX_SECONDS.
    "LOGIN_BACKOFF_SECONDS": 2,
    "LOGIN_BACKOFF_MAX_SECONDS": 900,
    # Failures are forgotten after this long without a new attempt (at least
    # twice the longest wait, whatever this says).
    "LOGIN_WINDOW_SECONDS": 3600,
    # How long the link that proves a new account's e-mail works (3 days).
    "EMAIL_VERIFY_SECONDS": 3 * 24 * 3600,
    # The issuer an authenticator app shows beside the TOTP code.
    "TOTP_ISSUER": "Sillage",
})

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Accounts: the User model, sign-up, log-in with its throttle and second
    factor, password reset, account deletion."""

    name = "accounts"
    verbose_name = "Accounts"

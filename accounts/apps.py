from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Accounts: the User model, sign-up, log-in with its throttle and second
    factor, password reset, account deletion."""

    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # The account's e-mail and TOTP secret are sealed under its vault's data
        # key: when the vault replaces that key, they follow.
        from vault import hooks as vault_hooks

        from .services import account_fields_rekey

        vault_hooks.rekeyed.register(account_fields_rekey)

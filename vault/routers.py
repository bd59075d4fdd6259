"""Routes wrapped data keys to the keystore database when one is configured."""

from __future__ import annotations

from typing import Any

from .conf import vault_settings


def keystore_alias() -> str:
    return str(vault_settings.KEYSTORE_DATABASE)


class KeystoreRouter:
    """WrappedKey rows go to VAULT["KEYSTORE_DATABASE"]; everything else to default."""

    def _is_key(self, model: Any) -> bool:
        return model._meta.app_label == "vault" and model._meta.model_name == "wrappedkey"

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return keystore_alias() if self._is_key(model) else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return keystore_alias() if self._is_key(model) else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        alias = keystore_alias()
        if alias == "default":
            return None
        if app_label == "vault" and model_name == "wrappedkey":
            return db == alias
        return db == "default"

"""What the vault tells the layers above it (they register in their ready()).

* ``data_changed(vault)``: records were written, corrected, deleted, imported
  or re-keyed. Insights (analytics) go stale and are recomputed on commit.
* ``rekeyed(vault, old_key, new_key)``: the vault's data key was replaced
  (``vault_reencrypt``). Values sealed under it outside the vault's tables (the
  account's e-mail and second factor) are re-sealed now, in this transaction,
  before the old key is destroyed.
* ``erasing(vault_id, actor, request_id)``: the vault is about to be
  crypto-shredded, in the erasure's transaction and before its rows go.
  Consents end their tokens and tell the brands (``data.erased``).
"""

from core.hooks import Hook

data_changed = Hook("vault.data_changed", arguments=("vault",))
erasing = Hook("vault.erasing", arguments=("vault_id", "actor", "request_id"))
rekeyed = Hook("vault.rekeyed", arguments=("vault", "old_key", "new_key"))

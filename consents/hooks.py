"""What consents tell the layers above them (they register in their ready()).

* ``brand_event(brand, event_type, payload, occurred_at)``: a change the brand
  must hear about (``consent.granted``, ``consent.narrowed``,
  ``consent.revoked``, ``consent.expired``, ``data.erased``), with a thin
  payload of ids only. The webhooks app writes it to the brand's outbox, in
  this transaction, and delivers it after the commit.
* ``consent_changed(consent)``: a consent was granted, narrowed, revoked or
  expired. Insights (consent hygiene) go stale and are recomputed on commit.
"""

from core.hooks import Hook

brand_event = Hook("consents.brand_event",
                   arguments=("brand", "event_type", "payload", "occurred_at"))
consent_changed = Hook("consents.consent_changed", arguments=("consent",))

"""Vaults: the one way tests fill a vault (records imported through
vault_import, as a brand's export would be), the export files themselves, and
Camille's usual vault contents."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable, Mapping
from typing import Any

from accounts.models import User
from core.actors import account_actor
from vault.services import ImportResult, vault_import

CSV_HEADER = "occurred_at,merchant,category,description,amount,currency,channel\n"
# A brand's CSV export of two purchases, as a consumer would upload it.
PURCHASES_CSV = (
    CSV_HEADER
    + "2026-01-14T10:30:00Z,Maison Laurent,clothing,Linen shirt,59.90,EUR,store\n"
    + "2026-02-02T18:05:00Z,Boulangerie Ginette,food,Croissants,4.20,EUR,store\n"
)

# Camille's usual vault: one value of her own in most profile facets...
CAMILLE_PROFILE: list[dict[str, Any]] = [
    {"facet": "contact", "data": {"email": "camille@example.test", "phone": "+33 6 12 34 56 78"}},
    {"facet": "birthdate", "data": {"date": "1990-05-17"}},
    {"facet": "address", "data": {"line1": "3 rue des Lilas", "postcode": "75011",
                                  "city": "Paris", "country": "FR"}},
    {"facet": "identity", "data": {"given_name": "Camille", "family_name": "Durand"}},
]
# ...and three purchases from her bakery's export.
CAMILLE_PURCHASES: list[dict[str, Any]] = [
    {"facet": "purchases", "occurred_at": day,
     "data": {"merchant": merchant, "category": category, "amount": amount, "currency": "EUR"}}
    for day, merchant, category, amount in (
        ("2026-01-03T10:00:00Z", "Boulangerie Lune", "groceries", "4.20"),
        ("2026-02-10T18:30:00Z", "Cinéma Étoile", "leisure", "11.50"),
        ("2026-03-21T12:15:00Z", "Boulangerie Lune", "groceries", "6.80"),
    )
]


def export_json(*, records: Iterable[Mapping[str, Any]]) -> bytes:
    """A brand's JSON export of ``records`` (``facet``, ``data``, ``occurred_at`` for events)."""
    return json.dumps({"records": list(records)}).encode()


def export_csv(*, rows: Iterable[str]) -> bytes:
    """A brand's CSV export of purchases: the header, then one line per row."""
    return (CSV_HEADER + "".join(row + "\n" for row in rows)).encode()


def import_records(*, user: User, records: Iterable[Mapping[str, Any]], source: str = "Ma Banque",
                   actor: tuple[str, str] | None = None) -> ImportResult:
    """Store profile values and events in ``user``'s vault: one all-or-nothing
    import of a JSON export from ``source``, through vault_import, done by the
    consumer unless ``actor`` says otherwise."""
    return vault_import(vault=user.vault, source=source, stream=export_json(records=records),
                        filename="export.json", actor=actor or account_actor(user))


def fill_vault(*, user: User) -> None:
    """Camille's usual vault: her own profile values, then her bakery's purchases."""
    import_records(user=user, records=CAMILLE_PROFILE, source="self")
    import_records(user=user, records=CAMILLE_PURCHASES, source="Boulangerie Lune")


def random_key() -> str:
    """32 random bytes in URL-safe base64: the form of SILLAGE_VAULT_KEYS entries."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()

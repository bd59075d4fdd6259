"""An attacker with a copy of the database finds no personal value in it."""

from __future__ import annotations

import json
import logging

import pytest

from tests.dumps import database_bytes
from tests.factories.vault import export_csv, export_json
from vault.services import record_write, vault_import

pytestmark = pytest.mark.django_db

SECRETS = [
    "Zoé-Marguerite", "Vandenbroucke-Secret", "zoe.vandenbroucke@private-mail.test",
    "+33 6 98 76 54 32", "1987-03-21", "17 impasse des Glycines", "Plouharnel-Sur-Mer",
    "Boutique Secrète du Marais", "Robe en soie bleu nuit", "4821.37", "carte-or-77812",
    "thermostat-salon", "taille-38-fr",
]


def test_imported_and_corrected_values_never_reach_the_database_in_clear(consumer, caplog):
    caplog.set_level(logging.DEBUG)
    vault = consumer.vault
    vault_import(
        vault=vault, source="Maison Lumière", actor=("operator", "test"), filename="p.csv",
        stream=export_csv(rows=[
            "2026-02-01T10:00:00Z,Boutique Secrète du Marais,fashion,Robe en soie bleu nuit,"
            "4821.37,EUR,store"
        ]),
    )
    vault_import(
        vault=vault, source="Fnac", actor=("operator", "test"),
        stream=export_json(records=[
            {"facet": "identity", "data": {"given_name": "Zoé-Marguerite",
                                           "family_name": "Vandenbroucke-Secret"}},
            {"facet": "contact", "data": {"email": "zoe.vandenbroucke@private-mail.test",
                                          "phone": "+33 6 98 76 54 32"}},
            {"facet": "birthdate", "data": {"date": "1987-03-21"}},
            {"facet": "address", "data": {"line1": "17 impasse des Glycines",
                                          "city": "Plouharnel-Sur-Mer", "country": "FR"}},
            {"facet": "loyalty", "data": {"programme": "Fnac+", "member_id": "carte-or-77812"}},
            {"facet": "connected", "occurred_at": "2026-01-01T00:00:00Z",
             "data": {"object": "thermostat-salon", "metric": "temperature", "value": "19.5"}},
        ]),
    )
    record_write(vault=vault, facet="preferences", data={"size": "taille-38-fr"},
                 source="self", actor=("consumer", str(vault.subject)))

    dump = database_bytes()
    logs = caplog.text.encode()
    for secret in [*SECRETS, "camille.durand@example.test"]:
        assert secret.encode() not in dump, f"{secret!r} found in the database"
        assert secret.encode() not in logs, f"{secret!r} found in the logs"
        assert json.dumps(secret)[1:-1].encode() not in dump


def test_the_source_brand_name_is_sealed_too(consumer):
    vault_import(vault=consumer.vault, source="Clinique Discrète", actor=("operator", "test"),
                 stream=export_json(records=[{"facet": "birthdate",
                                              "data": {"date": "1990-01-01"}}]))
    assert "Clinique Discrète".encode() not in database_bytes()

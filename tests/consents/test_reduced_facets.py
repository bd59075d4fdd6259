"""Reduced facets disclose less and are computed at read time."""

from __future__ import annotations

import datetime as dt

import pytest

from consents.scopes import all_scopes, parse_scopes, reductions
from vault.reduced import derive, postcode_area

TODAY = dt.date(2026, 6, 1)


@pytest.mark.parametrize(
    ("born", "band"),
    [("2010-06-02", "under 18"), ("2008-06-01", "18-24"), ("2001-06-02", "18-24"),
     ("2001-06-01", "25-34"), ("1990-05-17", "35-44"), ("1960-01-01", "65+")],
)
def test_age_band(born: str, band: str) -> None:
    assert derive("age_band", {"date": born}, today=TODAY) == {"age_band": band}


def test_city_and_postcode_area_drop_the_street() -> None:
    address = {"line1": "3 rue des Lilas", "postcode": "75011", "city": "Paris", "country": "FR"}
    assert derive("city", address, today=TODAY) == {"city": "Paris", "country": "FR"}
    assert derive("postcode_area", address, today=TODAY) == {"postcode_area": "75", "country": "FR"}


@pytest.mark.parametrize(
    ("postcode", "country", "area"),
    [("97110", "FR", "971"), ("20000", "FR", "2A"), ("20200", "FR", "2B"), ("SW1A 1AA", "GB", "SW1A"),
     ("10115", "DE", "10")],
)
def test_postcode_areas(postcode: str, country: str, area: str) -> None:
    assert postcode_area(postcode, country) == area


def test_purchase_categories_count_without_amounts() -> None:
    events = [{"merchant": "A", "category": "Groceries", "amount": "3"},
              {"merchant": "B", "category": "groceries", "amount": "9"},
              {"merchant": "C", "amount": "1"}]
    value = derive("purchase_categories", events, today=TODAY)
    assert value["categories"] == [{"category": "groceries", "purchases": 2},
                                   {"category": "uncategorised", "purchases": 1}]
    assert "A" not in str(value)


def test_nothing_to_derive_gives_none() -> None:
    assert derive("age_band", None, today=TODAY) is None
    assert derive("purchase_categories", [], today=TODAY) is None


def test_scopes_cover_every_facet_and_reduced_ones_are_read_only() -> None:
    scopes = all_scopes()
    assert {"contact:read", "contact:write", "purchases:write", "age_band:read"} <= set(scopes)
    assert "age_band:write" not in scopes
    assert reductions("address") == ["city", "postcode_area"]
    assert parse_scopes(["purchases:write", "purchases:read"]) == {"purchases": ["read", "write"]}


# --- purchase categories: a fixed vocabulary, never a brand's free text ----------------------

def test_purchase_categories_map_to_the_documented_vocabulary() -> None:
    from vault.reduced import PURCHASE_CATEGORY_VOCABULARY, purchase_category

    assert purchase_category("Groceries") == "groceries"
    assert purchase_category("  Épicerie ") == "groceries"
    assert purchase_category("high-tech") == "electronics"
    assert purchase_category("Clinique Saint-Jean, IVG") == "other"
    assert purchase_category("pharmacy") == "other"  # health is never named
    assert purchase_category("") == "uncategorised"
    assert purchase_category(None) == "uncategorised"
    for word in PURCHASE_CATEGORY_VOCABULARY:
        assert purchase_category(word) == word
    events = [{"merchant": "A", "category": "Clinique des Lilas"},
              {"merchant": "B", "category": "groceries"},
              {"merchant": "C", "category": "=HYPERLINK(\"x\")"}]
    value = derive("purchase_categories", events, today=TODAY)
    assert value["categories"] == [{"category": "other", "purchases": 2},
                                   {"category": "groceries", "purchases": 1}]
    assert {item["category"] for item in value["categories"]} <= set(PURCHASE_CATEGORY_VOCABULARY)


def test_the_vocabulary_is_documented() -> None:
    from pathlib import Path

    from vault.reduced import PURCHASE_CATEGORY_VOCABULARY

    api_doc = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    section = api_doc.split("purchase_categories` vocabulary", 1)[1].split("\n## ", 1)[0]
    for word in PURCHASE_CATEGORY_VOCABULARY:
        assert f"`{word}`" in section, word
    # Every category the table names maps to the word of its row.
    from vault.reduced import PURCHASE_CATEGORIES, purchase_category

    rows = [line.split("|")[1:3] for line in section.splitlines() if line.startswith("| `")]
    for word_cell, categories in rows:
        word = word_cell.strip().strip("`")
        if word not in PURCHASE_CATEGORIES:
            continue
        for category in categories.split(","):
            assert purchase_category(category) == word, (category, word)


@pytest.mark.django_db
def test_one_brand_cannot_pass_free_text_to_another_through_the_reduced_facet(
    client: object, filled_consumer: object, make_app: object
) -> None:
    from django.test import Client

    from tests.factories.consents import Flow, api

    assert isinstance(client, Client)
    client.force_login(filled_consumer)
    writer = Flow(client=client, app=make_app()).tokens(scope="purchases:write")["access_token"]
    planted = {"data": {"merchant": "Lune", "category": "Clinique Saint-Jean", "amount": "40",
                        "currency": "EUR"}, "occurred_at": "2026-04-02T08:00:00Z"}
    written = api(writer, "/api/v1/facets/purchases", "post", data=planted,
                  content_type="application/json")
    assert written.status_code == 201, written.content
    reader = Flow(client=client, app=make_app()).tokens(
        scope="purchase_categories:read")["access_token"]
    body = api(reader, "/api/v1/facets/purchase_categories").json()
    assert "clinique" not in str(body).lower()
    categories = {item["category"]: item["purchases"] for item in body["value"]["categories"]}
    assert categories["other"] >= 1

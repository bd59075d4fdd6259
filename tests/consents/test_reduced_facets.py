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

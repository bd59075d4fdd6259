"""Seeing and correcting the vault: every value with where it came from;
corrections are the consumer's own values and bad ones are refused by field."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from tests.factories.vault import import_records
from vault.facets import FACETS
from vault.models import Record
from vault.selectors import current_profile_value

pytestmark = pytest.mark.django_db


def test_the_overview_shows_each_value_with_its_source(logged_in: Client, with_data) -> None:
    with_data()

    html = logged_in.get("/vault/").content.decode()

    assert "Camille" in html
    assert "12 rue des Lilas" in html
    assert "From Maison Laurent" in html
    assert "Maison Laurent" in html
    assert "59.90" in html
    for facet in FACETS.values():
        assert str(facet.label) in html


def test_the_dashboard_greets_by_given_name_and_lists_sources_and_imports(
    logged_in: Client, with_data
) -> None:
    with_data()

    html = logged_in.get("/").content.decode()

    assert "Hello, Camille" in html
    assert "Maison Laurent" in html
    assert "Latest imports" in html
    assert 'href="/vault/import/"' in html
    assert 'href="/vault/export/"' in html


def test_an_events_facet_lists_entries_with_source_and_date(
    logged_in: Client, consumer: User
) -> None:
    import_records(
        user=consumer,
        records=[
            {"facet": "purchases", "occurred_at": f"2026-01-{day:02d}T09:00:00Z",
             "data": {"merchant": f"Shop {day}", "amount": "10", "currency": "EUR"}}
            for day in range(1, 31)
        ],
        source="Carte Plus",
    )

    first = logged_in.get("/vault/purchases/")
    second = logged_in.get("/vault/purchases/?page=2")
    beyond = logged_in.get("/vault/purchases/?page=99")
    forged = [logged_in.get(f"/vault/purchases/?page={page}").status_code
              for page in ("9" * 40, "-3", "abc", "")]

    html = first.content.decode()
    assert first.status_code == 200
    assert "Shop 30" in html
    assert "Shop 5" not in html
    assert "Carte Plus" in html
    assert "Page 1 of 2" in html
    assert "Shop 5" in second.content.decode()
    assert beyond.status_code == 200
    assert beyond.context["page"] == 2
    assert forged == [200, 200, 200, 200]


def test_an_unknown_facet_is_not_found(logged_in: Client) -> None:
    assert logged_in.get("/vault/secrets/").status_code == 404


def test_correcting_a_profile_value_keeps_the_old_one_in_history(
    logged_in: Client, consumer: User, with_data
) -> None:
    with_data()

    response = logged_in.post(
        "/vault/identity/", {"given_name": "Camille-Anne", "family_name": "Durand"}
    )
    page = logged_in.get("/vault/identity/").content.decode()

    assert response.status_code == 302
    current = current_profile_value(vault=consumer.vault, facet=FACETS["identity"])
    assert current is not None
    assert current.data == {"given_name": "Camille-Anne", "family_name": "Durand"}
    assert current.source == "self"
    assert "Camille-Anne" in page
    assert "Replaced" in page
    assert "You" in page
    assert Record.objects.filter(vault=consumer.vault, facet="identity").count() == 2


@pytest.mark.parametrize(
    ("facet", "data", "field", "message"),
    [
        ("address", {"line1": "1 rue X", "postcode": "75001", "city": "Paris",
                     "country": "France"}, "country", "Country must be a two-letter ISO 3166 code"),
        ("birthdate", {"date": "1990-02-31"}, "date", "Date of birth must be a date written YYYY-MM-DD"),
        ("birthdate", {"date": "2999-01-01"}, "date", "Date of birth must be a date between 1900 and today"),
        ("contact", {"email": "not-an-address", "phone": ""}, "email", "E-mail must be an e-mail address"),
        ("contact", {"email": "", "phone": "call me"}, "phone", "Phone must be a phone number"),
    ],
)
def test_a_bad_value_is_refused_next_to_its_field_and_nothing_is_stored(
    logged_in: Client, consumer: User, facet: str, data: dict, field: str, message: str
) -> None:
    response = logged_in.post(f"/vault/{facet}/", data)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Record.objects.filter(vault=consumer.vault).exists()


def test_a_required_field_left_empty_is_named(logged_in: Client, consumer: User) -> None:
    response = logged_in.post("/vault/address/", {"line1": "1 rue X", "city": "", "country": "FR"})

    assert response.status_code == 400
    assert "city" in response.context["form"].errors
    assert not Record.objects.filter(vault=consumer.vault).exists()


def _preference_post(rows: list[tuple[str, str]]) -> dict[str, str]:
    data = {"pref-TOTAL_FORMS": str(len(rows)), "pref-INITIAL_FORMS": "0",
            "pref-MIN_NUM_FORMS": "0", "pref-MAX_NUM_FORMS": "64"}
    for index, (key, value) in enumerate(rows):
        data[f"pref-{index}-key"] = key
        data[f"pref-{index}-value"] = value
    return data


def test_preferences_are_edited_as_rows_and_commas_make_lists(
    logged_in: Client, consumer: User
) -> None:
    response = logged_in.post(
        "/vault/preferences/", _preference_post([("shoe_size", "39"), ("languages", "fr, en"),
                                                 ("", "")])
    )

    assert response.status_code == 302
    current = current_profile_value(vault=consumer.vault, facet=FACETS["preferences"])
    assert current is not None
    assert current.data == {"shoe_size": "39", "languages": ["fr", "en"]}
    page = logged_in.get("/vault/preferences/").content.decode()
    assert 'value="shoe_size"' in page
    assert 'value="fr, en"' in page


def test_a_bad_preference_name_is_refused_on_its_row(logged_in: Client, consumer: User) -> None:
    response = logged_in.post(
        "/vault/preferences/", _preference_post([("size", "M"), ("Shoe Size", "39")])
    )

    assert response.status_code == 400
    row = response.context["formset"].forms[1]
    assert "The name “Shoe Size” is refused: names must be lower-case letters" in row.errors["key"][0]
    assert not Record.objects.filter(vault=consumer.vault).exists()


def test_a_preference_value_without_a_name_is_refused(logged_in: Client, consumer: User) -> None:
    response = logged_in.post("/vault/preferences/", _preference_post([("", "39")]))

    assert response.status_code == 400
    assert "Give this value a name." in response.content.decode()
    assert not Record.objects.filter(vault=consumer.vault).exists()


def test_events_cannot_be_edited_through_the_profile_form(
    logged_in: Client, consumer: User
) -> None:
    response = logged_in.post("/vault/purchases/", {"merchant": "X"})

    assert response.status_code == 404
    assert not Record.objects.filter(vault=consumer.vault).exists()


def test_deleting_a_record_asks_first_then_removes_it(
    logged_in: Client, consumer: User, with_data
) -> None:
    with_data()
    record = Record.objects.get(vault=consumer.vault, facet="purchases")

    page = logged_in.get("/vault/purchases/").content.decode()
    by_get = logged_in.get(f"/vault/purchases/{record.id}/delete/")
    deleted = logged_in.post(f"/vault/purchases/{record.id}/delete/")

    assert "Delete this record for good?" in page
    assert f'action="/vault/purchases/{record.id}/delete/"' in page
    assert by_get.status_code == 405
    assert deleted.status_code == 302
    assert deleted["Location"] == "/vault/purchases/"
    assert not Record.objects.filter(pk=record.pk).exists()

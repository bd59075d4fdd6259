"""/brands/: staff see only their brands, register clients (secret shown once),
rotate secrets, and see consents as counts, never consumer data."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from brands.models import Application
from tests.factories.accounts import client_for
from tests.factories.consents import Flow, basic_auth


@pytest.fixture
def staff(make_staff: Any, app: Any) -> Client:
    return client_for(user=make_staff(app.application.brand, role="developer",
                                      email="dev@brand.example"))


def test_staff_register_a_client_and_see_the_secret_once(staff: Client, app: Any) -> None:
    brand = app.application.brand
    response = staff.post(f"/brands/{brand.slug}/clients/new/", {
        "name": "Shop app", "redirect_uris": "https://shop.example/cb\nhttps://shop.example/cb2",
        "client_type": "confidential", "purposes": ["loyalty", "marketing"],
        "description_loyalty": "Points on every purchase",
    })
    assert response.status_code == 200
    created = Application.objects.get(name="Shop app")
    page = response.content.decode()
    assert created.client_id in page
    secret = page.split('<code class="secret">')[2].split("</code>")[0]
    assert len(secret) > 40
    assert secret not in created.client_secret  # stored as a hash
    assert created.purpose_description("loyalty") == "Points on every purchase"
    assert secret not in staff.get(f"/brands/{brand.slug}/clients/{created.client_id}/").content.decode()


def test_invalid_redirect_uris_are_refused(staff: Client, app: Any) -> None:
    brand = app.application.brand
    for uri in ("http://shop.example/cb", "https://*.shop.example/cb", "https://shop.example/cb#x"):
        response = staff.post(f"/brands/{brand.slug}/clients/new/", {
            "name": "Bad", "redirect_uris": uri, "client_type": "public", "purposes": ["loyalty"]})
        assert response.status_code == 400
    assert not Application.objects.filter(name="Bad").exists()


def test_rotating_the_secret_ends_the_old_one(staff: Client, app: Any) -> None:
    brand = app.application.brand
    response = staff.post(f"/brands/{brand.slug}/clients/{app.client_id}/rotate/")
    new_secret = response.content.decode().split('<code class="secret">')[2].split("</code>")[0]

    def authenticates(secret: str) -> bool:
        answer = Client().post("/o/introspect/", {"token": "x"},
                               HTTP_AUTHORIZATION=basic_auth(app.client_id, secret))
        return answer.status_code == 200

    assert authenticates(new_secret)
    assert not authenticates(app.secret)


def test_consent_counts_without_consumer_data(staff: Client, flow: Flow, app: Any) -> None:
    flow.tokens(scope="contact:read purchases:read")
    page = staff.get(f"/brands/{app.application.brand.slug}/").content.decode()
    assert "purchases" in page
    assert "camille" not in page.lower()
    assert "Durand" not in page


def test_other_brands_are_invisible(staff: Client, make_app: Any) -> None:
    other = make_app()
    slug = other.application.brand.slug
    assert staff.get(f"/brands/{slug}/").status_code == 404
    assert staff.get(f"/brands/{slug}/clients/{other.client_id}/").status_code == 404
    assert staff.post(f"/brands/{slug}/clients/{other.client_id}/rotate/").status_code == 404
    assert staff.post(f"/brands/{slug}/clients/new/", {"name": "x"}).status_code == 404


def test_consumers_see_no_brand(client: Client, filled_consumer: Any) -> None:
    client.force_login(filled_consumer)
    response = client.get("/brands/")
    assert response.status_code == 200
    assert "not a member of any brand" in response.content.decode()

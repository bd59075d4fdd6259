"""The brand-portal aggregates page: staff only, a POST spends budget, past
releases are shown again for free."""

from __future__ import annotations

import pytest

from analytics.models import AggregateRelease, PrivacyBudget

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_staff, make_brand, make_app):
    brand = make_app(make_brand("Maison Lumiere"), purposes=("service", "analytics")).brand
    user = make_staff(brand, email="staff@maison.example")
    return brand, user


def test_staff_release_figures_and_see_them(client, staff):
    brand, user = staff
    client.force_login(user)
    url = f"/insights/brands/{brand.slug}/aggregates/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Remaining epsilon: 10.0000 of 10.0000." in page.content.decode()
    response = client.post(url, {"dimension": "city", "months": "12", "epsilon": "1"})
    assert response.status_code == 302
    assert AggregateRelease.objects.filter(brand=brand, requested_by="portal").count() == 1
    html = client.get(url).content.decode()
    assert "No segment is large enough to be shown." in html
    assert "Remaining epsilon: 9.0000 of 10.0000." in html


def test_a_bad_request_shows_the_reason_and_spends_nothing(client, staff):
    brand, user = staff
    client.force_login(user)
    response = client.post(f"/insights/brands/{brand.slug}/aggregates/",
                           {"dimension": "street", "epsilon": "1"})
    assert response.status_code == 400
    assert "dimension must be one of" in response.content.decode()
    assert not AggregateRelease.objects.exists()
    assert not PrivacyBudget.objects.filter(spent_epsilon__gt=0).exists()


def test_other_users_get_a_404_and_spend_nothing(client, staff, make_consumer, make_brand):
    brand, _user = staff
    client.force_login(make_consumer())
    for method in (client.get, client.post):
        response = method(f"/insights/brands/{brand.slug}/aggregates/", {"dimension": "city"})
        assert response.status_code == 404
    assert not AggregateRelease.objects.exists()


def test_the_brand_page_links_to_the_aggregates_and_back(client, staff):
    brand, user = staff
    client.force_login(user)
    url = f"/insights/brands/{brand.slug}/aggregates/"
    brand_page = client.get(f"/brands/{brand.slug}/")
    assert brand_page.status_code == 200
    assert f'href="{url}"' in brand_page.content.decode()
    assert "client-credentials token" in brand_page.content.decode()
    assert f'href="/brands/{brand.slug}/"' in client.get(url).content.decode()

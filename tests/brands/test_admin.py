"""The Django admin cannot change a brand, an OAuth client, a membership or a
credential behind the tamper-evident log's back: each change a staff member
submits is either refused or made by the audited service, with its event.

The forms are submitted as a browser would: every field the page renders,
with its value, and the one the test changes."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from brands.models import Application, Brand, BrandMembership
from consents.models import AccessToken
from tests.factories.accounts import admin_client_for, create_account
from tests.factories.brands import ClientApp
from tests.factories.consents import Flow, api

pytestmark = pytest.mark.django_db


class _Form(HTMLParser):
    """The fields of the admin's main form, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, Any] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "form" and attr.get("method", "").lower() == "post":
            self._in_form = True
        if not self._in_form or "name" not in attr:
            if tag == "option" and self._select is not None and "selected" in attr:
                self.data[self._select] = attr.get("value", "")
            return
        name = attr["name"]
        if tag == "input":
            kind = attr.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attr:
                    self.data[name] = attr.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                self.data[name] = attr.get("value", "")
        elif tag == "select":
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "textarea":
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.data[self._textarea] += data.lstrip("\n")


def _form(page: Any) -> dict[str, Any]:
    parser = _Form()
    parser.feed(page.content.decode())
    return parser.data


@pytest.fixture
def staff(db: None) -> tuple[Client, User]:
    user = create_account(email="ops@sillage.test", role=User.Role.STAFF, is_superuser=True)
    return admin_client_for(user=user), user


def _submit(client: Client, url: str, change: Callable[[dict[str, Any]], None]) -> Any:
    page = client.get(url)
    assert page.status_code == 200, page.content[:300]
    data = _form(page)
    change(data)
    return client.post(url, data)


def _refused_or_audited(response: Any, action: str, changed: bool) -> None:
    """Either nothing changed, or the change has its audit event."""
    audited = AuditEvent.objects.filter(action=action).exists()
    assert (not changed) or audited, f"changed without a {action} event ({response.status_code})"


def test_admin_cannot_edit_a_client_behind_the_log(staff: tuple[Client, User],
                                                   app: ClientApp) -> None:
    client, _user = staff
    url = f"/admin/brands/application/{app.application.pk}/change/"
    before = Application.objects.get(pk=app.application.pk)

    def change(data: dict[str, Any]) -> None:
        data["redirect_uris"] = "https://evil.example/callback"
        data["purposes"] = '[{"purpose": "marketing", "description": "x"}]'
        data["name"] = "Renamed"
        data["disabled_at_0"] = "2026-01-01"
        data["disabled_at_1"] = "10:00:00"

    response = _submit(client, url, change)
    after = Application.objects.get(pk=app.application.pk)
    _refused_or_audited(response, "brand.client_updated",
                        (after.redirect_uris, after.purposes, after.name)
                        != (before.redirect_uris, before.purposes, before.name))
    _refused_or_audited(response, "brand.client_disabled", after.disabled_at != before.disabled_at)
    assert after.redirect_uris == before.redirect_uris


def test_admin_cannot_verify_a_brand_behind_the_log(staff: tuple[Client, User],
                                                    make_brand: Callable[..., Brand]) -> None:
    client, _user = staff
    brand = make_brand("Unchecked", verified=False)

    def change(data: dict[str, Any]) -> None:
        data["verified"] = "on"
        data["name"] = "Checked by us"
        data["disabled_at_0"] = "2026-01-01"
        data["disabled_at_1"] = "10:00:00"

    response = _submit(client, f"/admin/brands/brand/{brand.pk}/change/", change)
    after = Brand.objects.get(pk=brand.pk)
    _refused_or_audited(response, "brand.verified", after.verified)
    _refused_or_audited(response, "brand.disabled", after.disabled_at is not None)
    assert after.name == "Unchecked"


def test_admin_cannot_change_memberships_behind_the_log(
    staff: tuple[Client, User], make_brand: Callable[..., Brand],
    make_consumer: Callable[..., User],
) -> None:
    client, _user = staff
    brand = make_brand("Staffed")
    newcomer = make_consumer(email="newcomer@brand.test")

    def add_row(data: dict[str, Any]) -> None:
        total = int(data.get("memberships-TOTAL_FORMS", 0))
        data["memberships-TOTAL_FORMS"] = str(total + 1)
        data[f"memberships-{total}-user"] = str(newcomer.pk)
        data[f"memberships-{total}-role"] = "owner"
        data[f"memberships-{total}-brand"] = str(brand.pk)
        data.setdefault("memberships-INITIAL_FORMS", "0")
        data.setdefault("memberships-MIN_NUM_FORMS", "0")
        data.setdefault("memberships-MAX_NUM_FORMS", "1000")

    response = _submit(client, f"/admin/brands/brand/{brand.pk}/change/", add_row)
    _refused_or_audited(response, "brand.member_added",
                        BrandMembership.objects.filter(brand=brand).exists())

    # Straight to the membership admin's own add form: the audited service, or nothing.
    page = client.get("/admin/brands/brandmembership/add/")
    if page.status_code == 200:
        data = _form(page)
        data.update({"brand": str(brand.pk), "user": str(newcomer.pk),
                     "email": "newcomer@brand.test", "role": "owner"})
        client.post("/admin/brands/brandmembership/add/", data)
    _refused_or_audited(page, "brand.member_added",
                        BrandMembership.objects.filter(brand=brand).exists())


def test_admin_cannot_edit_a_token_behind_the_log(staff: tuple[Client, User], flow: Flow) -> None:
    client, _user = staff
    tokens = flow.tokens(scope="contact:read")
    token = AccessToken.objects.get()
    later = timezone.now() + timezone.timedelta(days=365)

    def change(data: dict[str, Any]) -> None:
        data["scope"] = "contact:read contact:write identity:read"
        data["expires_0"] = later.date().isoformat()
        data["expires_1"] = "10:00:00"

    page = client.get(f"/admin/consents/accesstoken/{token.pk}/change/")
    if page.status_code == 200:
        data = _form(page)
        change(data)
        client.post(f"/admin/consents/accesstoken/{token.pk}/change/", data)
    after = AccessToken.objects.get(pk=token.pk)
    assert (after.scope, after.expires) == (token.scope, token.expires)
    assert api(tokens["access_token"], "/api/v1/consent").json()["scope"] == "contact:read"


# --- what staff can do, through the audited services ----------------------------------------


def _action(client: Client, url: str, action: str, *pks: Any) -> Any:
    return client.post(url, {"action": action, "_selected_action": [str(pk) for pk in pks]})


def test_admin_actions_go_through_the_services(staff: tuple[Client, User], flow: Flow,
                                               make_brand: Callable[..., Brand]) -> None:
    client, user = staff
    tokens = flow.tokens(scope="contact:read")
    application = flow.app.application
    brand = make_brand("To check", verified=False)
    actor = (User.Role.STAFF.value, str(user.vault.subject))

    _action(client, "/admin/brands/application/", "disable_clients", application.pk)
    assert Application.objects.get(pk=application.pk).disabled_at is not None
    event = AuditEvent.objects.get(action="brand.client_disabled")
    assert (event.actor_type, event.actor_id) == actor
    assert api(tokens["access_token"], "/api/v1/consent").status_code == 401
    _action(client, "/admin/brands/application/", "enable_clients", application.pk)
    assert Application.objects.get(pk=application.pk).disabled_at is None
    assert AuditEvent.objects.filter(action="brand.client_enabled").count() == 1

    _action(client, "/admin/brands/brand/", "mark_verified", brand.pk)
    assert Brand.objects.get(pk=brand.pk).verified
    event = AuditEvent.objects.get(action="brand.verified")
    assert event.detail == {"brand": brand.slug, "verified": True}
    assert (event.actor_type, event.actor_id) == actor
    _action(client, "/admin/brands/brand/", "disable_brands", brand.pk)
    assert Brand.objects.get(pk=brand.pk).disabled_at is not None
    assert AuditEvent.objects.filter(action="brand.disabled").count() == 1
    _action(client, "/admin/brands/brand/", "enable_brands", brand.pk)
    assert Brand.objects.get(pk=brand.pk).disabled_at is None


def test_staff_add_and_remove_members_through_the_services(
    staff: tuple[Client, User], make_brand: Callable[..., Brand],
    make_consumer: Callable[..., User],
) -> None:
    client, _user = staff
    brand = make_brand("Staffed")
    make_consumer(email="dev@brand.test")
    page = client.get("/admin/brands/brandmembership/add/")
    assert page.status_code == 200
    response = client.post("/admin/brands/brandmembership/add/",
                           {"brand": str(brand.pk), "email": "dev@brand.test",
                            "role": "developer"})
    assert response.status_code in (200, 302)
    membership = BrandMembership.objects.get(brand=brand)
    assert membership.role == "developer"
    assert AuditEvent.objects.filter(action="brand.member_added").count() == 1
    unknown = client.post("/admin/brands/brandmembership/add/",
                          {"brand": str(brand.pk), "email": "nobody@brand.test", "role": "owner"})
    assert unknown.status_code == 200
    assert BrandMembership.objects.filter(brand=brand).count() == 1

    _action(client, "/admin/brands/brandmembership/", "remove_members", membership.pk)
    assert not BrandMembership.objects.filter(brand=brand).exists()
    event = AuditEvent.objects.get(action="brand.member_removed")
    assert event.detail["brand"] == brand.slug


def test_every_admin_page_of_brands_and_credentials_still_opens(
    staff: tuple[Client, User], flow: Flow, make_consumer: Callable[..., User]
) -> None:
    from brands.services import brand_member_add
    from consents.models import Grant, RefreshToken
    from core.actors import OPERATOR

    client, _user = staff
    flow.tokens(scope="contact:read")
    flow.code(scope="contact:read")
    brand = flow.app.application.brand
    member = brand_member_add(brand=brand, user=make_consumer(), role="owner", actor=OPERATOR)
    pages = {
        "brands/brand": brand.pk, "brands/application": flow.app.application.pk,
        "brands/brandmembership": member.pk,
        "consents/accesstoken": AccessToken.objects.first().pk,  # type: ignore[union-attr]
        "consents/refreshtoken": RefreshToken.objects.first().pk,  # type: ignore[union-attr]
        "consents/grant": Grant.objects.first().pk,  # type: ignore[union-attr]
    }
    assert client.get("/admin/consents/idtoken/").status_code == 200  # none are issued
    for model, pk in pages.items():
        listing = client.get(f"/admin/{model}/")
        assert listing.status_code == 200, model
        page = client.get(f"/admin/{model}/{pk}/change/")
        assert page.status_code == 200, model
        assert 'name="_save"' not in page.content.decode(), model  # nothing to save

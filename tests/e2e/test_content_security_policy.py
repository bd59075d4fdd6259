"""The Content-Security-Policy in a real Chromium: the portal's pages, the
consent screen (whose answer redirects to the brand: form-action applies to
that redirect) and the Swagger UI all work, and the browser reports no
violation of the policy."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, Route, expect

from accounts.services import account_create
from brands.services import application_create, brand_create
from core.actors import OPERATOR
from tests.factories.consents import authorize_url, pkce_pair
from tests.factories.vault import fill_vault

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-Passphrase-42"
RETURN = "https://brand.example/callback"


@pytest.fixture
def violations(page: Page) -> list[str]:
    """What the browser refused because of the policy (it says so on the console)."""
    seen: list[str] = []

    def listen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            seen.append(message.text)

    page.on("console", listen)
    return seen


def test_the_swagger_ui_renders_under_the_policy(page: Page, violations: list[str]) -> None:
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Sillage API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert violations == []


def test_the_portal_and_the_consent_screen_work_under_the_policy(
    page: Page, violations: list[str]
) -> None:
    consumer = account_create(email="csp@example.test", password=PASSWORD)
    fill_vault(user=consumer)
    brand = brand_create(name="Maison Lumière", actor=OPERATOR, verified=True)
    client = application_create(brand=brand, name="Shop", redirect_uris=[RETURN],
                                purposes=["loyalty"], actor=OPERATOR).application
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill("csp@example.test")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    for path in ("/vault/", "/vault/purchases/", "/consents/", "/activity/", "/insights/",
                 "/accounts/"):
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()

    # The brand's site, standing in for the real one (no network here).
    arrived: list[str] = []

    def brand_site(route: Route) -> None:
        arrived.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<h1>Welcome back</h1>")

    page.route("https://brand.example/**", brand_site)
    _verifier, challenge = pkce_pair()
    page.goto(authorize_url(client.client_id, scope="contact:read", challenge=challenge))
    page.get_by_role("button", name="Share what is ticked").click()
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    assert arrived
    assert arrived[0].startswith(RETURN)
    assert "code" in parse_qs(urlsplit(arrived[0]).query)
    assert violations == []

"""Browser protections on every page: a strict Content-Security-Policy (no
inline script or style, no framing, forms post only to Sillage, and from the
consent screen to the brand's registered return address), and
``Cache-Control: no-store`` on every page that shows personal data, so that
neither a shared cache nor the browser's back button keeps a copy."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from brands.services import brand_member_add
from consents.models import Consent
from core.actors import OPERATOR
from tests.factories.accounts import create_account
from tests.factories.brands import REDIRECT_URI, ClientApp
from tests.factories.consents import Flow, authorize_url, pkce_pair, query_of
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def policy_of(response: Any) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_strict(response: Any) -> dict[str, list[str]]:
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"][0] == "'self'"
    for directive in ("script-src", "style-src"):
        sources = policy.get(directive, policy["default-src"])
        assert "'unsafe-inline'" not in sources, directive
        assert "'unsafe-eval'" not in sources, directive
        assert "*" not in sources, directive
        assert "data:" not in sources, directive
    return policy


def assert_no_store(response: Any) -> None:
    path = response.request["PATH_INFO"]
    assert response.status_code == 200, (path, response.status_code)
    assert "no-store" in response.get("Cache-Control", ""), (path, response.get("Cache-Control"))


@pytest.fixture
def people(flow: Flow, make_consumer: Callable[..., User]) -> dict[str, Any]:
    """A consumer with data and a consent, the brand's staff, a regulator."""
    flow.tokens(scope="contact:read purchases:read")
    consent = Consent.objects.get()
    brand = flow.app.application.brand
    staff = make_consumer(email="dev@brand.example")
    brand_member_add(brand=brand, user=staff, role="owner", actor=OPERATOR)
    endpoint, _secret = webhook_endpoint_create(brand=brand, url="https://brand.example/hooks",
                                                event_types=["consent.revoked"])
    regulator = create_account(email="cnil@regulator.example", role=User.Role.REGULATOR)
    return {"consumer": flow.client, "consent": consent, "brand": brand, "app": flow.app,
            "staff": staff, "endpoint": endpoint, "regulator": regulator}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_page_with_personal_data_is_no_store_with_a_strict_policy(
    people: dict[str, Any],
) -> None:
    consumer: Client = people["consumer"]
    consent: Consent = people["consent"]
    brand = people["brand"]
    client_app: ClientApp = people["app"]
    _verifier, challenge = pkce_pair()
    consumer_pages = [
        "/", authorize_url(client_app.client_id, scope="contact:read", challenge=challenge),
        "/vault/", "/vault/contact/", "/vault/purchases/", "/vault/import/", "/vault/export/",
        "/consents/", f"/consents/{consent.id}/", f"/consents/{consent.id}/receipt.json",
        "/activity/", "/insights/", "/accounts/", "/accounts/2fa/", "/accounts/delete/",
    ]
    staff_pages = [
        f"/brands/{brand.slug}/", f"/brands/{brand.slug}/clients/{client_app.client_id}/",
        f"/insights/brands/{brand.slug}/aggregates/",
        f"/brands/webhooks/{brand.slug}/", f"/brands/webhooks/{brand.slug}/{people['endpoint'].id}/",
    ]
    regulator_pages = ["/regulator/", "/regulator/statistics/", "/regulator/integrity/",
                       "/regulator/export/", "/regulator/tokens/"]
    staff, regulator = _client(people["staff"]), _client(people["regulator"])
    for client, pages in ((consumer, consumer_pages), (staff, staff_pages),
                          (regulator, regulator_pages)):
        for url in pages:
            response = client.get(url)
            assert_no_store(response)
            if response["Content-Type"].startswith("text/html"):
                assert_strict(response)


def test_pages_without_personal_data_get_the_policy_too(client: Client) -> None:
    for url in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        response = client.get(url)
        assert response.status_code == 200
        assert_strict(response)
        assert response["X-Frame-Options"] == "DENY"
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert_strict(missing)


def test_the_consent_screen_may_send_its_form_on_to_the_brand(people: dict[str, Any]) -> None:
    """The consent form posts to Sillage, which redirects to the brand: a browser
    applies form-action to that redirect too, so the screen allows the one
    registered return address of this request, and nothing else."""
    consumer: Client = people["consumer"]
    client_app: ClientApp = people["app"]
    _verifier, challenge = pkce_pair()
    url = authorize_url(client_app.client_id, scope="contact:read", challenge=challenge)
    screen = consumer.get(url)
    policy = assert_strict(screen)
    assert policy["form-action"] == ["'self'", "https://brand.example"]
    answer = consumer.post(url, {"share_contact": "on", "consent_days": "30", "allow": "1"})
    assert answer.status_code == 302
    assert answer["Location"].startswith(REDIRECT_URI)
    assert "code" in query_of(answer["Location"])
    # Everywhere else, forms post to Sillage only.
    assert policy_of(consumer.get("/consents/"))["form-action"] == ["'self'"]


def test_templates_have_no_inline_script_style_or_handler() -> None:
    """Everything the policy would block: inline <script> or <style>, style="..."
    attributes, on...="..." handlers, javascript: links. The export's own
    index.html (vault/export.html) is opened from the downloaded ZIP, not served."""
    offenders = []
    for path in sorted(ROOT.glob("*/templates/**/*.html")):
        if path.relative_to(ROOT).as_posix() == "vault/templates/vault/export.html":
            continue
        text = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle=",
                        r"\son[a-z]+=", r"javascript:"):
            if re.search(pattern, text, flags=re.IGNORECASE):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert offenders == []


def test_the_swagger_ui_still_renders_under_the_policy(client: Client) -> None:
    page = client.get("/api/docs/")
    assert page.status_code == 200
    body = page.content.decode()
    policy = assert_strict(page)
    # Its stylesheet embeds data: images; nothing else is loosened.
    assert policy["img-src"] == ["'self'", "data:"]
    scripts = re.findall(r"<script[^>]*>", body)
    assert scripts
    assert all("src=" in tag for tag in scripts)
    assert "<style" not in body
    assert " style=" not in body
    init = re.search(r'<script src="([^"]*script[^"]*)"', body)
    assert init is not None
    script = client.get(init.group(1).replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', body):
        assert client.get(asset).status_code == 200, asset

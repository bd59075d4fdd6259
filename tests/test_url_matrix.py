"""Who may open which URL: every pattern of the URL resolver, walked
(``django.urls.get_resolver``), has an explicit expectation for each role,
and a pattern without one fails ``test_every_url_pattern_has_an_entry``, so a
new URL cannot ship without someone deciding who may see it.

Roles: anonymous, a consumer (with a vault, a consent, insights), a brand's
staff member (owner of the brand), a regulator, and Sillage's staff (an
operator account, ``is_staff``). Each URL is opened with GET by each role
with fresh objects of the right owners in its parameters (the consumer's own
consent, the brand's own client...); APIs authenticate by token, so every
session gets the API's 401, and the token cases are in the deeper tests:
tests/brands/test_api_matrix.py (brand API by token), tests/audit/
test_access_control.py (regulator portal and API). What is checked here is
the first door: the status, where a redirect goes (the log-in page), and that
no role ever gets a 5xx.

Expected answers are written as: a status code; ``LOGIN`` (302 to the log-in
page); ``("302", "/where")`` for another redirect.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import User
from analytics.services import insights_refresh
from audit.models import AuditEvent
from tests.factories.accounts import create_account, create_consumer, create_regulator
from tests.factories.brands import ClientApp, add_member, create_brand, register_client
from tests.factories.consents import authorize_url, grant_consent, pkce_pair
from tests.factories.regulator import create_regulator_token
from tests.factories.vault import fill_vault
from tests.factories.webhooks import create_endpoint
from vault.models import Record
from webhooks.outbox import webhook_enqueue

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "consumer", "brand_staff", "regulator", "staff")
LOGIN = "login"
ADMIN_LOGIN = (302, "/admin/login/")

# Every route but the admin's, with what GET answers to each role:
#       (anonymous, consumer, brand_staff, regulator, staff)
# Every account has a vault (and so its vault, consents, insights and account
# pages); the activity page is the consumer's; the regulator portal is the
# regulator's; a brand's pages are its staff's (404 to anyone else: a brand's
# existence is not disclosed); the APIs want a token (401 to any session);
# views that only change state answer 405 to GET once past log-in.
EXPECTED: dict[str, tuple[Any, ...]] = {
    'healthz': (200, 200, 200, 200, 200),
    'i18n/setlang/': ((302, '/'), (302, '/'), (302, '/'), (302, '/'), (302, '/')),
    'api/schema/': (200, 200, 200, 200, 200),
    'api/docs/': (200, 200, 200, 200, 200),
    'api/v1/audit/events': (401, 401, 401, 401, 401),
    'api/v1/audit/events/<uuid:event_id>': (401, 401, 401, 401, 401),
    'api/v1/audit/checkpoints': (401, 401, 401, 401, 401),
    'api/v1/audit/checkpoints/latest': (401, 401, 401, 401, 401),
    'api/v1/audit/proofs/inclusion': (401, 401, 401, 401, 401),
    'api/v1/audit/proofs/consistency': (401, 401, 401, 401, 401),
    'api/v1/audit/public-key': (401, 401, 401, 401, 401),
    'api/v1/aggregates': (401, 401, 401, 401, 401),
    'api/v1/consent': (401, 401, 401, 401, 401),
    'api/v1/profile': (401, 401, 401, 401, 401),
    'api/v1/facets/<slug:facet>': (401, 401, 401, 401, 401),
    'o/authorize/': (LOGIN, 200, 200, 200, 200),
    'o/token/': (405, 405, 405, 405, 405),
    'o/revoke_token/': (405, 405, 405, 405, 405),
    'o/introspect/': (405, 405, 405, 405, 405),
    'o/.well-known/oauth-authorization-server': (200, 200, 200, 200, 200),
    'vault/': (LOGIN, 200, 200, 200, 200),
    'vault/import/': (LOGIN, 200, 200, 200, 200),
    'vault/export/': (LOGIN, 200, 200, 200, 200),
    'vault/<slug:facet>/': (LOGIN, 200, 200, 200, 200),
    'vault/<slug:facet>/<uuid:record_id>/delete/': (LOGIN, 405, 405, 405, 405),
    'consents/': (LOGIN, 200, 200, 200, 200),
    'consents/<uuid:consent_id>/': (LOGIN, 200, 404, 404, 404),
    'consents/<uuid:consent_id>/revoke/': (LOGIN, 405, 405, 405, 405),
    'consents/<uuid:consent_id>/narrow/': (LOGIN, 405, 405, 405, 405),
    'consents/<uuid:consent_id>/receipt.json': (LOGIN, 200, 404, 404, 404),
    'activity/': (LOGIN, 200, 403, 403, 403),
    'regulator/': (LOGIN, 403, 403, 200, 403),
    'regulator/events/<uuid:event_id>/': (LOGIN, 403, 403, 200, 403),
    'regulator/statistics/': (LOGIN, 403, 403, 200, 403),
    'regulator/integrity/': (LOGIN, 403, 403, 200, 403),
    'regulator/export/': (LOGIN, 403, 403, 200, 403),
    'regulator/tokens/': (LOGIN, 403, 403, 200, 403),
    'regulator/tokens/<int:token_id>/revoke/': (LOGIN, 403, 403, 405, 403),
    'brands/webhooks/': (LOGIN, 404, (302, '/brands/webhooks/matrix-brand/'), 404, 404),
    'brands/webhooks/<slug:slug>/': (LOGIN, 404, 200, 404, 404),
    'brands/webhooks/<slug:slug>/new/': (LOGIN, 404, 200, 404, 404),
    'brands/webhooks/<slug:slug>/<uuid:endpoint_id>/': (LOGIN, 404, 200, 404, 404),
    'brands/webhooks/<slug:slug>/<uuid:endpoint_id>/rotate/': (LOGIN, 405, 405, 405, 405),
    'brands/webhooks/<slug:slug>/<uuid:endpoint_id>/disable/': (LOGIN, 405, 405, 405, 405),
    'brands/webhooks/<slug:slug>/<uuid:endpoint_id>/enable/': (LOGIN, 405, 405, 405, 405),
    'brands/webhooks/<slug:slug>/<uuid:endpoint_id>/test/': (LOGIN, 405, 405, 405, 405),
    'brands/webhooks/<slug:slug>/<uuid:endpoint_id>/messages/<uuid:message_id>/': (LOGIN, 404, 200, 404, 404),
    'brands/': (LOGIN, 200, (302, '/brands/matrix-brand/'), 200, 200),
    'brands/<slug:slug>/': (LOGIN, 404, 200, 404, 404),
    'brands/<slug:slug>/clients/new/': (LOGIN, 404, 200, 404, 404),
    'brands/<slug:slug>/clients/<str:client_id>/': (LOGIN, 404, 200, 404, 404),
    'brands/<slug:slug>/clients/<str:client_id>/rotate/': (LOGIN, 405, 405, 405, 405),
    'insights/': (LOGIN, 200, 200, 200, 200),
    'insights/refresh/': (LOGIN, 405, 405, 405, 405),
    'insights/recommendations/<str:fingerprint>/act/': (LOGIN, 405, 405, 405, 405),
    'insights/recommendations/<str:fingerprint>/dismiss/': (LOGIN, 405, 405, 405, 405),
    'insights/brands/<slug:slug>/aggregates/': (LOGIN, 404, 200, 404, 404),
    'accounts/': (LOGIN, 200, 200, 200, 200),
    'accounts/signup/': (200, (302, '/'), (302, '/'), (302, '/'), (302, '/')),
    'accounts/login/': (200, (302, '/'), (302, '/'), (302, '/'), (302, '/')),
    'accounts/login/verify/': (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    'accounts/logout/': (LOGIN, 200, 200, 200, 200),
    'accounts/2fa/': (LOGIN, 200, 200, 200, 200),
    'accounts/delete/': (LOGIN, 200, 200, 200, 200),
    'accounts/goodbye/': (200, 200, 200, 200, 200),
    'accounts/password/reset/': (200, 200, 200, 200, 200),
    'accounts/password/reset/done/': (200, 200, 200, 200, 200),
    'accounts/signup/done/': (200, 200, 200, 200, 200),
    # A link that is not a valid signed token: a plain page saying so, for anyone.
    'accounts/verify/<str:token>/': (400, 400, 400, 400, 400),
    'accounts/password/reset/<uidb64>/<token>/': (200, 200, 200, 200, 200),
    'accounts/password/reset/complete/': (200, 200, 200, 200, 200),
    '': (LOGIN, 200, 200, 200, 200),
}
# Query strings a route is opened with (the rest are opened bare).
QUERIES = {
    "o/authorize/": "{authorize_query}",
}
# The admin's routes come from the models registered with it: all are behind
# the admin's own staff check, so one rule covers them, checked on the index
# and on the change list of every registered model.
ADMIN_PREFIX = "admin/"
# The admin opens only to a staff session that passed the second factor in the
# accounts log-in (tests/portal/test_admin_login.py walks that path); a session
# made any other way, staff included, is sent to log in.
ADMIN_EXPECTED = {"index": (ADMIN_LOGIN,) * 5, "changelist": (ADMIN_LOGIN,) * 5}


def url_patterns() -> Iterator[str]:
    """Every route of the resolver, as its pattern reads (``vault/<slug:facet>/``)."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                assert isinstance(pattern, URLPattern)
                yield prefix + str(pattern.pattern)

    yield from walk(get_resolver().url_patterns, "")


@dataclass
class World:
    users: dict[str, User | None]
    params: dict[str, str]


@pytest.fixture
def world(db: None) -> World:
    consumer = create_consumer(email="matrix.consumer@example.test")
    fill_vault(user=consumer)
    brand = create_brand(name="Matrix Brand")
    staff_member = add_member(brand=brand, user=create_consumer(email="matrix.staff@example.test"))
    app: ClientApp = register_client(brand=brand)
    consent = grant_consent(consumer=consumer, application=app.application,
                            facets={"contact": ["read"]})
    endpoint, _secret = create_endpoint(brand=brand, url="https://hooks.example/sillage")
    [message] = webhook_enqueue(brand=brand, event_type="consent.revoked",
                                payload={"consent_id": str(consent.id),
                                         "client_id": app.client_id})
    regulator = create_regulator()
    token, _clear = create_regulator_token(user=regulator)
    insights_refresh(vault=consumer.vault)
    operator = create_account(role=User.Role.STAFF, email="matrix.operator@example.test")
    record = Record.objects.filter(vault=consumer.vault, facet="contact").first()
    assert record is not None
    return World(
        users={"anonymous": None, "consumer": consumer, "brand_staff": staff_member,
               "regulator": regulator, "staff": operator},
        params={"facet": "contact", "record_id": str(record.id), "consent_id": str(consent.id),
                "event_id": str(AuditEvent.objects.order_by("pk").first().event_id),
                "token_id": str(token.pk), "slug": brand.slug, "client_id": app.client_id,
                "endpoint_id": str(endpoint.id), "message_id": str(message.id),
                "fingerprint": "0" * 16, "uidb64": "MQ", "token": "set-password",
                "authorize_query": "?" + authorize_url(
                    app.client_id, scope="contact:read", challenge=pkce_pair()[1]).split("?")[1]},
    )


def concrete(route: str, world: World) -> str:
    """The route with its parameters filled from ``world`` (by parameter name)."""
    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: world.params[match.group(1)], route)
    return path + QUERIES.get(route, "").format(**world.params)


def answer(world: World, role: str, path: str) -> Any:
    client = Client(raise_request_exception=False)
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client.get(path)


def shown(response: Any) -> Any:
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return LOGIN
    if response.status_code in (301, 302):
        return (response.status_code, response["Location"].split("?")[0])
    return response.status_code


def test_every_url_pattern_has_an_entry() -> None:
    routes = [route for route in url_patterns() if not route.startswith(ADMIN_PREFIX)]
    missing = [route for route in routes if route not in EXPECTED]
    assert not missing, f"say who may open these URLs in EXPECTED: {missing}"
    stale = sorted(set(EXPECTED) - set(routes))
    assert not stale, f"these entries match no URL pattern any more: {stale}"
    assert len(routes) == len(set(routes)), "a route is declared twice"


def test_each_role_gets_what_the_matrix_says(world: World) -> None:
    found: dict[str, dict[str, Any]] = {}
    for route in url_patterns():
        if route.startswith(ADMIN_PREFIX) or route not in EXPECTED:
            continue
        path = concrete(route, world)
        answers = {role: shown(answer(world, role, path)) for role in ROLES}
        expected = dict(zip(ROLES, EXPECTED[route], strict=True))
        if answers != expected:
            found[route] = answers
    assert found == {}, "routes whose answers differ from EXPECTED (answers shown)"


def test_the_admin_is_for_staff_only(world: World) -> None:
    from django.contrib import admin

    pages = {"index": ["/admin/"], "changelist": [
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for model in admin.site._registry]}
    assert pages["changelist"], "no model is registered with the admin"
    found = {}
    for kind, paths in pages.items():
        for path in paths:
            answers = tuple(shown(answer(world, role, path)) for role in ROLES)
            if answers != ADMIN_EXPECTED[kind]:
                found[path] = answers
    assert found == {}



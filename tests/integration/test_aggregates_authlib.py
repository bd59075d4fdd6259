"""A brand's aggregates end to end with an independent OAuth 2 client library
(Authlib) against a live server: a client made by ``brand_client_create`` gets
a client-credentials token, reads its brand's figures over consumers who gave
it an ``analytics`` consent, is refused every consumer endpoint, introspects
and revokes its token; nothing of it is stored in clear."""

from __future__ import annotations

from typing import Any

import pytest
from authlib.integrations.requests_client import OAuth2Session

from analytics.models import AggregateRelease
from audit.models import AuditEvent
from brands.models import Application
from tests.dumps import database_bytes
from tests.factories.analytics import analytics_population
from tests.factories.brands import register_client_by_command

pytestmark = pytest.mark.django_db(transaction=True)


def test_authlib_client_credentials_reads_aggregates(live_server: Any, settings: Any) -> None:
    # Given a brand's confidential client and 24 consumers of Lyon who gave it an
    # analytics consent (at least the minimum group size of 10; with epsilon 2 and
    # delta 0.01 the cell needs a noisy count of 15, noise scale 1).
    settings.ANALYTICS = {**settings.ANALYTICS, "DELTA": 0.01}
    credentials = register_client_by_command(purposes=("analytics",))
    application = Application.objects.get(client_id=credentials["client_id"])
    analytics_population(application=application, count=24, city="Lyon")
    base = live_server.url

    # When it asks for a token with its own credentials only
    session = OAuth2Session(client_id=credentials["client_id"],
                            client_secret=credentials["client_secret"], scope="aggregates",
                            token_endpoint_auth_method="client_secret_basic")
    token = session.fetch_token(f"{base}/o/token/", grant_type="client_credentials")

    # Then it gets a short-lived aggregates token and no refresh token
    assert token["scope"] == "aggregates"
    assert token["token_type"] == "Bearer"
    assert 0 < token["expires_in"] <= 900
    assert "refresh_token" not in token

    # and reads its brand's figures (noisy, Lyon only: nobody else consented)
    response = session.get(f"{base}/api/v1/aggregates",
                           params={"dimension": "city", "months": "12", "epsilon": "2"})
    assert response.status_code == 200, response.text
    figures = response.json()
    assert figures["dimension"] == "city"
    assert [cell["segment"] for cell in figures["cells"]] == ["Lyon"]
    assert 24 - 9 <= figures["cells"][0]["count"] <= 24 + 9
    assert figures["privacy"]["min_group_size"] == 10
    assert figures["privacy"]["budget_remaining"] == "8.0000"
    release = AggregateRelease.objects.get()
    assert (release.brand_id, release.requested_by) == (application.brand_id,
                                                        credentials["client_id"])
    [event] = AuditEvent.objects.filter(action="aggregate.released")
    assert (event.actor_type, event.actor_id, event.purpose) == (
        "brand_application", credentials["client_id"], "analytics")

    # but never a consumer's data
    for path in ("/api/v1/consent", "/api/v1/profile", "/api/v1/facets/purchases"):
        refused = session.get(f"{base}{path}")
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["error"] == "insufficient_scope"

    # Introspection (RFC 7662) describes the token to its client
    described = session.introspect_token(f"{base}/o/introspect/", token=token["access_token"])
    assert described.json()["active"] is True
    assert described.json()["sub"] == credentials["client_id"]

    # The database never held the token or the secret in clear
    dump = database_bytes()
    for value in (token["access_token"], credentials["client_secret"]):
        assert value.encode() not in dump

    # Revocation (RFC 7009) ends it at once
    revoked = session.revoke_token(f"{base}/o/revoke_token/", token=token["access_token"],
                                   token_type_hint="access_token")
    assert revoked.status_code == 200
    after = session.get(f"{base}/api/v1/aggregates", params={"dimension": "city"})
    assert after.status_code == 401
    assert after.json()["error"] == "invalid_token"
    assert AggregateRelease.objects.count() == 1
    assert session.introspect_token(f"{base}/o/introspect/",
                                    token=token["access_token"]).json() == {"active": False}


def test_authlib_public_client_is_refused(live_server: Any) -> None:
    public = register_client_by_command(public=True)
    session = OAuth2Session(client_id=public["client_id"], scope="aggregates",
                            token_endpoint_auth_method="none")
    with pytest.raises(Exception, match="unauthorized_client"):
        session.fetch_token(f"{live_server.url}/o/token/", grant_type="client_credentials")

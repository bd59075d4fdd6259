"""Codes and tokens: single use, short lives, rotation with family revocation,
revocation and introspection that see the consent, hashes only at rest."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from consents.models import AccessToken, Consent, Grant, RefreshToken
from consents.oauth import digest
from consents.services import consent_revoke
from tests.dumps import database_bytes
from tests.factories.brands import REDIRECT_URI
from tests.factories.consents import Flow, api, basic_auth, query_of


def _basic(flow: Flow) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": basic_auth(flow.app.client_id, flow.app.secret)}


def test_token_carries_what_was_granted_and_lives_at_most_15_minutes(flow: Flow) -> None:
    tokens = flow.tokens(scope="contact:read purchases:read purchases:write")
    assert tokens["scope"].split() == ["contact:read", "purchases:read", "purchases:write"]
    assert 0 < tokens["expires_in"] <= 900
    stored = AccessToken.objects.get()
    assert stored.expires <= timezone.now() + dt.timedelta(seconds=900)
    assert stored.consent.scopes == ["contact:read", "purchases:read", "purchases:write"]


def test_a_code_works_once_and_its_replay_revokes_what_it_issued(flow: Flow) -> None:
    code, verifier = flow.code(scope="contact:read")
    tokens = flow.token(code, verifier)
    assert api(tokens["access_token"], "/api/v1/consent").status_code == 200

    replay = flow.exchange(code, verifier)

    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert api(tokens["access_token"], "/api/v1/consent").status_code == 401
    assert flow.refresh(tokens["refresh_token"]).status_code == 400


def test_an_expired_code_is_refused(flow: Flow) -> None:
    code, verifier = flow.code(scope="contact:read")
    Grant.objects.update(expires=timezone.now() - dt.timedelta(seconds=1))
    response = flow.exchange(code, verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_codes_live_one_minute(flow: Flow) -> None:
    flow.code(scope="contact:read")
    grant = Grant.objects.get()
    assert grant.expires - grant.created <= dt.timedelta(seconds=61)


def test_a_wrong_verifier_is_refused_and_the_code_stays_unused(flow: Flow) -> None:
    code, verifier = flow.code(scope="contact:read")
    assert flow.exchange(code, verifier[:-1] + ("A" if verifier[-1] != "A" else "B")).status_code == 400
    assert Grant.objects.get().used_at is None
    assert flow.exchange(code, verifier).status_code == 200


def test_a_code_bound_to_its_redirect_uri(flow: Flow) -> None:
    code, verifier = flow.code(scope="contact:read")
    response = Client().post("/o/token/", {
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI + "x",
        "code_verifier": verifier, "client_id": flow.app.client_id,
        "client_secret": flow.app.secret,
    })
    assert response.status_code == 400


def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_family(flow: Flow) -> None:
    first = flow.tokens(scope="contact:read")
    second = flow.refresh(first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert api(second["access_token"], "/api/v1/facets/contact").status_code == 200

    reuse = flow.refresh(first["refresh_token"])

    assert reuse.status_code == 400
    assert reuse.json()["error"] == "invalid_grant"
    # The whole family is gone: the legitimate newer tokens too.
    assert api(second["access_token"], "/api/v1/facets/contact").status_code == 401
    assert flow.refresh(second["refresh_token"]).status_code == 400
    assert RefreshToken.objects.filter(revoked__isnull=True).count() == 0


def test_refresh_token_never_outlives_its_consent(flow: Flow) -> None:
    tokens = flow.tokens(scope="contact:read")
    Consent.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert flow.refresh(tokens["refresh_token"]).status_code == 400


def test_access_token_ends_with_a_consent_ending_sooner(flow: Flow) -> None:
    tokens = flow.tokens(scope="contact:read")
    Consent.objects.update(expires_at=timezone.now() + dt.timedelta(seconds=120))
    refreshed = flow.refresh(tokens["refresh_token"]).json()
    assert refreshed["expires_in"] <= 120


def test_refresh_refused_once_the_consent_is_revoked(flow: Flow) -> None:
    tokens = flow.tokens(scope="contact:read")
    consent = Consent.objects.get()
    consent_revoke(consent=consent, actor=("consumer", str(consent.subject)))
    assert flow.refresh(tokens["refresh_token"]).status_code == 400
    assert api(tokens["access_token"], "/api/v1/consent").status_code == 401


def test_revocation_endpoint_ends_the_access_token(flow: Flow) -> None:
    tokens = flow.tokens(scope="contact:read")
    response = Client().post("/o/revoke_token/", {"token": tokens["access_token"],
                                                  "token_type_hint": "access_token"}, **_basic(flow))
    assert response.status_code == 200
    assert api(tokens["access_token"], "/api/v1/consent").status_code == 401


def test_introspection_reflects_the_consent_at_once(flow: Flow) -> None:
    tokens = flow.tokens(scope="contact:read")
    seen = Client().post("/o/introspect/", {"token": tokens["access_token"]}, **_basic(flow)).json()
    consent = Consent.objects.get()
    assert seen["active"] is True
    assert seen["scope"] == "contact:read"
    assert seen["consent_id"] == str(consent.id)
    assert "username" not in seen
    refresh = Client().post("/o/introspect/", {"token": tokens["refresh_token"],
                                               "token_type_hint": "refresh_token"}, **_basic(flow))
    assert refresh.json()["active"] is True

    consent_revoke(consent=consent, actor=("consumer", str(consent.subject)))

    for value in (tokens["access_token"], tokens["refresh_token"]):
        again = Client().post("/o/introspect/", {"token": value}, **_basic(flow))
        assert again.json() == {"active": False}


def test_introspection_of_an_expired_consent_is_inactive(flow: Flow) -> None:
    tokens = flow.tokens(scope="contact:read")
    Consent.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    seen = Client().post("/o/introspect/", {"token": tokens["access_token"]}, **_basic(flow))
    assert seen.json() == {"active": False}


def test_introspection_needs_the_client_and_sees_only_its_tokens(flow: Flow, make_app: object) -> None:
    tokens = flow.tokens(scope="contact:read")
    assert Client().post("/o/introspect/", {"token": tokens["access_token"]}).status_code == 401
    other = make_app()
    seen = Client().post("/o/introspect/", {"token": tokens["access_token"]},
                         HTTP_AUTHORIZATION=basic_auth(other.client_id, other.secret))
    assert seen.json() == {"active": False}


def test_public_client_uses_pkce_without_a_secret(client: Client, filled_consumer: object,
                                                  make_app: object) -> None:
    public = make_app(confidential=False)
    assert public.secret is None
    client.force_login(filled_consumer)
    flow = Flow(client=client, app=public)
    tokens = flow.tokens(scope="contact:read")
    assert api(tokens["access_token"], "/api/v1/facets/contact").status_code == 200


def test_confidential_client_needs_its_secret(flow: Flow) -> None:
    code, verifier = flow.code(scope="contact:read")
    response = Client().post("/o/token/", {
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier, "client_id": flow.app.client_id, "client_secret": "wrong",
    })
    assert response.status_code == 401


def test_database_holds_no_bearer_credential_in_clear(flow: Flow) -> None:
    code, verifier = flow.code(scope="contact:read purchases:read")
    tokens = flow.token(code, verifier)
    refreshed = flow.refresh(tokens["refresh_token"]).json()
    second_code, _second_verifier = flow.code(scope="contact:read")  # an unused code too
    dump = database_bytes()
    secrets_in_clear = [code, second_code, tokens["access_token"], tokens["refresh_token"],
                        refreshed["access_token"], refreshed["refresh_token"], flow.app.secret]
    for value in secrets_in_clear:
        assert value
        assert value.encode() not in dump
    assert set(AccessToken.objects.values_list("token", flat=True)) == {""}
    assert set(RefreshToken.objects.values_list("token", flat=True)) == {""}
    assert flow.app.application.client_secret.startswith(("md5$", "pbkdf2_", "scrypt$"))


def test_a_code_cannot_be_exchanged_by_another_client(flow: Flow, make_app: object) -> None:
    code, verifier = flow.code(scope="contact:read")
    other = make_app()
    response = Client().post("/o/token/", {
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier, "client_id": other.client_id, "client_secret": other.secret,
    })
    assert response.status_code == 400
    assert flow.exchange(code, verifier).status_code == 200  # still good for its own client


def test_approval_prompt_auto_never_skips_the_consent_screen(flow: Flow) -> None:
    from tests.factories.consents import authorize_url, pkce_pair

    flow.tokens(scope="contact:read")
    _verifier, challenge = pkce_pair()
    url = authorize_url(flow.app.client_id, scope="contact:read", challenge=challenge,
                        approval_prompt="auto")
    response = flow.client.get(url)
    assert response.status_code == 200  # the screen, not a code
    assert Consent.objects.count() == 1


def test_server_metadata_advertises_code_flow_and_s256_only(client: Client) -> None:
    data = client.get("/o/.well-known/oauth-authorization-server").json()
    assert data["response_types_supported"] == ["code"]
    # client_credentials: brand clients' aggregates tokens only (test_client_credentials.py).
    assert data["grant_types_supported"] == ["authorization_code", "refresh_token",
                                             "client_credentials"]
    assert data["code_challenge_methods_supported"] == ["S256"]
    assert "purchases:write" in data["scopes_supported"]
    assert "aggregates" in data["scopes_supported"]
    assert data["authorization_response_iss_parameter_supported"] is True


def test_the_redirect_carries_the_issuer(flow: Flow) -> None:
    from tests.factories.consents import authorize_url, consent_form, pkce_pair

    _verifier, challenge = pkce_pair()
    url = authorize_url(flow.app.client_id, scope="contact:read", challenge=challenge)
    answer = flow.client.post(url, consent_form({"contact": ["read"]}, 30))
    assert query_of(answer["Location"])["iss"].endswith("/o")


def test_refresh_works_after_the_access_token_expired(flow: Flow) -> None:
    tokens = flow.tokens(scope="contact:read")
    AccessToken.objects.update(expires=timezone.now() - dt.timedelta(minutes=20))
    assert api(tokens["access_token"], "/api/v1/consent").status_code == 401
    refreshed = flow.refresh(tokens["refresh_token"])
    assert refreshed.status_code == 200, refreshed.content
    assert api(refreshed.json()["access_token"], "/api/v1/consent").status_code == 200


def test_clearing_expired_credentials_keeps_live_and_replay_detection(flow: Flow) -> None:
    from consents.tasks import clear_expired_credentials

    first = flow.tokens(scope="contact:read")
    second = flow.refresh(first["refresh_token"]).json()
    Grant.objects.update(expires=timezone.now() - dt.timedelta(minutes=5))
    clear_expired_credentials()
    assert Grant.objects.count() == 0
    assert flow.refresh(first["refresh_token"]).status_code == 400  # replay still seen
    assert api(second["access_token"], "/api/v1/consent").status_code == 401  # family revoked


def test_narrowing_a_consent_never_widens_a_token_the_brand_scoped_down(flow: Flow) -> None:
    """A brand may refresh into a token with less than its consent; narrowing the
    consent then intersects each token's scope with what remains, never resets it."""
    from consents.services import consent_narrow

    tokens = flow.tokens(scope="contact:read identity:read purchases:read")
    data = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
            "client_id": flow.app.client_id, "client_secret": flow.app.secret,
            "scope": "contact:read identity:read"}
    narrow = Client().post("/o/token/", data)
    assert narrow.status_code == 200, narrow.content
    assert narrow.json()["scope"] == "contact:read identity:read"
    full = flow.tokens(scope="contact:read identity:read purchases:read")  # another, full token
    consent = AccessToken.objects.get(token_checksum=digest(narrow.json()["access_token"])).consent
    assert consent is not None

    consent_narrow(consent=consent, facets={"contact": ["read"], "purchases": ["read"]},
                   actor=("consumer", str(consent.subject)))

    seen = api(narrow.json()["access_token"], "/api/v1/consent").json()
    assert seen["scope"] == "contact:read"
    assert api(narrow.json()["access_token"], "/api/v1/facets/purchases").status_code == 403
    # The other consent's full token is untouched; a token left with nothing ends.
    assert api(full["access_token"], "/api/v1/consent").json()["scope"] == (
        "contact:read identity:read purchases:read")
    contact_only = Client().post("/o/token/", {**data, "refresh_token": narrow.json()["refresh_token"],
                                               "scope": "contact:read"})
    assert contact_only.status_code == 200, contact_only.content
    consent_narrow(consent=Consent.objects.get(pk=consent.pk), facets={"purchases": ["read"]},
                   actor=("consumer", str(consent.subject)))
    assert api(contact_only.json()["access_token"], "/api/v1/consent").status_code == 401


def test_introspection_is_for_confidential_clients_only(client: Client, filled_consumer: object,
                                                        make_app: object) -> None:
    """A public client has no secret: an empty one must not open introspection
    (RFC 7662 asks the endpoint to authorise its callers)."""
    import base64

    public = make_app(confidential=False)  # type: ignore[operator]
    client.force_login(filled_consumer)
    tokens = Flow(client=client, app=public).tokens(scope="contact:read")
    empty = base64.b64encode(f"{public.client_id}:".encode()).decode()
    for answer in (
        Client().post("/o/introspect/", {"token": tokens["access_token"]},
                      HTTP_AUTHORIZATION=f"Basic {empty}"),
        Client().post("/o/introspect/", {"token": tokens["access_token"],
                                         "client_id": public.client_id, "client_secret": ""}),
        Client().post("/o/introspect/", {"token": tokens["access_token"],
                                         "client_id": public.client_id}),
    ):
        assert answer.status_code == 401
        assert answer.json()["error"] == "invalid_client"
        assert "active" not in answer.json()
    # A public client still revokes its own tokens with its client_id (RFC 7009).
    revoked = Client().post("/o/revoke_token/", {"token": tokens["access_token"],
                                                 "client_id": public.client_id})
    assert revoked.status_code == 200
    assert api(tokens["access_token"], "/api/v1/consent").status_code == 401

"""Brand portal pages for webhooks: staff of a brand manage its endpoints;
anyone else gets a log-in page (anonymous) or a 404 (no probing of ids)."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from brands.models import Brand, BrandMembership
from tests.factories.accounts import client_for
from tests.factories.brands import add_member
from tests.factories.webhooks import create_endpoint
from webhooks.models import OutboxMessage, WebhookEndpoint
from webhooks.outbox import webhook_deliver, webhook_enqueue

CONSENT = {"consent_id": "c-1", "client_id": "lumen-app"}


@pytest.fixture
def lumen(brand: Brand) -> Brand:
    """The brand whose endpoints the pages show: the shared ``brand``, Maison Lumen."""
    return brand


@pytest.fixture
def rival(make_brand: Callable[..., Brand]) -> Brand:
    return make_brand("Rival")


@pytest.fixture
def lumen_endpoint(lumen: Brand) -> WebhookEndpoint:
    endpoint, _ = create_endpoint(
        brand=lumen, url="https://hooks.lumen.example/sillage", event_types=["consent.revoked"]
    )
    return endpoint


@pytest.fixture
def lumen_message(lumen_endpoint: WebhookEndpoint) -> OutboxMessage:
    (message,) = webhook_enqueue(brand=lumen_endpoint.brand, event_type="consent.revoked",
                                 payload=CONSENT)
    return message


def pages(endpoint: WebhookEndpoint, message: OutboxMessage, slug: str | None = None):
    """(method, url) of every page and action, for the brand ``slug`` (default: its own)."""
    slug = slug or endpoint.brand.slug
    ids = {"slug": slug, "endpoint_id": endpoint.pk}
    return [
        ("get", reverse("brand_webhooks:brand", kwargs={"slug": slug})),
        ("get", reverse("brand_webhooks:endpoint_new", kwargs={"slug": slug})),
        ("post", reverse("brand_webhooks:endpoint_new", kwargs={"slug": slug})),
        ("get", reverse("brand_webhooks:endpoint", kwargs=ids)),
        ("post", reverse("brand_webhooks:endpoint_rotate", kwargs=ids)),
        ("post", reverse("brand_webhooks:endpoint_disable", kwargs=ids)),
        ("post", reverse("brand_webhooks:endpoint_enable", kwargs=ids)),
        ("post", reverse("brand_webhooks:endpoint_test", kwargs=ids)),
        ("get", reverse("brand_webhooks:message", kwargs={**ids, "message_id": message.pk})),
    ]


def state() -> tuple:
    """What must not move when a request is refused."""
    return (
        sorted(
            (str(e.pk), bytes(e.secret_sealed), e.is_active, tuple(e.event_types))
            for e in WebhookEndpoint.objects.all()
        ),
        sorted(OutboxMessage.objects.values_list("pk", "status")),
        AuditEvent.objects.filter(action__startswith="webhook.").count(),
    )


NEW_ENDPOINT = {
    "url": "https://hooks.rival.example/sillage",
    "event_types": ["consent.revoked"],
}


def test_anonymous_visitors_are_sent_to_log_in(
    lumen_endpoint: WebhookEndpoint, lumen_message: OutboxMessage
) -> None:
    client = client_for(user=None)
    before = state()

    for method, url in [("get", reverse("brand_webhooks:index")),
                        *pages(lumen_endpoint, lumen_message)]:
        response = getattr(client, method)(url, NEW_ENDPOINT if method == "post" else None)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url

    assert state() == before


@pytest.mark.parametrize("who", ["consumer", "rival_owner", "viewer_role"])
def test_people_outside_the_brand_get_404_and_change_nothing(
    who: str,
    make_consumer: Callable[..., User],
    make_staff: Callable[..., User],
    lumen_endpoint: WebhookEndpoint,
    lumen_message: OutboxMessage,
    rival: Brand,
) -> None:
    if who == "consumer":
        user = make_consumer()
    elif who == "rival_owner":
        user = make_staff(rival)
    else:  # a role not granted webhook access (not owner nor developer)
        user = make_staff(lumen_endpoint.brand)
        BrandMembership.objects.filter(user=user).update(role="viewer")
    client = client_for(user=user)
    before = state()

    for method, url in pages(lumen_endpoint, lumen_message):
        response = getattr(client, method)(url, NEW_ENDPOINT if method == "post" else None)
        assert response.status_code == 404, (method, url)
    assert state() == before


def test_a_rival_cannot_reach_another_brands_endpoint_through_its_own_slug(
    make_staff: Callable[..., User],
    lumen_endpoint: WebhookEndpoint,
    lumen_message: OutboxMessage,
    rival: Brand,
) -> None:
    client = client_for(user=make_staff(rival))
    before = state()

    for method, url in pages(lumen_endpoint, lumen_message, slug=rival.slug)[3:]:
        response = getattr(client, method)(url)
        assert response.status_code == 404, (method, url)
    assert state() == before


def test_index_without_any_brand_is_404_and_with_one_brand_redirects(
    make_consumer: Callable[..., User], make_staff: Callable[..., User], lumen: Brand,
    rival: Brand,
) -> None:
    owner = make_staff(lumen)

    assert client_for(user=make_consumer()).get(reverse("brand_webhooks:index")).status_code == 404
    response = client_for(user=owner).get(reverse("brand_webhooks:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("brand_webhooks:brand", kwargs={"slug": lumen.slug})

    add_member(brand=rival, user=owner, role=BrandMembership.Role.DEVELOPER)
    response = client_for(user=owner).get(reverse("brand_webhooks:index"))
    assert response.status_code == 200
    assert b"Maison Lumen" in response.content
    assert b"Rival" in response.content


@pytest.mark.parametrize("role", [BrandMembership.Role.OWNER, BrandMembership.Role.DEVELOPER])
def test_staff_register_an_endpoint_and_see_its_secret_once(
    role: str, make_staff: Callable[..., User], lumen: Brand
) -> None:
    client = client_for(user=make_staff(lumen, role=role))

    response = client.post(
        reverse("brand_webhooks:endpoint_new", kwargs={"slug": lumen.slug}),
        {"url": "https://hooks.lumen.example/sillage", "description": "CRM",
         "event_types": ["consent.revoked", "data.erased"]},
    )

    endpoint = WebhookEndpoint.objects.get()
    secret = response.context["secret"]
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    assert secret.startswith("whsec_")
    assert secret.encode() in response.content
    assert (endpoint.brand, endpoint.url, endpoint.description, endpoint.event_types) == (
        lumen, "https://hooks.lumen.example/sillage", "CRM", ["consent.revoked", "data.erased"]
    )
    detail = client.get(reverse("brand_webhooks:endpoint",
                                kwargs={"slug": lumen.slug, "endpoint_id": endpoint.pk}))
    listing = client.get(reverse("brand_webhooks:brand", kwargs={"slug": lumen.slug}))
    assert detail.status_code == listing.status_code == 200
    assert secret.encode() not in detail.content + listing.content
    event = AuditEvent.objects.get(action="webhook.endpoint_created")
    assert event.detail == {"brand_id": str(lumen.pk), "endpoint_id": str(endpoint.pk)}


def test_registration_refused_for_a_private_destination_shows_why(
    settings, make_staff: Callable[..., User], lumen: Brand
) -> None:
    settings.WEBHOOKS = {**settings.WEBHOOKS, "ALLOW_PRIVATE_DESTINATIONS": False}
    client = client_for(user=make_staff(lumen))

    response = client.post(
        reverse("brand_webhooks:endpoint_new", kwargs={"slug": lumen.slug}),
        {"url": "https://169.254.169.254/latest/meta-data/", "event_types": ["data.erased"]},
    )

    assert response.status_code == 200
    assert "private, loopback or reserved" in response.content.decode()
    assert WebhookEndpoint.objects.count() == 0


def test_staff_rotate_disable_enable_and_send_a_test_event(
    make_staff: Callable[..., User], lumen_endpoint: WebhookEndpoint
) -> None:
    client = client_for(user=make_staff(lumen_endpoint.brand, role=BrandMembership.Role.DEVELOPER))
    ids = {"slug": lumen_endpoint.brand.slug, "endpoint_id": lumen_endpoint.pk}
    sealed_before = bytes(lumen_endpoint.secret_sealed)

    rotated = client.post(reverse("brand_webhooks:endpoint_rotate", kwargs=ids))
    lumen_endpoint.refresh_from_db()
    assert rotated.status_code == 200
    assert rotated.context["secret"].startswith("whsec_")
    assert bytes(lumen_endpoint.secret_sealed) != sealed_before
    assert bytes(lumen_endpoint.previous_secret_sealed) == sealed_before

    tested = client.post(reverse("brand_webhooks:endpoint_test", kwargs=ids))
    assert tested.status_code == 302
    assert lumen_endpoint.messages.get().event_type == "webhook.test"

    disabled = client.post(reverse("brand_webhooks:endpoint_disable", kwargs=ids))
    lumen_endpoint.refresh_from_db()
    assert disabled.status_code == 302
    assert lumen_endpoint.is_active is False
    assert lumen_endpoint.messages.get().status == OutboxMessage.Status.CANCELLED

    enabled = client.post(reverse("brand_webhooks:endpoint_enable", kwargs=ids))
    lumen_endpoint.refresh_from_db()
    assert enabled.status_code == 302
    assert lumen_endpoint.is_active is True

    assert client.get(reverse("brand_webhooks:endpoint_rotate", kwargs=ids)).status_code == 405


def test_staff_see_each_message_with_its_attempts(
    make_staff: Callable[..., User], lumen_endpoint: WebhookEndpoint,
    lumen_message: OutboxMessage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The endpoint host does not resolve: the attempt fails and is shown with its error class.
    def no_such_host(*args: object, **kwargs: object) -> list:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    webhook_deliver(message_id=lumen_message.pk)
    client = client_for(user=make_staff(lumen_endpoint.brand))
    ids = {"slug": lumen_endpoint.brand.slug, "endpoint_id": lumen_endpoint.pk}

    detail = client.get(reverse("brand_webhooks:endpoint", kwargs=ids))
    message_page = client.get(
        reverse("brand_webhooks:message", kwargs={**ids, "message_id": lumen_message.pk})
    )

    assert detail.status_code == message_page.status_code == 200
    assert lumen_message.webhook_id in detail.content.decode()
    page = message_page.content.decode()
    assert lumen_message.webhook_id in page
    assert "dns_error" in page
    assert "consent.revoked" in page

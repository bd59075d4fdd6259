"""The SSRF guard: webhook destinations are https and public, checked when an
endpoint is registered and again at every delivery, on the address connected to."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from brands.models import Brand
from tests.factories.webhooks import Receiver
from webhooks.errors import DestinationRefused
from webhooks.models import DeliveryAttempt, OutboxMessage, WebhookEndpoint
from webhooks.outbox import webhook_deliver, webhook_enqueue
from webhooks.services import webhook_endpoint_create
from webhooks.transport import address_refused, webhook_destination_check

pytestmark = pytest.mark.django_db

CONSENT = {"consent_id": "c-1", "client_id": "lumen-app"}
REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture
def strict(settings) -> None:
    """Production rules: https only, public addresses only."""
    settings.WEBHOOKS = {
        **settings.WEBHOOKS,
        "ALLOW_HTTP": False,
        "ALLOW_PRIVATE_DESTINATIONS": False,
    }


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """A fake resolver for *.example.test names; everything else resolves for real."""
    answers: dict[str, list[str]] = {}

    def getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> list:
        if host in answers:
            return [
                (
                    socket.AF_INET6 if ":" in address else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (address, port),
                )
                for address in answers[host]
            ]
        if host.endswith(".example.test"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


NON_PUBLIC = [
    "https://127.0.0.1/hook",
    "https://127.8.9.10:8443/hook",
    "https://10.0.0.5/hook",
    "https://10.255.1.2/hook",
    "https://172.16.0.1/hook",
    "https://192.168.1.20/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/hook",
    "https://0.0.0.0/hook",
    "https://224.0.0.1/hook",
    "https://240.0.0.1/hook",
    "https://[::1]/hook",
    "https://[::]/hook",
    "https://[fe80::1]/hook",
    "https://[fc00::1]/hook",
    "https://[ff02::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[::ffff:10.0.0.1]/hook",
    "https://[2002:7f00:1::1]/hook",  # 6to4 around 127.0.0.1
    "https://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 around 169.254.169.254
    "https://2130706433/hook",  # 127.0.0.1 as one integer
    "https://0x7f.1/hook",
]


@pytest.mark.parametrize("url", NON_PUBLIC)
def test_registration_refuses_non_public_addresses(strict: None, brand: Brand, url: str) -> None:
    with pytest.raises(DestinationRefused, match="private, loopback or reserved"):
        webhook_endpoint_create(brand=brand, url=url, event_types=["consent.revoked"])

    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize(
    "addresses",
    [["127.0.0.1"], ["10.1.2.3"], ["169.254.1.1"], ["::1"], ["93.184.215.14", "10.0.0.1"]],
)
def test_registration_refuses_a_name_with_any_non_public_address(
    strict: None, brand: Brand, dns: dict[str, list[str]], addresses: list[str]
) -> None:
    dns["hooks.example.test"] = addresses

    with pytest.raises(DestinationRefused):
        webhook_endpoint_create(
            brand=brand, url="https://hooks.example.test/sillage", event_types=["data.erased"]
        )

    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.test/sillage", "must use https"),
        ("ftp://hooks.example.test/sillage", "must use https"),
        ("https://user:pass@hooks.example.test/sillage", "user name or password"),
        ("https://nowhere.example.test/sillage", "could not be resolved"),
        ("https:///sillage", "no host"),
        ("https://hooks.example.test:99999/", "not a valid URL"),
    ],
)
def test_registration_refuses_bad_urls(
    strict: None, brand: Brand, dns: dict[str, list[str]], url: str, message: str
) -> None:
    dns["hooks.example.test"] = ["93.184.215.14"]

    with pytest.raises(DestinationRefused, match=message):
        webhook_endpoint_create(brand=brand, url=url, event_types=["data.erased"])

    assert WebhookEndpoint.objects.count() == 0


def test_registration_accepts_https_to_public_addresses(
    strict: None, brand: Brand, dns: dict[str, list[str]]
) -> None:
    dns["hooks.example.test"] = ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]

    endpoint, _ = webhook_endpoint_create(
        brand=brand, url="https://hooks.example.test/sillage", event_types=["data.erased"]
    )

    assert endpoint.url == "https://hooks.example.test/sillage"
    assert webhook_destination_check("https://93.184.215.14/x") == "https://93.184.215.14/x"


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/hook", "https://10.0.0.5/hook", "https://169.254.169.254/x",
     "https://[::1]/hook"],
)
def test_test_settings_allow_local_receivers(brand: Brand, url: str) -> None:
    endpoint, _ = webhook_endpoint_create(brand=brand, url=url, event_types=["data.erased"])

    assert endpoint.url == url


def test_delivery_checks_the_address_again_and_sends_nothing_to_a_private_one(
    settings, brand: Brand, dns: dict[str, list[str]], receiver: Receiver
) -> None:
    # DNS rebinding: public when registered, loopback when delivered.
    settings.WEBHOOKS = {**settings.WEBHOOKS, "ALLOW_PRIVATE_DESTINATIONS": False}
    port, seen = receiver.port, receiver.requests
    dns["rebind.example.test"] = ["93.184.215.14"]
    webhook_endpoint_create(
        brand=brand, url=f"http://rebind.example.test:{port}/hook", event_types=["data.erased"]
    )
    (message,) = webhook_enqueue(brand=brand, event_type="data.erased", payload=CONSENT)
    dns["rebind.example.test"] = ["127.0.0.1"]

    attempt = webhook_deliver(message_id=message.pk)
    message.refresh_from_db()

    assert attempt is not None
    assert (attempt.status_code, attempt.succeeded, attempt.error) == (
        None, False, "destination_refused"
    )
    assert message.status == OutboxMessage.Status.PENDING  # retried later, DNS may change back
    assert seen == []


def test_delivery_connects_to_the_checked_address_with_the_original_host_name(
    brand: Brand, dns: dict[str, list[str]], receiver: Receiver
) -> None:
    port, seen = receiver.port, receiver.requests
    receiver.statuses = [204]
    dns["pinned.example.test"] = ["127.0.0.1"]
    webhook_endpoint_create(
        brand=brand, url=f"http://pinned.example.test:{port}/hook", event_types=["data.erased"]
    )
    (message,) = webhook_enqueue(brand=brand, event_type="data.erased", payload=CONSENT)

    attempt = webhook_deliver(message_id=message.pk)

    assert attempt is not None
    assert attempt.status_code == 204
    assert [received.headers["host"] for received in seen] == [f"pinned.example.test:{port}"]
    assert DeliveryAttempt.objects.get().succeeded is True


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("8.8.8.8", False),
        ("2001:4860:4860::8888", False),
        ("127.0.0.1", True),
        ("198.18.0.1", True),
        ("192.0.2.1", True),
        ("::ffff:8.8.8.8", True),  # IPv4-mapped: never accepted, whatever it maps
        ("::ffff:192.168.0.1", True),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", True),  # Teredo
        ("fec0::1", True),
    ],
)
def test_address_classification(address: str, refused: bool) -> None:
    assert address_refused(ipaddress.ip_address(address)) is refused

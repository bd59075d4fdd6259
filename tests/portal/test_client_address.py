"""core.requests.client_address: the connection's address, or, from a trusted
proxy only, the right-most address of X-Forwarded-For that is not a proxy."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings

from core.requests import client_address

PROXIES = {"TRUSTED_PROXIES": ["10.0.0.0/8", "fd00::/8"]}


def _address(remote: str, forwarded: str | None = None) -> str:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_without_trusted_proxies_the_connection_is_the_client() -> None:
    assert _address("203.0.113.9", "192.0.2.1") == "203.0.113.9"


@override_settings(CORE=PROXIES)
@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        # A peer that is not a proxy: its own address, whatever it says.
        ("203.0.113.9", "192.0.2.1", "203.0.113.9"),
        # One proxy: the address it saw connecting.
        ("10.0.0.7", "198.51.100.7", "198.51.100.7"),
        # The client's own claims sit left of what the proxy appended.
        ("10.0.0.7", "192.0.2.1, 198.51.100.7", "198.51.100.7"),
        # Two proxies: skip the inner one.
        ("10.0.0.7", "192.0.2.1, 198.51.100.7, 10.1.2.3", "198.51.100.7"),
        # Ports and IPv6 as proxies write them; IPv4 mapped into IPv6.
        ("10.0.0.7", "198.51.100.7:54321", "198.51.100.7"),
        ("fd00::1", "[2001:db8::5]:443", "2001:db8::5"),
        ("::ffff:10.0.0.7", "::ffff:198.51.100.7", "198.51.100.7"),
        # Nothing forwarded, or a malformed entry: the last trusted hop stands in.
        ("10.0.0.7", None, "10.0.0.7"),
        ("10.0.0.7", "198.51.100.7, not-an-address", "10.0.0.7"),
        ("10.0.0.7", "not-an-address, 10.1.2.3", "10.1.2.3"),
    ],
)
def test_behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client(
    remote: str, forwarded: str | None, client: str
) -> None:
    assert _address(remote, forwarded) == client


def test_an_unknown_connection_address_is_empty() -> None:
    assert _address("") == ""


@override_settings(CORE={"TRUSTED_PROXIES": ["10.0.0.0/33"]})
def test_a_malformed_trusted_proxy_is_a_configuration_error() -> None:
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        _address("10.0.0.7", "198.51.100.7")

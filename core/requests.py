"""Small typed accessors for views: the request id (every request has one) and
the client's address."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from .conf import core_settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def request_id_of(request: HttpRequest) -> str:
    return str(getattr(request, "request_id", ""))


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    try:
        return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs)
    except ValueError as error:
        raise ImproperlyConfigured(f'settings.CORE["TRUSTED_PROXIES"]: {error}') from error


def _address(text: str) -> IPAddress | None:
    """An address as a proxy writes it, with an optional port, else None."""
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent ``request``, as far as it can be trusted.

    The connection's own address (REMOTE_ADDR), unless it is one of the
    trusted proxies (``CORE["TRUSTED_PROXIES"]``). Then X-Forwarded-For is read
    from the right, where each trusted proxy appended the address it saw
    connecting: the first address that is not a trusted proxy is the client.
    Anything left of it was written by the client itself and is never believed.
    A malformed entry stops the walk: the last proxy that could be trusted
    stands for the client. "" when the address is unknown.
    """
    remote = _address(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return ""
    trusted = _networks(tuple(core_settings.TRUSTED_PROXIES))

    def is_trusted(address: IPAddress) -> bool:
        return any(address.version == network.version and address in network
                   for network in trusted)

    if not is_trusted(remote):
        return str(remote)
    client = remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") or ""
    for entry in reversed(forwarded.split(",")):
        hop = _address(entry)
        if hop is None:
            break
        client = hop
        if not is_trusted(hop):
            break
    return str(client)

"""Getting a webhook to a brand's server without being turned against our own network.

Destinations are checked against SSRF at registration *and* at each delivery:
https only (plain http only where settings allow it, for tests), no
credentials in the URL, and every address the host resolves to must be public
unicast, IPv4 hidden in IPv6 included. The connection is then made to an
address that was checked (no second DNS look-up), the TLS certificate and SNI
are checked against the host name, and redirects are never followed.
"""

from __future__ import annotations

import functools
import http.client
import ipaddress
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from .conf import webhooks_settings
from .errors import DestinationRefused

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    target: str  # path and query, as sent in the request line
    addresses: tuple[str, ...] = ()


def address_refused(address: IPAddress) -> bool:
    """True for anything but a public unicast address, including IPv4 hidden in IPv6."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            # Resolvers give IPv4 as IPv4; a mapped form only serves to dodge checks
            # (and Python versions disagree on how to classify it).
            return True
        embedded: list[ipaddress.IPv4Address] = []
        if address.sixtofour is not None:
            embedded.append(address.sixtofour)
        if address.teredo is not None:
            embedded.extend(address.teredo)
        if address in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if any(address_refused(inner) for inner in embedded):
            return True
        if address.is_site_local:
            return True
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _parse_destination(url: str) -> Destination:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise DestinationRefused(_("This is not a valid URL.")) from error
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and webhooks_settings.ALLOW_HTTP):
        raise DestinationRefused(_("Webhook destinations must use https."), reason="scheme")
    if parts.username is not None or parts.password is not None:
        # Credentials in a URL would be stored and shown in clear: use the signature instead.
        raise DestinationRefused(_("Webhook URLs cannot contain a user name or password."))
    if not parts.hostname:
        raise DestinationRefused(_("This URL has no host."))
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise DestinationRefused(_("This host name is not valid.")) from error
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return Destination(
        scheme=scheme, host=host, port=port or (443 if scheme == "https" else 80), target=target
    )


def _resolve(destination: Destination) -> Destination:
    """Every address the host resolves to; all must be public unless settings allow otherwise."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(destination.host)
    except ValueError:
        literal = None
    if literal is not None:
        found = [str(literal)]
    else:
        try:
            infos = socket.getaddrinfo(
                destination.host, destination.port, type=socket.SOCK_STREAM
            )
        except (OSError, UnicodeError) as error:
            raise DestinationRefused(
                _("This host name could not be resolved."), reason="dns_error"
            ) from error
        found = list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))
    if not found:
        raise DestinationRefused(_("This host name could not be resolved."), reason="dns_error")
    if not webhooks_settings.ALLOW_PRIVATE_DESTINATIONS:
        for text in found:
            if address_refused(ipaddress.ip_address(text)):
                # The address itself is not shown: no probing of internal networks.
                raise DestinationRefused(
                    _("This host resolves to a private, loopback or reserved address.")
                )
    return Destination(
        scheme=destination.scheme,
        host=destination.host,
        port=destination.port,
        target=destination.target,
        addresses=tuple(found),
    )


def webhook_destination_check(url: str) -> str:
    """Refuse a URL that is not an acceptable destination; returns it trimmed.

    Outside relaxed (test) settings the host is resolved now and every address
    must be public; delivery checks again, since DNS answers change.
    """
    destination = _parse_destination(url)
    if not webhooks_settings.ALLOW_PRIVATE_DESTINATIONS:
        _resolve(destination)
    return url.strip()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # System CAs, certificate and host name checked; built once (loading CAs is slow).
    return ssl.create_default_context()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever DNS says a moment later."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above, with certificate and SNI checked against the host name, not the address."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=_tls_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, *, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
    """POST once and return the status code; redirects are not followed, bodies not read.

    The destination is checked again here, and each checked address is tried in
    turn until one accepts the connection.
    """
    destination = _resolve(_parse_destination(url))
    connection_class = (
        _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
    )
    last_error: OSError | None = None
    for address in destination.addresses:
        connection = connection_class(
            destination.host, destination.port, address=address, timeout=timeout
        )
        try:
            try:
                connection.connect()
            except OSError as error:
                last_error = error
                continue
            connection.request("POST", destination.target, body=body, headers=dict(headers))
            return connection.getresponse().status
        finally:
            connection.close()
    raise last_error or OSError("no address to connect to")

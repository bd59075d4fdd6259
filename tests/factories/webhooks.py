"""Webhooks: an endpoint, the local receiver every delivery test sends to,
and the Standard Webhooks signature computed independently of the code under test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ssl
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from brands.models import Brand
from webhooks.models import WebhookEndpoint
from webhooks.services import webhook_endpoint_create


def create_endpoint(*, brand: Brand, url: str,
                    event_types: Sequence[str] = ("consent.revoked", "data.erased"),
                    ) -> tuple[WebhookEndpoint, str]:
    """An endpoint of ``brand`` through webhook_endpoint_create; returns it and its secret."""
    return webhook_endpoint_create(brand=brand, url=url, event_types=list(event_types))


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A local webhook endpoint: answers the queued statuses in turn (then 200),
    answers a redirect status with a Location, and records every request."""

    statuses: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.server_port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/sillage"

    def stop(self) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()


def start_receiver(*, tls: ssl.SSLContext | None = None) -> Receiver:
    """A Receiver listening on 127.0.0.1 (https with the server context ``tls``);
    call its ``stop()`` when done."""
    state = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with lock:
                state.requests.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            if status in (301, 302, 307, 308):
                self.send_header("location", "/elsewhere")
            self.send_header("content-length", "0")
            self.end_headers()

        def do_GET(self) -> None:  # noqa: N802
            with lock:
                state.requests.append(Received(self.path, {}, b""))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    state.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        state.server.socket = tls.wrap_socket(state.server.socket, server_side=True)
    threading.Thread(target=state.server.serve_forever, args=(0.05,), daemon=True).start()
    return state


def reference_signature(*, secret: str, message_id: str, timestamp: str, body: bytes) -> str:
    """The signature of the Standard Webhooks specification, written out independently."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = message_id.encode() + b"." + timestamp.encode() + b"." + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def expected_signature(*, secret: str, received: Received) -> str:
    """The reference signature of what a Receiver got, under ``secret``."""
    return reference_signature(secret=secret, message_id=received.headers["webhook-id"],
                               timestamp=received.headers["webhook-timestamp"],
                               body=received.body)

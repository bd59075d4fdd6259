"""What can go wrong with a webhook request, on Sillage's error hierarchy
(core/errors.py).

They live apart so that the transport, the outbox and the endpoint services can
share them without importing one another. Views catch ``WebhookError`` and show
``localized()``; a failed delivery attempt records a short reason, never a
message.
"""

from __future__ import annotations

from typing import Any

from core.errors import Conflict, InvalidInput, SillageError, Text


class WebhookError(InvalidInput):
    """A webhook request that cannot be honoured; the message is safe to show."""

    code = "webhook_refused"


class DestinationRefused(WebhookError):
    """The URL is not an acceptable destination (scheme, host, or address).

    ``reason`` is what a failed delivery attempt records ("scheme",
    "dns_error", "destination_refused"...)."""

    code = "destination_refused"

    def __init__(self, message: Text, /, *, reason: str = "destination_refused",
                 **params: Any) -> None:
        super().__init__(message, **params)
        self.reason = reason


class EndpointLimitReached(WebhookError, Conflict):
    """The brand already has as many active endpoints as it may."""

    code = "endpoint_limit_reached"
    status = 409


class SecretUnavailable(SillageError):
    """An endpoint's stored secret cannot be opened with the configured key: a
    fault of this deployment (its index key changed), not of the request."""

    code = "secret_unavailable"


class InvalidPayload(SillageError):
    """A caller tried to put something other than known ids in a webhook: a bug
    in Sillage, never the brand's or the consumer's doing."""

    code = "invalid_webhook_payload"

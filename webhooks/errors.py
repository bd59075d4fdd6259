"""What can go wrong with a webhook request, as exceptions every module here raises.

They live apart so that the transport, the outbox and the endpoint services can
share them without importing one another; views catch ``WebhookError`` and show
its message, which is always safe to show.
"""

from __future__ import annotations


class WebhookError(Exception):
    """A webhook request that cannot be honoured; the message is safe to show."""


class DestinationRefused(WebhookError):
    """The URL is not an acceptable destination (scheme, host, or address)."""

    def __init__(self, message: str, *, code: str = "destination_refused") -> None:
        super().__init__(message)
        self.code = code


class EndpointLimitReached(WebhookError):
    """The brand already has as many active endpoints as it may."""


class InvalidPayload(ValueError):
    """A caller tried to put something other than known ids in a webhook."""

"""The Content-Security-Policy every response carries, and the one way a view
widens it for its own response.

The policy is ``CORE["CONTENT_SECURITY_POLICY"]`` (core/conf.py): strict by
default, no inline script or style anywhere (templates load ``static/`` files
only, checked by tests/portal/test_security_headers.py). A view that needs one
more source for one response says so with ``csp_allow``; the middleware
(core.middleware.SecurityHeadersMiddleware) writes the header.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.http import HttpResponseBase

from .conf import core_settings

HEADER = "Content-Security-Policy"
_EXTRA = "_sillage_csp_extra"


def csp_allow(response: HttpResponseBase, directive: str, *sources: str) -> HttpResponseBase:
    """Add ``sources`` to ``directive`` for this response only."""
    extra: dict[str, list[str]] = getattr(response, _EXTRA, None) or {}
    for source in sources:
        if any(char in source for char in ";,\r\n") or not source.strip():
            raise ValueError(f"not a CSP source: {source!r}")
        extra.setdefault(directive, [])
        if source not in extra[directive]:
            extra[directive].append(source)
    setattr(response, _EXTRA, extra)
    return response


def policy_for(response: HttpResponseBase) -> str:
    """The header value: the configured policy with this response's additions."""
    configured: Mapping[str, Sequence[str]] = core_settings.CONTENT_SECURITY_POLICY
    directives = {name: list(sources) for name, sources in configured.items()}
    for name, sources in (getattr(response, _EXTRA, None) or {}).items():
        current = directives.setdefault(name, list(directives.get("default-src", [])))
        current.extend(source for source in sources if source not in current)
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())

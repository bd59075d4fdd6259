"""Scopes are facets: ``<facet>:read`` and ``<facet>:write`` for every
facet of the registry, ``<reduced>:read`` for every reduced facet. Purposes come
from a fixed list. Anything else is refused.

One scope is not a facet: ``aggregates``, the only scope of the
client-credentials grant (a brand's client asking for its privacy-protected
aggregate figures, on behalf of no consumer). It is never available to the
code flow, and the client-credentials grant gets nothing else."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from oauth2_provider.scopes import BaseScopes

from vault.facets import FACETS
from vault.reduced import REDUCED_FACETS, reduced_forms_of

from .errors import ScopeError
from .models import ACCESS_MODES, READ, WRITE

PURPOSES: dict[str, Promise] = {
    "service": _("Provide a service you asked for"),
    "personalisation": _("Personalise what you see and are offered"),
    "loyalty": _("Run a loyalty programme you belong to"),
    "analytics": _("Measure and improve the brand's products (aggregated)"),
    "marketing": _("Send you offers and news"),
}


# Scopes of tokens issued to a client itself (client-credentials grant): no
# consumer and no consent behind them, so never a facet.
AGGREGATES_SCOPE = "aggregates"
CLIENT_SCOPES: dict[str, str] = {
    AGGREGATES_SCOPE: "Read the brand's privacy-protected aggregate figures (/api/v1/aggregates)",
}


@dataclass(frozen=True)
class FacetInfo:
    key: str
    label: str | Promise
    description: str | Promise
    kind: str
    reduced: bool
    source: str
    fields: tuple[tuple[str, str | Promise], ...]

    @property
    def modes(self) -> tuple[str, ...]:
        return (READ,) if self.reduced else ACCESS_MODES

    @property
    def is_events(self) -> bool:
        return self.kind == "events"


@cache
def facet_catalogue() -> dict[str, FacetInfo]:
    catalogue: dict[str, FacetInfo] = {}
    for facet in FACETS.values():
        catalogue[facet.key] = FacetInfo(
            key=facet.key, label=facet.label, description=facet.description, kind=facet.kind,
            reduced=False, source=facet.key,
            fields=tuple((spec.name, spec.label or spec.name) for spec in facet.fields),
        )
    for reduced in REDUCED_FACETS.values():
        catalogue[reduced.key] = FacetInfo(
            key=reduced.key, label=reduced.label, description=reduced.description,
            kind=reduced.kind, reduced=True, source=reduced.source, fields=reduced.fields,
        )
    return catalogue


def facet_info(key: str) -> FacetInfo | None:
    return facet_catalogue().get(key)


@cache
def all_scopes() -> dict[str, str]:
    scopes: dict[str, str] = {}
    for info in facet_catalogue().values():
        for mode in info.modes:
            verb = "Read" if mode == READ else "Add records to"
            scopes[f"{info.key}:{mode}"] = f"{verb} {info.key}"
    return scopes


def parse_scopes(scopes: Iterable[str]) -> dict[str, list[str]]:
    """``["contact:read", "purchases:write"]`` -> ``{"contact": ["read"], ...}``;
    raises ScopeError on anything that is not a known facet scope."""
    grants: dict[str, set[str]] = {}
    known = all_scopes()
    for scope in scopes:
        if scope not in known:
            raise ScopeError(_("unknown scope %(scope)s: scopes are <facet>:read or <facet>:write"),
                             scope=repr(scope[:60]))
        facet, _sep, mode = scope.partition(":")
        grants.setdefault(facet, set()).add(mode)
    return {facet: sorted(modes) for facet, modes in sorted(grants.items())}


def reductions(facet_key: str) -> list[str]:
    return [reduced.key for reduced in reduced_forms_of(facet_key)]


def clean_purpose(purpose: Any) -> str:
    if not isinstance(purpose, str) or purpose not in PURPOSES:
        raise ScopeError(_("purpose is required, one of: %(purposes)s"), purposes=", ".join(PURPOSES))
    return purpose


def clean_duration_days(value: Any, *, maximum: int) -> int:
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError) as error:
        raise ScopeError(_("duration_days is required: a whole number of days from 1 to %(maximum)s"),
                         maximum=maximum) from error
    if not 1 <= days <= maximum:
        raise ScopeError(_("duration_days must be between 1 and %(maximum)s"), maximum=maximum)
    return days


def request_state(request: Any, name: str) -> Any:
    """What Sillage's glue itself set on an oauthlib request under ``name``
    (None if nothing was), never a query or body parameter of that name:
    oauthlib answers ``request.<anything>`` with the parameter when no
    attribute was set, so ``getattr`` would read what the client sent
    (``sillage_grant=x`` in a token request)."""
    return vars(request).get(name)


def is_client_grant(request: Any) -> bool:
    """Whether an oauthlib request is a client-credentials token request.

    The server marks the request in the grant's own first step
    (``SillageValidator.mark_client_grant``), rather than trusting
    ``request.grant_type``: oauthlib exposes every query and body parameter as
    an attribute, so a crafted authorize URL could claim any grant type.
    """
    return request_state(request, "sillage_client_grant") is True


class FacetScopes(BaseScopes):
    """The toolkit's scopes backend.

    The code flow may ask for any facet scope and nothing else; the
    client-credentials grant may ask for ``aggregates`` and nothing else (its
    default when no scope is sent). Discovery (no request) lists both.
    """

    def get_all_scopes(self) -> dict[str, str]:
        return {**all_scopes(), **CLIENT_SCOPES}

    def get_available_scopes(self, application: Any = None, request: Any = None, *args: Any,
                             **kwargs: Any) -> list[str]:
        if request is None:
            return list(self.get_all_scopes())
        if is_client_grant(request):
            return list(CLIENT_SCOPES)
        return list(all_scopes())

    def get_default_scopes(self, application: Any = None, request: Any = None, *args: Any,
                           **kwargs: Any) -> list[str]:
        if request is not None and is_client_grant(request):
            return [AGGREGATES_SCOPE]
        return []


__all__ = ["AGGREGATES_SCOPE", "CLIENT_SCOPES", "PURPOSES", "WRITE", "FacetInfo", "FacetScopes",
           "ScopeError", "all_scopes", "facet_catalogue", "facet_info", "is_client_grant",
           "parse_scopes", "request_state"]

"""The consumer's dashboard: thin, reads through the vault's selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts.requests import account_of
from vault.facets import FACETS
from vault.selectors import recent_imports, vault_overview


@login_required
@never_cache
def dashboard(request: HttpRequest) -> HttpResponse:
    vault = account_of(request).vault
    summaries = vault_overview(vault=vault, events_preview=1)
    given_name = ""
    for summary in summaries:
        if summary.facet.key == "identity" and summary.current is not None:
            given_name = str(summary.current.data.get("given_name", ""))
    sources = sorted({label for summary in summaries for label in summary.sources})
    return render(
        request,
        "portal/dashboard.html",
        {
            "given_name": given_name,
            "summaries": summaries,
            "total": sum(summary.count for summary in summaries),
            "filled": sum(1 for summary in summaries if summary.count),
            "facet_total": len(FACETS),
            "sources": sources,
            "imports": recent_imports(vault=vault),
        },
    )

"""Regulator portal: search, per-brand statistics, integrity, export, API tokens.

Log in at /accounts/login/ like everyone; every page here then checks the
regulator role (403 otherwise). Each query of the log is recorded as an
``audit.viewed`` event in the same transaction as the read.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from audit import selectors, signing
from audit.conf import audit_settings
from audit.errors import ProofUnavailable
from audit.export import write_bundle_zip
from audit.labels import rows_for
from audit.rows import consistent_read
from audit.services import audit_viewed
from audit.tasks import verify_log_task
from core.actors import account_actor

from .charts import brand_access_chart
from .forms import PeriodForm, RegulatorSearchForm, TokenForm
from .models import RegulatorToken
from .services import regulator_token_create, regulator_token_revoke

View = Callable[..., HttpResponseBase]


def regulator_required(view: View) -> View:
    @login_required
    @never_cache
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user: Any = request.user
        if user.role != "regulator" or not user.is_active:
            raise PermissionDenied("Regulators only.")
        return view(request, *args, **kwargs)

    return wrapped


def _audited(request: HttpRequest, view: str, *, filters: dict[str, Any] | None = None,
             results: int | None = None) -> None:
    audit_viewed(actor=account_actor(request.user), view=view, filters=filters,  # type: ignore[arg-type]
                 results=results, request_id=getattr(request, "request_id", ""))


@regulator_required
def search(request: HttpRequest) -> HttpResponse:
    form = RegulatorSearchForm(request.GET or None)
    filters = form.filters()
    size = int(audit_settings.REGULATOR_PAGE_SIZE)
    with transaction.atomic():
        paginator = Paginator(selectors.events_search(filters), size)
        page = paginator.get_page(request.GET.get("page"))
        rows = rows_for(list(page.object_list))
        _audited(request, "portal.search", filters={**filters.as_dict(), "page": page.number},
                 results=len(rows))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "regulator/search.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
        "status": selectors.integrity_status(), "section": "search",
    })


@regulator_required
def event_detail(request: HttpRequest, event_id: uuid.UUID) -> HttpResponse:
    with transaction.atomic():
        event = selectors.event_by_id(event_id)
        _audited(request, "portal.event", filters={"event_id": event_id},
                 results=int(event is not None))
    if event is None:
        raise Http404("No such event.")
    proof = None
    try:
        proof = selectors.inclusion_proof(event_id=event.event_id)
    except ProofUnavailable as error:
        proof_error = error.localized()
    else:
        proof_error = ""
    return render(request, "regulator/event.html", {
        "row": rows_for([event])[0], "event": event, "proof": proof, "proof_error": proof_error,
        "section": "search",
    })


@regulator_required
def statistics(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    since, until = form.period()
    with transaction.atomic():
        stats = selectors.brand_statistics(since=since, until=until)
        _audited(request, "portal.statistics",
                 filters={"since": since.isoformat(), "until": until.isoformat() if until else ""},
                 results=len(stats))
    return render(request, "regulator/statistics.html", {
        "form": form, "stats": stats, "chart": brand_access_chart(stats), "since": since,
        "until": until, "section": "statistics",
    })


@regulator_required
@require_http_methods(["GET", "POST"])
def integrity(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        with transaction.atomic():
            _audited(request, "portal.verify")
            transaction.on_commit(verify_log_task.delay)
        messages.info(request, _("Verification started; its result appears below when done."))
        return redirect("regulator:integrity")
    with transaction.atomic():
        status = selectors.integrity_status()
        _audited(request, "portal.integrity", results=status.checkpoints)
    return render(request, "regulator/integrity.html", {
        "status": status, "verifier_key": signing.verifier().encode(), "origin": signing.origin(),
        "section": "integrity",
    })


@regulator_required
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest) -> HttpResponseBase:
    if request.method == "GET":
        return render(request, "regulator/export.html", {
            "status": selectors.integrity_status(), "verifier_key": signing.verifier().encode(),
            "section": "export",
        })
    scratch = tempfile.TemporaryDirectory(prefix="sillage-audit-")
    archive = tempfile.TemporaryFile()  # noqa: SIM115 (handed to FileResponse, which closes it)
    try:
        # The query is recorded in the same transaction (and snapshot) as the export reads.
        with consistent_read(read_only=False):
            _audited(request, "portal.export")
            summary = write_bundle_zip(archive, Path(scratch.name))
    finally:
        scratch.cleanup()
    archive.seek(0)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response = FileResponse(archive, as_attachment=True,
                            filename=f"sillage-audit-{stamp}.zip", content_type="application/zip")
    response["X-Audit-Events"] = str(summary.events)
    return response


@regulator_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    created = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _, created = regulator_token_create(
            user=request.user, name=form.cleaned_data["name"], actor=account_actor(request.user),  # type: ignore[arg-type]
            request_id=getattr(request, "request_id", ""))
        form = TokenForm()
    return render(request, "regulator/tokens.html", {
        "form": form, "created": created, "section": "tokens",
        "tokens": RegulatorToken.objects.filter(user_id=str(request.user.pk)).order_by("-created_at"),
        "now": timezone.now(),
    })


@regulator_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(RegulatorToken, pk=token_id, user_id=str(request.user.pk))
    regulator_token_revoke(token=token, actor=account_actor(request.user),  # type: ignore[arg-type]
                           request_id=getattr(request, "request_id", ""))
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("regulator:tokens")

"""Vault pages of the consumer portal: thin. Reads go through vault.selectors,
changes through vault.services; every query is scoped to the logged-in
consumer's own vault."""

from __future__ import annotations

import math
import tempfile
import uuid
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.actors import account_actor

from .errors import ImportRejected, RecordInvalid
from .facets import FACETS, Facet
from .forms import ImportForm, PreferenceFormSet, ProfileForm, preference_rows
from .models import Vault
from .selectors import current_profile_value, facet_records, source_label, vault_overview
from .services import SELF_SOURCE, record_delete, record_write, vault_export, vault_import

PER_PAGE = 25
IMPORT_RESULT_KEY = "vault.last_import"


def vault_of(request: HttpRequest) -> Vault:
    """The logged-in consumer's vault, for views behind ``login_required``.
    (The account model lives in the accounts app, above this one.)"""
    return cast("Vault", request.user.vault)  # type: ignore[union-attr]



def _request_id(request: HttpRequest) -> str:
    return getattr(request, "request_id", "")


def _facet_or_404(key: str) -> Facet:
    facet = FACETS.get(key)
    if facet is None:
        raise Http404("unknown facet")
    return facet


def _sentence(label: str, error: RecordInvalid) -> str:
    """'<Field label> <validation message>.' in the active language."""
    return _("%(label)s %(message)s.") % {"label": label, "message": error.localized().rstrip(".")}


@login_required
@never_cache
def vault_home(request: HttpRequest) -> HttpResponse:
    summaries = vault_overview(vault=vault_of(request))
    return render(
        request,
        "vault/overview.html",
        {
            "profiles": [summary for summary in summaries if not summary.facet.is_events],
            "events": [summary for summary in summaries if summary.facet.is_events],
            "total": sum(summary.count for summary in summaries),
        },
    )


def _page_number(request: HttpRequest) -> int:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        return 1
    # Clamped so that a forged page number cannot overflow the SQL offset.
    return min(max(1, number), 1_000_000)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def facet_view(request: HttpRequest, facet: str) -> HttpResponse:
    spec = _facet_or_404(facet)
    vault = vault_of(request)
    form: ProfileForm | None = None
    formset: Any = None
    formset_error = ""
    status = 200
    if not spec.is_events:
        current = current_profile_value(vault=vault, facet=spec)
        if spec.free_form:
            formset = PreferenceFormSet(
                request.POST or None,
                prefix="pref",
                initial=None if request.method == "POST" else preference_rows(
                    current.data if current else None
                ),
            )
        else:
            form = ProfileForm(
                request.POST or None, facet=spec, initial=current.data if current else None
            )
        if request.method == "POST":
            saved, formset_error = _save_profile(request, spec, form, formset)
            if saved:
                messages.success(
                    request, _("%(facet)s updated. The previous value is kept in the history.")
                    % {"facet": spec.label}
                )
                return redirect("vault:facet", facet=spec.key)
            status = 400
    elif request.method == "POST":
        raise Http404("events are not edited here")

    page = _page_number(request)
    records, total = facet_records(vault=vault, facet=spec, page=page, per_page=PER_PAGE)
    pages = max(1, math.ceil(total / PER_PAGE))
    if page > pages:
        page = pages
        records, total = facet_records(vault=vault, facet=spec, page=page, per_page=PER_PAGE)
    return render(
        request,
        "vault/facet.html",
        {
            "facet": spec,
            "records": records,
            "total": total,
            "page": page,
            "pages": pages,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if page < pages else None,
            "form": form,
            "formset": formset,
            "formset_error": formset_error,
            "columns": [(field.name, field.label) for field in spec.fields],
        },
        status=status,
    )


def _save_profile(
    request: HttpRequest, spec: Facet, form: Any, formset: Any
) -> tuple[bool, str]:
    """Write the edited value as the consumer's own; (saved, error not tied to a row)."""
    editor = formset if spec.free_form else form
    if not editor.is_valid():
        return False, ""
    data = editor.record_data()
    try:
        record_write(
            vault=vault_of(request),
            facet=spec.key,
            data=data,
            source=SELF_SOURCE,
            actor=account_actor(request.user),
            request_id=_request_id(request),
        )
    except RecordInvalid as error:
        if spec.free_form:
            row = formset.form_for_key(error.field.split(".", 1)[0])
            if row is not None:
                row.add_error("key", _("The name “%(name)s” is refused: %(message)s.") % {
                    "name": error.field, "message": error.localized().rstrip(".")})
                return False, ""
            return False, _sentence(_("The preferences"), error)
        if error.field in form.fields:
            form.add_error(error.field, _sentence(form.label_for(error.field), error))
        else:
            form.add_error(None, _sentence(error.field, error))
        return False, ""
    return True, ""


@login_required
@require_POST
def record_delete_view(request: HttpRequest, facet: str, record_id: Any) -> HttpResponse:
    spec = _facet_or_404(facet)
    deleted = record_delete(
        vault=vault_of(request),
        record_id=record_id,
        actor=account_actor(request.user),
        request_id=_request_id(request),
    )
    if not deleted:
        raise Http404("no such record in your vault")
    messages.success(request, _("The record was deleted from your vault."))
    return redirect("vault:facet", facet=spec.key)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    vault = vault_of(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "facets": FACETS}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = vault_import(
                    vault=vault,
                    source=form.cleaned_data["source"],
                    stream=upload,
                    actor=account_actor(request.user),
                    filename=upload.name or "",
                    request_id=_request_id(request),
                )
            except ImportRejected as rejected:
                context["problems"] = [
                    {"where": problem.localized_where(), "field": problem.field,
                     "message": problem.message.localized()}
                    for problem in rejected.problems
                ]
            except RecordInvalid as error:
                form.add_error("source" if error.field == "source" else None,
                               capfirst(error.localized()).rstrip(".") + ".")
            else:
                # Only ids and counts go to the session: names stay sealed in the vault.
                request.session[IMPORT_RESULT_KEY] = {
                    "source_id": str(result.batch.source_id),
                    "by_facet": result.by_facet,
                    "records": sum(result.by_facet.values()),
                }
                return redirect("vault:import")
    else:
        last = request.session.pop(IMPORT_RESULT_KEY, None)
        if isinstance(last, dict):
            context["imported"] = {
                "source": source_label(vault, _uuid_or_none(last.get("source_id"))),
                "records": last.get("records", 0),
                "by_facet": [
                    {"facet": FACETS[key], "count": count}
                    for key, count in (last.get("by_facet") or {}).items()
                    if key in FACETS
                ],
            }
    return render(request, "vault/import.html", context, status=status)


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def export_view(request: HttpRequest) -> HttpResponse | FileResponse:
    if request.method != "POST":
        return render(request, "vault/export_page.html")
    archive = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    vault_export(
        vault=vault_of(request),
        out=archive,
        actor=account_actor(request.user),
        request_id=_request_id(request),
    )
    archive.seek(0)
    filename = f"sillage-export-{timezone.localdate():%Y%m%d}.zip"
    response = FileResponse(
        archive, as_attachment=True, filename=filename, content_type="application/zip"
    )
    response["Cache-Control"] = "no-store"
    return response

"""Consent screen (the toolkit's authorize view, with our template and form)
and the consumer's consent pages. Thin: the OAuth request is validated by the
toolkit and ``consents.oauth``, choices by the forms, changes by the services."""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.views import AuthorizationView
from oauthlib.oauth2.rfc6749 import errors as oauth_errors

from accounts.requests import account_of
from core.actors import account_actor
from core.csp import csp_allow
from core.requests import request_id_of

from .errors import ConsentError
from .forms import ConsentForm, NarrowForm
from .models import Consent
from .oauth import ConsentDecision
from .purposes import purpose_default, purpose_label, purpose_own_words
from .scopes import facet_info, parse_scopes, reductions
from .selectors import (
    consent_for_consumer,
    consent_preview,
    consents_for_consumer,
    facets_described,
)
from .services import consent_narrow, consent_revoke

_PASSED_ON = ("client_id", "redirect_uri", "response_type", "state", "code_challenge",
              "code_challenge_method")

_UNKNOWN_CLIENT = (oauth_errors.MissingClientIdError, oauth_errors.InvalidClientIdError)
_BAD_RETURN_ADDRESS = (oauth_errors.MissingRedirectURIError, oauth_errors.InvalidRedirectURIError,
                       oauth_errors.MismatchingRedirectURIError)


def _error_reason(error: Exception) -> str:
    """What went wrong, in plain words for the consumer; the protocol's own error
    (English, for the brand's developers) is shown below it."""
    if isinstance(error, _UNKNOWN_CLIENT):
        return _("The service that sent you here is not registered with Sillage, or it has "
                 "been disabled.")
    if isinstance(error, _BAD_RETURN_ADDRESS):
        return _("The service that sent you here asked to bring you back to an address it has "
                 "not registered. For your safety, you were not sent there.")
    return _("The link that brought you here is not valid.")


class ConsentAuthorizationView(AuthorizationView):
    """GET shows the consent screen; POST turns the consumer's answer into a
    consent and an authorization code (or an ``access_denied`` redirect)."""

    template_name = "consents/authorize.html"

    def error_response(self, error: OAuthToolkitError, application: Any,
                       **kwargs: Any) -> HttpResponse:
        # Errors that can go back to the brand are redirected by the toolkit;
        # the others (unknown client, unregistered return address) are shown here.
        return super().error_response(  # type: ignore[no-any-return]
            error, application, reason=_error_reason(error.oauthlib_error), **kwargs
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        return self._screen(request, scopes, credentials, form=None)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The request is validated again from the URL alone: nothing in the posted
        # form can stand in for what the brand asked (scope, purpose, duration).
        from_url = copy.copy(request)
        from_url.POST = QueryDict()
        try:
            scopes, credentials = self.validate_authorization_request(from_url)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        application = credentials["request"].client
        passed = {key: credentials[key] for key in _PASSED_ON if credentials.get(key) is not None}
        if "refuse" in request.POST:
            try:
                self.create_authorization_response(request=request, scopes=" ".join(scopes),
                                                   credentials=passed, allow=False)
            except OAuthToolkitError as error:
                return self.error_response(error, application)
            raise Http404  # unreachable: a refusal always ends in access_denied
        requested = parse_scopes(scopes)
        form = ConsentForm(request.POST, requested=requested, max_days=credentials["duration_days"])
        if not form.is_valid():
            return self._screen(request, scopes, credentials, form=form)
        purpose = credentials["purpose"]
        passed["sillage_decision"] = ConsentDecision(
            facets=form.granted, purpose=purpose,
            description=application.purpose_description(purpose) or purpose_default(purpose),
            duration_days=form.cleaned_data["consent_days"], requested_scope=" ".join(scopes),
            request_id=request_id_of(request),
        )
        try:
            uri, _headers, _body, _status = self.create_authorization_response(
                request=request, scopes=" ".join(passed["sillage_decision"].scopes),
                credentials=passed, allow=True,
            )
        except OAuthToolkitError as error:
            return self.error_response(error, application)
        return self.redirect(uri, application)

    def _screen(self, request: HttpRequest, scopes: list[str], credentials: dict[str, Any],
                form: ConsentForm | None) -> HttpResponse:
        application = credentials["request"].client
        requested = parse_scopes(scopes)
        if form is None:
            form = ConsentForm(requested=requested, max_days=credentials["duration_days"])
        shown: list[str] = []
        for facet, modes in requested.items():
            shown.append(facet)
            if "read" in modes:
                shown.extend(reductions(facet))
        previews = consent_preview(consumer=account_of(request), facets=shown)
        rows = form.rows()
        for row in rows:
            row["preview"] = _shown(row["facet"], previews.get(row["facet"]))
            row["reduced_previews"] = [(info, _shown(info.key, previews.get(info.key)))
                                       for info in row["reductions"]]
        purpose = credentials["purpose"]
        context = {
            "application": application,
            "brand": application.brand,
            "purpose": purpose,
            "purpose_label": purpose_label(purpose),
            "purpose_description": purpose_own_words(purpose,
                                                     application.purpose_description(purpose)),
            "duration_days": credentials["duration_days"],
            "rows": rows,
            "form": form,
            "return_host": urlsplit(credentials["redirect_uri"]).netloc,
            "scopes": scopes,
        }
        response = self.render_to_response(context)
        # The form posts here, and the answer redirects to the brand: browsers
        # apply form-action to that redirect too, so allow this request's
        # (registered, already checked) return address, for this page only.
        csp_allow(response, "form-action", _origin(credentials["redirect_uri"]))
        return response


def _origin(uri: str) -> str:
    """A return address as a CSP source: its scheme, host and port. An IPv6
    loopback address cannot be written as a CSP host: its scheme stands for it."""
    parts = urlsplit(uri)
    if ":" in (parts.hostname or ""):
        return f"{parts.scheme}:"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(
            f"{item.get('category')} ({item.get('purchases')})" if isinstance(item, dict) else str(item)
            for item in value
        )
    return "" if value is None else str(value)


def _shown(facet: str, preview: Any) -> Any:
    """The preview with field labels, in the facet's field order, for the template."""
    if preview is None:
        return None
    info = facet_info(facet)
    labels = dict(info.fields) if info else {}
    if preview.value:
        order = list(labels) + sorted(set(preview.value) - set(labels))
        preview.pairs = [(labels.get(key, key.replace("_", " ")), _text(preview.value[key]))
                         for key in order if key in preview.value and key != "window_days"]
    for event in preview.events:
        data = event["data"]
        order = [key for key in labels if key in data] + sorted(set(data) - set(labels))
        event["text"] = " · ".join(_text(data[key]) for key in order)
    return preview


# --- consent pages -----------------------------------------------------------------

def _own(request: HttpRequest, consent_id: Any) -> Consent:
    consent = consent_for_consumer(consumer=account_of(request), consent_id=consent_id)
    if consent is None:
        raise Http404
    return consent


@login_required
@never_cache
def consent_list(request: HttpRequest) -> HttpResponse:
    consents = list(consents_for_consumer(consumer=account_of(request)))
    for consent in consents:
        consent.facet_rows = facets_described(consent.grants)  # type: ignore[attr-defined]
        consent.purpose_label = purpose_label(consent.purpose)  # type: ignore[attr-defined]
        consent.purpose_words = purpose_own_words(consent.purpose, consent.description)  # type: ignore[attr-defined]
    active = [consent for consent in consents if consent.is_live()]
    ended = [consent for consent in consents if not consent.is_live()]
    return render(request, "consents/list.html", {"active": active, "ended": ended})


@login_required
@never_cache
def consent_detail(request: HttpRequest, consent_id: Any) -> HttpResponse:
    consent = _own(request, consent_id)
    form = NarrowForm(grants=consent.grants, expires_at=consent.expires_at)
    return _detail(request, consent, form)


def _detail(request: HttpRequest, consent: Consent, form: NarrowForm,
            status: int = 200) -> HttpResponse:
    context = {
        "consent": consent,
        "facet_rows": facets_described(consent.grants),
        "narrow_rows": form.rows(),
        "form": form,
        "purpose_label": purpose_label(consent.purpose),
        "purpose_words": purpose_own_words(consent.purpose, consent.description),
        "live": consent.is_live(),
        "receipt_id": consent.receipt.get("receipt", {}).get("consentReceiptID"),
    }
    return render(request, "consents/detail.html", context, status=status)


@login_required
@require_POST
def consent_revoke_view(request: HttpRequest, consent_id: Any) -> HttpResponse:
    consent = _own(request, consent_id)
    consent_revoke(consent=consent, actor=account_actor(account_of(request)), reason="consumer",
                   request_id=request_id_of(request))
    messages.success(request, _("Consent revoked: %(brand)s can no longer read or write your data.")
                     % {"brand": consent.brand.name})
    return redirect("consents:list")


@login_required
@require_POST
def consent_narrow_view(request: HttpRequest, consent_id: Any) -> HttpResponse:
    consent = _own(request, consent_id)
    form = NarrowForm(request.POST, grants=consent.grants, expires_at=consent.expires_at)
    if not form.is_valid():
        return _detail(request, consent, form, status=400)
    kept = form.kept()
    if not kept:
        form.add_error(None, _("To stop sharing everything, revoke the consent."))
        return _detail(request, consent, form, status=400)
    try:
        consent_narrow(consent=consent, facets=kept, expires_at=form.new_expiry(),
                       actor=account_actor(account_of(request)), request_id=request_id_of(request))
    except ConsentError as error:
        form.add_error(None, error.localized())
        return _detail(request, consent, form, status=400)
    messages.success(request, _("Consent updated."))
    return redirect("consents:detail", consent_id=consent.pk)


@login_required
@never_cache
def consent_receipt(request: HttpRequest, consent_id: Any) -> HttpResponse:
    consent = _own(request, consent_id)
    body = json.dumps(consent.receipt, indent=2, ensure_ascii=False, sort_keys=True)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="consent-receipt-{consent.pk}.json"'
    return response



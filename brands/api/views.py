"""Brand API: thin views. Authentication finds the token and its consent; the
selectors and services decide what may be read or written and write the audit
event; the views raise the brand API's errors (``brands.errors``), which the
API's exception handler turns into ``{"error": code, "detail": text}``."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.conf import brands_settings
from brands.errors import (
    BodyNotJson,
    BodyTooLarge,
    FacetNotConsented,
    InvalidIdempotencyKey,
    MalformedJson,
    UnknownFacet,
)
from brands.services import api_access_denied, api_facet_read, api_facet_write, api_profile_read
from consents.models import READ, WRITE, AccessToken
from consents.scopes import facet_info
from core.errors import JsonMalformed, JsonTextInvalid, JsonTooDeep
from core.json_input import load_json
from vault.errors import RecordInvalid

from .authentication import ConsentTokenAuthentication, HasConsentToken
from .serializers import (
    ConsentOutSerializer,
    ErrorSerializer,
    FacetOutSerializer,
    FacetQuerySerializer,
    ProfileOutSerializer,
    RecordInSerializer,
    RecordOutSerializer,
)
from .throttling import BrandClientThrottle

_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
_ERRORS = {401: ErrorSerializer, 403: ErrorSerializer, 429: ErrorSerializer}


def _request_id(request: Request) -> str:
    return getattr(request._request, "request_id", "")


class BrandApiView(APIView):
    authentication_classes = [ConsentTokenAuthentication]
    permission_classes = [HasConsentToken]
    throttle_classes = [BrandClientThrottle]

    @property
    def token(self) -> AccessToken:
        token = self.request.auth
        assert isinstance(token, AccessToken)  # noqa: S101 - HasConsentToken guarantees it
        return token


class ConsentView(BrandApiView):
    @extend_schema(summary="The consent behind the token", responses={200: ConsentOutSerializer, **_ERRORS})
    def get(self, request: Request) -> Response:
        token = self.token
        consent = token.consent
        assert consent is not None  # noqa: S101
        facets = []
        for facet, modes in sorted(consent.grants.items()):
            info = facet_info(facet)
            facets.append({"facet": facet, "access": list(modes),
                           "kind": info.kind if info else "profile",
                           "reduced": bool(info and info.reduced)})
        body = {
            "consent_id": consent.id, "status": consent.status,
            "client_id": token.application.client_id, "brand": token.application.brand.slug,
            "purpose": consent.purpose, "description": consent.description,
            "scope": token.scope, "facets": facets, "granted_at": consent.granted_at,
            "expires_at": consent.expires_at, "token_expires_at": token.expires,
        }
        return Response(ConsentOutSerializer(body).data)


class ProfileView(BrandApiView):
    @extend_schema(summary="Every profile facet the consent allows",
                   responses={200: ProfileOutSerializer, **_ERRORS})
    def get(self, request: Request) -> Response:
        values = api_profile_read(token=self.token, request_id=_request_id(request))
        return Response({"consent_id": str(self.token.consent_id), "facets": values})


class FacetView(BrandApiView):
    def _facet(self, facet: str) -> None:
        if facet_info(facet) is None:
            raise UnknownFacet(facet)

    @extend_schema(
        summary="Read one facet (events: cursor-paginated, oldest first)",
        parameters=[FacetQuerySerializer, OpenApiParameter("facet", str, OpenApiParameter.PATH)],
        responses={200: FacetOutSerializer, 400: ErrorSerializer, 404: ErrorSerializer, **_ERRORS},
    )
    def get(self, request: Request, facet: str) -> Response:
        self._facet(facet)
        params: dict[str, Any] = {}
        if request.query_params:
            query = FacetQuerySerializer(data=request.query_params)
            query.is_valid(raise_exception=True)
            params = dict(query.validated_data)
        limit = min(int(params.get("limit") or brands_settings.PAGE_SIZE),
                    int(brands_settings.MAX_PAGE_SIZE))
        try:
            result = api_facet_read(token=self.token, facet=facet, since=params.get("since"),
                                    cursor=params.get("cursor"), limit=limit,
                                    request_id=_request_id(request))
        except FacetNotConsented:
            api_access_denied(token=self.token, facet=facet, mode=READ,
                              reason="facet_not_consented", request_id=_request_id(request))
            raise
        body: dict[str, Any] = {"consent_id": str(self.token.consent_id), "facet": facet,
                                "kind": result.kind}
        if result.page is not None:
            body["items"] = result.page.items
            body["next_cursor"] = result.page.next_cursor
        else:
            body["value"] = result.value
        return Response(body)

    @extend_schema(
        summary="Add one record to a facet (needs <facet>:write)",
        request=RecordInSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                     description="Retries with the same key get the first answer.")],
        responses={201: RecordOutSerializer, 400: ErrorSerializer, 404: ErrorSerializer,
                   409: ErrorSerializer,
                   413: ErrorSerializer, 415: ErrorSerializer, **_ERRORS},
    )
    def post(self, request: Request, facet: str) -> Response:
        self._facet(facet)
        payload = self._body(request)
        key = request.headers.get("Idempotency-Key", "")
        if key and not _KEY.match(key):
            raise InvalidIdempotencyKey()
        try:
            result = api_facet_write(token=self.token, facet=facet, data=payload["data"],
                                     occurred_at=payload.get("occurred_at"), idempotency_key=key,
                                     request_id=_request_id(request))
        except FacetNotConsented:
            api_access_denied(token=self.token, facet=facet, mode=WRITE,
                              reason="facet_not_consented", request_id=_request_id(request))
            raise
        response = Response(result.body, status=result.status)
        if result.replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    def _body(self, request: Request) -> dict[str, Any]:
        """The JSON body, refused before parsing when too large (413)."""
        limit = int(brands_settings.MAX_BODY_BYTES)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            raise BodyTooLarge(limit)
        content_type = request.content_type.split(";")[0].strip().lower()
        if content_type != "application/json":
            raise BodyNotJson()
        raw = request._request.read(limit + 1)
        if len(raw) > limit:
            raise BodyTooLarge(limit)
        try:
            payload = load_json(raw or b"null")
        except JsonMalformed:
            raise MalformedJson() from None
        except JsonTooDeep as error:
            raise MalformedJson(_("the body is nested more than %(limit)s levels deep"),
                                limit=error.limit) from None
        except JsonTextInvalid as error:
            # Named as the record's own fields are: "merchant", not "data.merchant".
            path = error.path[1:] if error.path[:1] == ("data",) else error.path
            raise RecordInvalid(str(path[0]) if path else "data",
                                _("must be Unicode text (a lone surrogate is not)")) from None
        serializer = RecordInSerializer(data=payload if isinstance(payload, dict) else {})
        if not isinstance(payload, dict) or not serializer.is_valid():
            raise RecordInvalid("data", _('send an object {"data": {...}, "occurred_at": ...}'))
        return {"data": payload["data"], "occurred_at": payload.get("occurred_at")}

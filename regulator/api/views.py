"""Regulator API (read-only): events, checkpoints, inclusion and consistency proofs.

Thin views: validate the query, call the audit selectors, and record the query
itself as an ``audit.viewed`` event in the same transaction as the read.
Regulator tokens only (``RegulatorTokenAuthentication``); errors are
``{"error": code, "detail": text}``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit import selectors, signing
from audit.conf import audit_settings
from audit.errors import ProofUnavailable
from audit.models import Checkpoint
from audit.services import audit_viewed
from core.actors import account_actor
from core.api_errors import ErrorSerializer
from core.errors import InvalidInput
from regulator.errors import EventNotFound, MalformedCursor, NoCheckpointYet

from .authentication import IsRegulator, RegulatorTokenAuthentication
from .serializers import (
    CheckpointPageSerializer,
    CheckpointSerializer,
    ConsistencyProofSerializer,
    ConsistencyQuerySerializer,
    EventPageSerializer,
    EventQuerySerializer,
    EventSerializer,
    InclusionProofSerializer,
    InclusionQuerySerializer,
    PublicKeySerializer,
)

_MAX_POSITION = 2**63 - 1


def _answers(body: type, *errors: int) -> dict[int, type]:
    """An operation's documented answers: ``body`` (200), ``errors`` and 401
    (no, or no valid, regulator token), each error with the JSON error body."""
    return {200: body, **{status: ErrorSerializer for status in (*errors, 401)}}


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def _encode_cursor(kind: str, position: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode().rstrip("=")


def _decode_cursor(kind: str, cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        found, position = text.split(":")
        if found != kind or not position.isascii():
            raise ValueError(kind)
        value = int(position)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise MalformedCursor() from error
    if not 0 <= value <= _MAX_POSITION:
        # Not an id or a tree size this API hands out (and more than the
        # database can compare a column with: SQLite's OverflowError).
        raise MalformedCursor()
    return value


def _page_size(requested: int | None) -> int:
    default = int(audit_settings.API_PAGE_SIZE)
    return min(requested or default, int(audit_settings.API_MAX_PAGE_SIZE))


def _valid(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def checkpoint_data(checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        "tree_size": checkpoint.tree_size,
        "root_hash": _b64(bytes(checkpoint.root_hash)),
        "origin": checkpoint.origin,
        "key_id": checkpoint.key_id,
        "issued_at": checkpoint.issued_at,
        "note": checkpoint.note,
    }


ProofT = TypeVar("ProofT")


class RegulatorAPIView(APIView):
    authentication_classes = [RegulatorTokenAuthentication]
    permission_classes = [IsRegulator]
    view_name = ""

    def audited(self, request: Request, *, filters: dict[str, Any] | None = None,
                results: int | None = None) -> None:
        audit_viewed(actor=account_actor(request.user), view=self.view_name,
                     filters=filters, results=results,
                     request_id=getattr(request, "request_id", ""))

    def audited_proof(self, request: Request, query: dict[str, Any],
                      compute: Callable[[], ProofT]) -> ProofT:
        """Compute a proof and audit the query (found or not) in one transaction;
        a proof that cannot be given is a 404 ``proof_unavailable``."""
        with transaction.atomic():
            try:
                proof = compute()
            except ProofUnavailable as error:
                self.audited(request, filters=query, results=0)
                unavailable: ProofUnavailable | None = error
            else:
                self.audited(request, filters=query, results=1)
                unavailable = None
        if unavailable is not None:
            raise unavailable
        return proof

    def next_url(self, request: Request, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        query = request.query_params.copy()
        query["cursor"] = cursor
        return request.build_absolute_uri(request.path) + "?" + urlencode(query, doseq=True)


class EventListView(RegulatorAPIView):
    view_name = "api.events"

    @extend_schema(parameters=[EventQuerySerializer], responses=_answers(EventPageSerializer, 400),
                   summary="Search audit events (newest first, cursor-paginated)", operation_id="audit_events_list")
    def get(self, request: Request) -> Response:
        query = _valid(EventQuerySerializer, request)
        before = _decode_cursor("e", query.pop("cursor", None))
        limit = _page_size(query.pop("limit", None))
        filters = selectors.EventFilters(**query)
        with transaction.atomic():
            events = selectors.events_search(filters)
            if before is not None:
                events = events.filter(pk__lt=before)
            page = list(events[: limit + 1])
            more = len(page) > limit
            page = page[:limit]
            indices = selectors.leaf_indices(event.pk for event in page)
            data = [selectors.event_as_dict(event, leaf_index=indices.get(event.pk))
                    for event in page]
            self.audited(request, filters={**filters.as_dict(),
                                           **({"cursor": before} if before else {})},
                         results=len(data))
        cursor = _encode_cursor("e", page[-1].pk) if more and page else None
        return Response({"events": EventSerializer(data, many=True).data,
                         "next_cursor": cursor, "next": self.next_url(request, cursor)})


class EventDetailView(RegulatorAPIView):
    view_name = "api.event"

    @extend_schema(responses=_answers(EventSerializer, 404), summary="One audit event, with its leaf index", operation_id="audit_event_retrieve")
    def get(self, request: Request, event_id: Any) -> Response:
        with transaction.atomic():
            event = selectors.event_by_id(event_id)
            self.audited(request, filters={"event_id": event_id}, results=int(event is not None))
        if event is None:
            raise EventNotFound()
        index = selectors.leaf_indices([event.pk]).get(event.pk)
        return Response(EventSerializer(selectors.event_as_dict(event, leaf_index=index)).data)


class CheckpointListView(RegulatorAPIView):
    view_name = "api.checkpoints"

    @extend_schema(
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("limit", int)],
        responses=_answers(CheckpointPageSerializer, 400),
        summary="Signed checkpoints, newest first",
        operation_id="audit_checkpoints_list",
    )
    def get(self, request: Request) -> Response:
        before = _decode_cursor("c", request.query_params.get("cursor"))
        try:
            requested = int(request.query_params.get("limit") or 0)
        except ValueError as error:
            raise InvalidInput(_("a number"), field="limit") from error
        if requested < 0:
            raise InvalidInput(_("a number"), field="limit")
        limit = _page_size(requested or None)
        with transaction.atomic():
            checkpoints = Checkpoint.objects.order_by("-tree_size")
            if before is not None:
                checkpoints = checkpoints.filter(tree_size__lt=before)
            page = list(checkpoints[: limit + 1])
            self.audited(request, filters={"cursor": before} if before is not None else None,
                         results=min(len(page), limit))
        more = len(page) > limit
        page = page[:limit]
        cursor = _encode_cursor("c", page[-1].tree_size) if more and page else None
        return Response({
            "checkpoints": CheckpointSerializer([checkpoint_data(c) for c in page], many=True).data,
            "next_cursor": cursor, "next": self.next_url(request, cursor),
        })


class CheckpointLatestView(RegulatorAPIView):
    view_name = "api.checkpoint_latest"

    @extend_schema(responses=_answers(CheckpointSerializer, 404), summary="The latest signed checkpoint", operation_id="audit_checkpoint_latest")
    def get(self, request: Request) -> Response:
        with transaction.atomic():
            latest = selectors.latest_checkpoint()
            self.audited(request, results=int(latest is not None))
        if latest is None:
            raise NoCheckpointYet()
        return Response(CheckpointSerializer(checkpoint_data(latest)).data)


class InclusionProofView(RegulatorAPIView):
    view_name = "api.proof_inclusion"

    @extend_schema(parameters=[InclusionQuerySerializer],
                   responses=_answers(InclusionProofSerializer, 400, 404),
                   summary="Proof that an event is in the tree of a given size (RFC 9162 §2.1.3)", operation_id="audit_proof_inclusion")
    def get(self, request: Request) -> Response:
        query = _valid(InclusionQuerySerializer, request)
        proof = self.audited_proof(request, query, lambda: selectors.inclusion_proof(
            event_id=query["event"], tree_size=query.get("tree_size")))
        return Response(InclusionProofSerializer({
            "event_id": proof.event_id, "event_hash": proof.event_hash,
            "leaf_index": proof.leaf_index, "tree_size": proof.tree_size,
            "leaf_hash": _b64(proof.leaf_hash), "root_hash": _b64(proof.root_hash),
            "proof": [_b64(item) for item in proof.proof],
            "checkpoint": proof.checkpoint.note if proof.checkpoint else None,
        }).data)


class ConsistencyProofView(RegulatorAPIView):
    view_name = "api.proof_consistency"

    @extend_schema(parameters=[ConsistencyQuerySerializer],
                   responses=_answers(ConsistencyProofSerializer, 400, 404),
                   summary="Proof that the tree of size first is a prefix of size second (RFC 9162 §2.1.4)", operation_id="audit_proof_consistency")
    def get(self, request: Request) -> Response:
        query = _valid(ConsistencyQuerySerializer, request)
        proof = self.audited_proof(request, query, lambda: selectors.consistency_proof(
            first=query["first"], second=query.get("second")))
        return Response(ConsistencyProofSerializer({
            "first": proof.first, "second": proof.second,
            "first_root": _b64(proof.first_root), "second_root": _b64(proof.second_root),
            "proof": [_b64(item) for item in proof.proof],
            "first_checkpoint": proof.first_checkpoint.note if proof.first_checkpoint else None,
            "second_checkpoint": proof.second_checkpoint.note if proof.second_checkpoint else None,
        }).data)


class PublicKeyView(RegulatorAPIView):
    view_name = "api.public_key"

    @extend_schema(responses=_answers(PublicKeySerializer), summary="The checkpoint verifier key", operation_id="audit_public_key")
    def get(self, request: Request) -> Response:
        with transaction.atomic():
            self.audited(request)
        return Response(PublicKeySerializer({
            "origin": signing.origin(), "verifier_key": signing.verifier().encode(),
            "previous_verifier_keys": signing.previous_verifier_keys(),
        }).data)



"""The regulator API: event search with cursor pagination, checkpoints, and
proofs that verify with the RFC 9162 algorithms against signed checkpoints."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from django.test import Client

from audit import merkle, note, signing
from audit.hashing import event_hash
from audit.models import AuditEvent, Checkpoint
from audit.services import checkpoint_issue
from tests.factories.audit import brand_read

from .conftest import subject_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(regulator_token):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {regulator_token}")

    def get(path: str, **params: object) -> tuple[int, dict]:
        response = client.get(f"/api/v1/audit/{path}", params)
        return response.status_code, json.loads(response.content)

    return get


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def test_events_are_filtered_and_hold_everything_needed_to_check_them(seeded, api):
    status, body = api("events", subject=subject_of(seeded.bob), outcome="denied")
    assert status == 200
    assert len(body["events"]) == 2
    assert body["next_cursor"] is None
    for event in body["events"]:
        assert event["subject"] == subject_of(seeded.bob)
        assert event["outcome"] == "denied"
        assert event_hash(event) == event["hash"]  # recomputable by the regulator
    ids = [event["id"] for event in body["events"]]
    assert ids == sorted(ids, reverse=True)  # newest first


def test_cursor_pagination_walks_every_event_once(seeded, api):
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        status, body = api("events", **params)
        assert status == 200
        seen.extend(event["id"] for event in body["events"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert body["next"].endswith(f"cursor={cursor}") or f"cursor={cursor}" in body["next"]
    all_ids = list(AuditEvent.objects.filter(pk__in=seen).order_by("-id").values_list("id", flat=True))
    assert seen == all_ids
    assert len(seen) >= AuditEvent.objects.count() - 6  # minus the queries logged meanwhile


@pytest.mark.parametrize(("params", "field"), [
    ({"outcome": "maybe"}, "outcome"),
    ({"since": "yesterday"}, "since"),
    ({"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "until"),
    ({"limit": 0}, "limit"),
    ({"cursor": "not-a-cursor"}, "cursor"),
])
def test_bad_queries_are_json_errors(seeded, api, params, field):
    before = AuditEvent.objects.count()
    status, body = api("events", **params)
    assert status == 400
    assert body["error"] in ("invalid_request", "invalid_cursor")
    assert field in body["detail"] or body["error"] == "invalid_cursor"
    assert AuditEvent.objects.count() == before


def test_brand_filter_uses_the_brands_applications(seeded, api):
    status, body = api("events", brand="no-such-brand")
    assert status == 200
    assert body["events"] == []


def test_one_event_with_its_leaf_index(seeded, api):
    event = seeded.events[0]
    status, body = api(f"events/{event.event_id}")
    assert status == 200
    assert body["hash"] == event.hash
    assert body["leaf_index"] is not None
    status, body = api(f"events/{uuid.uuid4()}")
    assert status == 404
    assert body["error"] == "not_found"


def test_checkpoints_are_signed_notes_newest_first(seeded, api):
    status, body = api("checkpoints", limit=1)
    assert status == 200
    latest = body["checkpoints"][0]
    assert latest["tree_size"] == Checkpoint.objects.order_by("-tree_size").first().tree_size
    checkpoint = note.open_checkpoint(latest["note"], signing.verifier())
    assert checkpoint.size == latest["tree_size"]
    assert base64.b64encode(checkpoint.root).decode() == latest["root_hash"]
    status, older = api("checkpoints", limit=1, cursor=body["next_cursor"])
    assert older["checkpoints"][0]["tree_size"] < latest["tree_size"]
    status, single = api("checkpoints/latest")
    assert single["tree_size"] == latest["tree_size"]


def test_inclusion_proofs_verify_against_the_signed_root(seeded, api):
    checkpoint_issue()
    for event in AuditEvent.objects.all():
        status, body = api("proofs/inclusion", event=str(event.event_id))
        if status == 404:  # logged after the checkpoint (the API's own queries)
            assert body["error"] == "proof_unavailable"
            continue
        signed = note.open_checkpoint(body["checkpoint"], signing.verifier())
        assert signed.size == body["tree_size"]
        assert signed.root == b64(body["root_hash"])
        assert body["event_hash"] == event.hash
        leaf = merkle.leaf_hash(bytes.fromhex(event.hash))
        assert b64(body["leaf_hash"]) == leaf
        merkle.verify_inclusion(body["leaf_index"], signed.size, leaf,
                                [b64(item) for item in body["proof"]], signed.root)


def test_inclusion_in_an_older_tree_and_refusals(seeded, api):
    sizes = list(Checkpoint.objects.order_by("tree_size").values_list("tree_size", flat=True))
    early = seeded.events[0]
    status, body = api("proofs/inclusion", event=str(early.event_id), tree_size=sizes[0])
    assert status == 200
    assert body["tree_size"] == sizes[0]
    late = seeded.events[-2]  # sequenced by the second checkpoint only
    status, body = api("proofs/inclusion", event=str(late.event_id), tree_size=sizes[0])
    assert status == 404
    assert "after size" in body["detail"]
    queued = seeded.events[-1]
    status, body = api("proofs/inclusion", event=str(queued.event_id))
    assert status == 404
    assert "next" in body["detail"]
    status, body = api("proofs/inclusion", event="nope")
    assert status == 400


def test_consistency_proofs_between_checkpoints_verify(seeded, api):
    for _ in range(3):
        brand_read(subject=subject_of(seeded.bob))
        checkpoint_issue()
    checkpoints = list(Checkpoint.objects.order_by("tree_size"))
    for old in checkpoints:
        for new in checkpoints:
            if new.tree_size < old.tree_size:
                continue
            status, body = api("proofs/consistency", first=old.tree_size, second=new.tree_size)
            assert status == 200
            assert b64(body["first_root"]) == bytes(old.root_hash)
            assert b64(body["second_root"]) == bytes(new.root_hash)
            assert body["first_checkpoint"] == old.note
            merkle.verify_consistency(old.tree_size, new.tree_size, bytes(old.root_hash),
                                      bytes(new.root_hash), [b64(item) for item in body["proof"]])
    status, body = api("proofs/consistency", first=checkpoints[0].tree_size)
    assert body["second"] == checkpoints[-1].tree_size  # default: the latest
    status, body = api("proofs/consistency", first=5, second=4)
    assert status == 400
    status, body = api("proofs/consistency", first=1, second=10**9)
    assert status == 404
    assert body["error"] == "proof_unavailable"


def test_public_key(seeded, api):
    status, body = api("public-key")
    assert body["verifier_key"] == signing.verifier().encode()
    assert body["verifier_key"].startswith("sillage.example/audit+")

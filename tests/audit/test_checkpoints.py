"""Checkpoints: C2SP tlog-checkpoint bodies in C2SP signed notes (Ed25519),
issued by the beat task and the command, only over committed, sequenced events."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from audit import merkle, note, signing
from audit.models import AuditEvent, Checkpoint, MerkleLeaf, PendingLeaf
from audit.services import audit_append, checkpoint_issue
from audit.tasks import issue_checkpoint

pytestmark = pytest.mark.django_db

# golang.org/x/mod/sumdb/note's documented example key and signed note.
GO_PRIVATE = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = ("If you think cryptography is the answer to your problem,\n"
           "then you don't know what your problem is.\n")
GO_NOTE = GO_TEXT + ("\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1"
                     "FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")


def test_signed_notes_match_the_reference_implementation_byte_for_byte():
    seed = base64.b64decode(GO_PRIVATE.split("+", 4)[4])[1:]  # PRIVATE+KEY+name+id+key
    key = Ed25519PrivateKey.from_private_bytes(seed)
    assert note.sign(GO_TEXT, name="PeterNeumann", key=key) == GO_NOTE
    assert note.verifier_for("PeterNeumann", key).encode() == GO_VERIFIER
    assert note.open_note(GO_NOTE, note.parse_verifier(GO_VERIFIER)) == GO_TEXT


def test_verifier_keys_may_hold_plus_signs_in_their_base64():
    for _ in range(40):
        verifier = note.verifier_for("sillage.example/audit", Ed25519PrivateKey.generate())
        assert note.parse_verifier(verifier.encode()).key_id == verifier.key_id


@pytest.mark.parametrize("tamper", ["body", "signature", "other_key", "no_signature"])
def test_a_tampered_note_does_not_open(tamper):
    verifier = note.parse_verifier(GO_VERIFIER)
    if tamper == "body":
        text = GO_NOTE.replace("problem,", "problem;")
    elif tamper == "signature":
        text = GO_NOTE.replace("x08go", "x08gp")
    elif tamper == "other_key":
        text = note.sign(GO_TEXT, name="PeterNeumann", key=Ed25519PrivateKey.generate())
    else:
        text = GO_TEXT
    with pytest.raises(note.NoteError):
        note.open_note(text, verifier)


def test_a_checkpoint_is_origin_size_and_base64_root(seeded):
    checkpoint = Checkpoint.objects.order_by("-tree_size").first()
    body, signature = checkpoint.note.split("\n\n")
    origin, size, root = body.split("\n")
    assert origin == "sillage.example/audit" == settings.AUDIT["ORIGIN"]
    assert int(size) == checkpoint.tree_size == MerkleLeaf.objects.count()
    assert base64.b64decode(root) == bytes(checkpoint.root_hash)
    assert signature.startswith("\u2014 sillage.example/audit ")
    leaves = [bytes(h) for h in MerkleLeaf.objects.order_by("index").values_list("hash", flat=True)]
    assert merkle.reference_root(leaves) == bytes(checkpoint.root_hash)
    parsed = note.open_checkpoint(checkpoint.note, signing.verifier(), origin=origin)
    assert (parsed.size, parsed.root) == (checkpoint.tree_size, bytes(checkpoint.root_hash))


def test_leaves_follow_the_sequencing_order_and_hash_the_event(seeded):
    for leaf in MerkleLeaf.objects.order_by("index"):
        event = AuditEvent.objects.get(pk=leaf.event_pk)
        assert bytes(leaf.hash) == merkle.leaf_hash(bytes.fromhex(event.hash))
        assert leaf.event_id == event.event_id
    assert not PendingLeaf.objects.filter(event_pk__in=MerkleLeaf.objects.values("event_pk")).exists()


def test_the_beat_task_and_the_command_issue_checkpoints(seeded, capsys):
    before = Checkpoint.objects.count()
    assert issue_checkpoint() == AuditEvent.objects.count()
    assert Checkpoint.objects.count() == before + 1
    audit_append(actor=("system", "test"), action="data.expired")
    from django.core.management import call_command

    call_command("audit_checkpoint")
    out = capsys.readouterr().out
    assert out.startswith(f"checkpoint issued: tree size {AuditEvent.objects.count()} (1 new events)")
    assert "\u2014 sillage.example/audit " in out
    call_command("audit_checkpoint", "--quiet")
    assert capsys.readouterr().out.startswith("no new events")


def test_an_empty_log_gets_the_empty_tree_checkpoint(db):
    AuditEvent.objects.all()  # nothing yet
    result = checkpoint_issue()
    assert result.checkpoint.tree_size == 0
    assert bytes(result.checkpoint.root_hash) == merkle.EMPTY_ROOT


def test_no_signing_key_means_no_checkpoint(db):
    with override_settings(AUDIT={**settings.AUDIT, "SIGNING_KEY": ""}), \
            pytest.raises(ImproperlyConfigured, match="SILLAGE_AUDIT_SIGNING_KEY"):
        checkpoint_issue()
    assert not Checkpoint.objects.exists()


def test_a_malformed_signing_key_is_refused(db):
    with override_settings(AUDIT={**settings.AUDIT, "SIGNING_KEY": "c2hvcnQ="}), \
            pytest.raises(ImproperlyConfigured, match="32-byte"):
        checkpoint_issue()


def test_checkpoints_of_a_retired_key_still_verify(seeded):
    from audit.verify import verify_log

    retired = signing.verifier().encode()
    fresh = base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode()
    with override_settings(AUDIT={**settings.AUDIT, "SIGNING_KEY": fresh}):
        assert not verify_log().ok  # old checkpoints, unknown key
    with override_settings(AUDIT={**settings.AUDIT, "SIGNING_KEY": fresh,
                                  "PREVIOUS_VERIFIER_KEYS": [retired]}):
        signing._key.cache_clear()
        audit_append(actor=("system", "test"), action="data.expired")
        checkpoint_issue()
        report = verify_log()
        assert report.ok, [problem.describe() for problem in report.problems]

"""``audit_export`` writes a bundle that the standalone verifier checks offline,
run as a separate process with nothing but Python and ``cryptography``."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from audit import note, signing
from audit.models import AuditEvent, Checkpoint
from audit.services import checkpoint_issue
from tests.factories.audit import brand_read

from .conftest import subject_of

pytestmark = pytest.mark.django_db

VERIFIER = Path(__file__).resolve().parents[2] / "tools" / "sillage_verify.py"


def run_verifier(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own script, fixed arguments)
        [sys.executable, "-I", str(VERIFIER), *arguments],
        capture_output=True, text=True, timeout=120, check=False, cwd="/",
    )


@pytest.fixture
def bundle(seeded, tmp_path) -> Path:
    checkpoint_issue()
    directory = tmp_path / "bundle"
    call_command("audit_export", "--out", str(directory))
    return directory


def key() -> str:
    return signing.verifier().encode()


def lines(bundle: Path) -> list[str]:
    return (bundle / "events.jsonl").read_text().splitlines()


def write_lines(bundle: Path, rows: list[str]) -> None:
    (bundle / "events.jsonl").write_text("\n".join(rows) + "\n")


def test_the_verifier_depends_on_the_standard_library_and_cryptography_only():
    tree = ast.parse(VERIFIER.read_text())
    modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {node.module.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module}
    third_party = {name for name in modules if name not in sys.stdlib_module_names}
    assert third_party == {"cryptography"}


def test_an_exported_bundle_verifies_offline(bundle):
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["events"] == AuditEvent.objects.count() == len(lines(bundle))
    assert (bundle / "public-key.txt").read_text().strip() == key()
    result = run_verifier("bundle", str(bundle), "--public-key", key())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"OK: {manifest['events']} events, 3 signed checkpoints verified")


def test_the_export_is_itself_logged(bundle):
    assert AuditEvent.objects.filter(action="audit.exported", actor_type="operator").count() == 1


@pytest.mark.parametrize("tamper", ["edit", "delete", "swap", "insert"])
def test_a_tampered_bundle_fails_naming_the_event(bundle, tamper):
    rows = lines(bundle)
    target = json.loads(rows[3])
    if tamper == "edit":
        changed = json.loads(rows[3])
        changed["outcome"] = "denied" if target["outcome"] == "allowed" else "allowed"
        rows[3] = json.dumps(changed)
        expected = f"event #{target['id']} (event_id {target['event_id']})"
    elif tamper == "delete":
        later = next(json.loads(row) for row in rows[4:] if json.loads(row)["chain"] == target["chain"])
        del rows[3]
        expected = f"event #{later['id']} (event_id {later['event_id']})"  # its chain jumps
    elif tamper == "swap":
        rows[3], rows[4] = rows[4], rows[3]
        moved = json.loads(rows[4])  # comes after a higher id now
        expected = f"event #{moved['id']} (event_id {moved['event_id']}): out of order"
    else:
        forged = dict(target, event_id="00000000-0000-4000-8000-000000000000")
        rows.insert(4, json.dumps(forged))  # a copy of event 3 under another id, same place
        expected = "event #"
    write_lines(bundle, rows)
    result = run_verifier("bundle", str(bundle), "--public-key", key())
    assert result.returncode == 1, result.stdout
    assert result.stdout.startswith("FAIL: ")
    assert expected in result.stdout


def test_a_forged_checkpoint_or_a_wrong_key_fails(bundle):
    records = [json.loads(row) for row in (bundle / "checkpoints.jsonl").read_text().splitlines()]
    body = note.Checkpoint(origin=signing.origin(), size=records[0]["tree_size"], root=b"\x01" * 32)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other_key = Ed25519PrivateKey.generate()
    records[0]["note"] = note.sign(body.body(), name=signing.origin(), key=other_key)
    (bundle / "checkpoints.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    result = run_verifier("bundle", str(bundle), "--public-key", key())
    assert result.returncode == 1
    assert "not signed by the given key" in result.stdout
    stranger = note.verifier_for(signing.origin(), other_key).encode()
    assert run_verifier("bundle", str(bundle), "--public-key", stranger).returncode == 1


def test_a_checkpoint_kept_from_before_proves_the_log_only_grew(bundle, seeded, tmp_path):
    kept = tmp_path / "kept-checkpoint.txt"
    kept.write_text((bundle / "checkpoint.txt").read_text())
    for _ in range(5):
        brand_read(subject=subject_of(seeded.bob))
    checkpoint_issue()
    later = tmp_path / "later"
    call_command("audit_export", "--out", str(later))
    result = run_verifier("bundle", str(later), "--public-key", key(), "--checkpoint", str(kept))
    assert result.returncode == 0, result.stdout
    assert "1 kept checkpoint(s) are prefixes of this log" in result.stdout

    # The operator rewrites history and re-signs: the kept checkpoint gives it away.
    checkpoint = note.parse_checkpoint(note.open_note(kept.read_text(), signing.verifier()))
    forked = note.Checkpoint(origin=checkpoint.origin, size=checkpoint.size, root=b"\x02" * 32)
    forked_file = tmp_path / "forked.txt"
    forked_file.write_text(signing.sign_checkpoint(forked))
    result = run_verifier("bundle", str(later), "--public-key", key(), "--checkpoint", str(forked_file))
    assert result.returncode == 1
    assert "NOT an extension" in result.stdout


def test_api_proofs_verify_with_the_standalone_verifier(bundle, seeded, regulator_token, tmp_path):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {regulator_token}")
    old = Checkpoint.objects.order_by("tree_size").first()
    kept = tmp_path / "old.txt"
    kept.write_text(old.note)
    event = seeded.events[0]
    proof = api.get("/api/v1/audit/proofs/inclusion", {"event": str(event.event_id)}).content
    (tmp_path / "inclusion.json").write_bytes(proof)
    event_json = api.get(f"/api/v1/audit/events/{event.event_id}").content
    (tmp_path / "event.json").write_bytes(event_json)
    result = run_verifier("inclusion", str(tmp_path / "inclusion.json"), "--public-key", key(),
                          "--event", str(tmp_path / "event.json"))
    assert result.returncode == 0, result.stdout + result.stderr
    consistency = api.get("/api/v1/audit/proofs/consistency", {"first": old.tree_size}).content
    (tmp_path / "consistency.json").write_bytes(consistency)
    result = run_verifier("consistency", str(tmp_path / "consistency.json"), "--public-key", key(),
                          "--old-checkpoint", str(kept))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "extends your checkpoint" in result.stdout
    # A tampered proof fails.
    data = json.loads(consistency)
    data["proof"] = data["proof"][::-1] if len(data["proof"]) > 1 else ["A" * 43 + "="]
    (tmp_path / "consistency.json").write_text(json.dumps(data))
    assert run_verifier("consistency", str(tmp_path / "consistency.json"), "--public-key", key(),
                        "--old-checkpoint", str(kept)).returncode == 1


def test_usage_errors_exit_2(tmp_path):
    result = run_verifier("bundle", str(tmp_path / "missing"), "--public-key", "x+00000000+AA==")
    assert result.returncode == 2

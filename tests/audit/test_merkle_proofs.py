"""Inclusion and consistency proofs against the RFC 6962 definitions, for every
tree size up to a few thousand, and tampered proofs failing.

The reference here is written straight from RFC 6962 §2.1 (MTH, PATH, PROOF,
SUBPROOF over lists of leaves), independently of ``audit.merkle``'s range-based
code; verification is checked both with ``audit.merkle`` and with the copy in
the standalone verifier (tools/sillage_verify.py).
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit import merkle

MAX = 4096
EXHAUSTIVE = 2100
LEAVES = [merkle.leaf_hash(b"event %d" % index) for index in range(MAX)]

_spec = importlib.util.spec_from_file_location(
    "sillage_verify", Path(__file__).resolve().parents[2] / "tools" / "sillage_verify.py")
assert _spec is not None
assert _spec.loader is not None
standalone = importlib.util.module_from_spec(_spec)
sys.modules["sillage_verify"] = standalone
_spec.loader.exec_module(standalone)


# --- RFC 6962 §2.1, literally ----------------------------------------------------------------

def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@cache
def mth(lo: int, hi: int) -> bytes:
    n = hi - lo
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return LEAVES[lo]
    k = _k(n)
    return hashlib.sha256(b"\x01" + mth(lo, lo + k) + mth(lo + k, hi)).digest()


def path(m: int, lo: int, hi: int) -> list[bytes]:
    n = hi - lo
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return path(m, lo, lo + k) + [mth(lo + k, hi)]
    return path(m - k, lo + k, hi) + [mth(lo, lo + k)]


def subproof(m: int, lo: int, hi: int, complete: bool) -> list[bytes]:
    n = hi - lo
    if m == n:
        return [] if complete else [mth(lo, hi)]
    k = _k(n)
    if m <= k:
        return subproof(m, lo, lo + k, complete) + [mth(lo + k, hi)]
    return subproof(m - k, lo + k, hi, False) + [mth(lo, lo + k)]


# --- a node store built the way the checkpoint step builds it -----------------------------

def build_store(batches: list[int]) -> dict[merkle.NodeKey, bytes]:
    store: dict[merkle.NodeKey, bytes] = {}
    size = 0
    for batch in batches:
        new = LEAVES[size:size + batch]
        frontier = {key: store[key] for key in merkle.frontier_keys(size)}
        for level, index, digest in merkle.extend(size, frontier, new):
            assert (level, index) not in store  # written once, never rewritten
            store[(level, index)] = digest
        for offset, digest in enumerate(new):
            store[(0, size + offset)] = digest
        size += batch
    return store


STORE = build_store([1, 2, 3, 5, 8, 13, 100, 1, 1, 500, 999, 7, 1000, MAX - 2640])


def fetch(keys: set[merkle.NodeKey]) -> dict[merkle.NodeKey, bytes]:
    return {key: STORE[key] for key in keys if key in STORE}


def stored_inclusion(index: int, size: int) -> list[bytes]:
    return merkle.resolve_ranges(merkle.inclusion_ranges(index, size), fetch)


def stored_consistency(first: int, second: int) -> list[bytes]:
    if first in (0, second):
        return []
    return merkle.resolve_ranges(merkle.consistency_ranges(first, second), fetch)


def test_every_perfect_subtree_in_the_store_is_the_rfc_hash():
    assert sum(1 for _ in STORE) == 2 * MAX - 1
    for (level, index), digest in STORE.items():
        assert digest == mth(index << level, (index + 1) << level)


def test_roots_from_nodes_and_streaming_match_mth_for_every_size():
    compact = merkle.CompactRange()
    assert compact.root() == mth(0, 0) == merkle.EMPTY_ROOT
    for size in range(1, MAX + 1):
        compact.append(LEAVES[size - 1])
        assert compact.root() == mth(0, size)
        if size <= EXHAUSTIVE or size % 97 == 0:
            assert merkle.root_from_nodes(size, fetch) == mth(0, size)


def test_proofs_for_every_size_match_the_rfc_and_verify():
    for size in range(1, EXHAUSTIVE + 1):
        root = mth(0, size)
        for index in {0, size // 3, size // 2, size - 1}:
            proof = stored_inclusion(index, size)
            assert proof == path(index, 0, size), (index, size)
            merkle.verify_inclusion(index, size, LEAVES[index], proof, root)
            standalone.verify_inclusion(index, size, LEAVES[index], proof, root)
        for first in {1, size // 2 or 1, size - 1 or 1, size}:
            proof = stored_consistency(first, size)
            assert proof == (subproof(first, 0, size, True) if first < size else []), (first, size)
            merkle.verify_consistency(first, size, mth(0, first), root, proof)
            standalone.verify_consistency(first, size, mth(0, first), root, proof)


sizes = st.integers(min_value=1, max_value=MAX)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), size=sizes)
def test_any_inclusion_proof_verifies_and_any_tampering_fails(data, size):
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    root = mth(0, size)
    proof = stored_inclusion(index, size)
    assert proof == path(index, 0, size)
    merkle.verify_inclusion(index, size, LEAVES[index], proof, root)

    tampered = _tamper(data, proof, allow_empty=True)
    wrong_index = data.draw(st.integers(min_value=0, max_value=size - 1).filter(lambda i: i != index)) \
        if size > 1 else None
    attempts = [(index, size, LEAVES[index], tampered, root),
                (index, size, merkle.leaf_hash(b"forged"), proof, root),
                (index, size, LEAVES[index], proof, mth(0, size - 1) if size > 1 else b"\x00" * 32)]
    if wrong_index is not None:
        attempts.append((wrong_index, size, LEAVES[index], proof, root))
    # A size is only meaningful with its own root (the pair a checkpoint signs).
    other_size = size + 1 if size < MAX else size - 1
    if index < other_size:
        attempts.append((index, other_size, LEAVES[index], proof, mth(0, other_size)))
    for attempt in attempts:
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(*attempt)
        with pytest.raises(standalone.Failure):
            standalone.verify_inclusion(*attempt)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), second=st.integers(min_value=2, max_value=MAX))
def test_any_consistency_proof_verifies_and_any_tampering_fails(data, second):
    first = data.draw(st.integers(min_value=1, max_value=second - 1))
    first_root, second_root = mth(0, first), mth(0, second)
    proof = stored_consistency(first, second)
    assert proof == subproof(first, 0, second, True)
    merkle.verify_consistency(first, second, first_root, second_root, proof)

    attempts = [
        (first, second, first_root, second_root, _tamper(data, proof, allow_empty=False)),
        (first, second, merkle.leaf_hash(b"other history"), second_root, proof),
        (first, second, first_root, mth(0, second - 1), proof),
    ]
    other = data.draw(st.integers(min_value=1, max_value=second - 1))
    if other != first:
        attempts.append((other, second, mth(0, other), second_root, proof))
    for attempt in attempts:
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(*attempt)
        with pytest.raises(standalone.Failure):
            standalone.verify_consistency(*attempt)


def _tamper(data: st.DataObject, proof: list[bytes], *, allow_empty: bool) -> list[bytes]:
    choices = ["append"]
    if proof:
        choices += ["flip", "drop", "swap"] if len(proof) > 1 else ["flip", "drop"]
    how = data.draw(st.sampled_from(choices))
    tampered = list(proof)
    if how == "append":
        tampered.append(hashlib.sha256(b"extra").digest())
    elif how == "drop":
        del tampered[data.draw(st.integers(min_value=0, max_value=len(proof) - 1))]
        if not tampered and not allow_empty:
            tampered = [hashlib.sha256(b"x").digest()]
    elif how == "swap":
        position = data.draw(st.integers(min_value=0, max_value=len(proof) - 2))
        if tampered[position] == tampered[position + 1]:
            tampered[position] = hashlib.sha256(b"y").digest()
        tampered[position], tampered[position + 1] = tampered[position + 1], tampered[position]
    else:
        position = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bit = data.draw(st.integers(min_value=0, max_value=255))
        item = bytearray(tampered[position])
        item[bit // 8] ^= 1 << (bit % 8)
        tampered[position] = bytes(item)
    return tampered


def test_edge_cases_of_the_verifiers():
    root = mth(0, 8)
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(8, 8, LEAVES[0], path(0, 0, 8), root)
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(8, 8, root, root, [root])
    merkle.verify_consistency(8, 8, root, root, [])
    merkle.verify_consistency(0, 8, merkle.EMPTY_ROOT, root, [])
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(3, 8, mth(0, 3), root, [])
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(0, 8, LEAVES[0], [b"short"] * 3, root)

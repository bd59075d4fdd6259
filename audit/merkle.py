"""Merkle tree hashing, proofs and proof verification as in RFC 6962 / RFC 9162.

Pure functions over bytes, no Django: the same code serves the checkpoint
step, the regulator API and ``audit_verify``; the standalone verifier in
``tools/sillage_verify.py`` carries its own copy (it must run without this
repository) and the tests check that both agree.

Hashing (RFC 9162 §2.1.1): a leaf is ``SHA-256(0x00 || leaf data)`` and an
interior node ``SHA-256(0x01 || left || right)``; the distinct prefixes stop a
leaf being passed off as a node. The tree over ``n`` leaves splits at ``k``,
the largest power of two smaller than ``n``; the empty tree's hash is
``SHA-256()``.

Every subtree the RFC algorithms ever name is a range ``[lo, hi)`` whose
start is a multiple of a power of two at least as large as ``hi - lo``. Such a
range is the concatenation of the *perfect* subtrees given by the binary
decomposition of its size, so its hash can be folded from stored perfect
subtree hashes (``Node(level, index)`` covering leaves
``[index * 2**level, (index + 1) * 2**level)``). Proofs are therefore built in
two steps: list the ranges (``inclusion_ranges``, ``consistency_ranges``), then
resolve them from whatever store holds the perfect nodes (``range_nodes`` says
which nodes a range needs, ``fold_range`` combines them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

Range = tuple[int, int]
NodeKey = tuple[int, int]  # (level, index): leaves [index << level, (index + 1) << level)

_sha256 = hashlib.sha256


class ProofError(ValueError):
    """A proof that does not verify, or a request no proof can answer.

    Not on ``core.errors``: this module stays free of Django, and the error is
    reported as a problem of the log, never shown as a refusal."""


def leaf_hash(data: bytes) -> bytes:
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two strictly smaller than ``size`` (``size`` >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


# --- ranges and perfect nodes -----------------------------------------------------

def range_nodes(lo: int, hi: int) -> list[NodeKey]:
    """The perfect subtrees, left to right, whose concatenation is ``[lo, hi)``."""
    nodes: list[NodeKey] = []
    size = hi - lo
    offset = lo
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            if offset % (1 << level):
                raise ValueError(f"range [{lo}, {hi}) is not aligned as RFC 6962 ranges are")
            nodes.append((level, offset >> level))
            offset += 1 << level
    return nodes


def fold_range(hashes: Sequence[bytes]) -> bytes:
    """Combine perfect subtree hashes (left to right, sizes decreasing) as MTH does."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def resolve_ranges(ranges: Sequence[Range],
                   fetch: Callable[[set[NodeKey]], Mapping[NodeKey, bytes]]) -> list[bytes]:
    """Hash each range from perfect nodes, fetching all the nodes in one call."""
    needed: set[NodeKey] = set()
    per_range = [range_nodes(lo, hi) for lo, hi in ranges]
    for keys in per_range:
        needed.update(keys)
    found = fetch(needed) if needed else {}
    missing = needed - set(found)
    if missing:
        raise ProofError(f"{len(missing)} tree node(s) are missing from the store")
    return [fold_range([found[key] for key in keys]) for keys in per_range]


def root_from_nodes(size: int, fetch: Callable[[set[NodeKey]], Mapping[NodeKey, bytes]]) -> bytes:
    return resolve_ranges([(0, size)], fetch)[0]


# --- building the tree incrementally ------------------------------------------------

def frontier_keys(size: int) -> list[NodeKey]:
    """The perfect subtrees covering the first ``size`` leaves (the tree's right edge)."""
    return range_nodes(0, size)


def extend(size: int, frontier: Mapping[NodeKey, bytes],
           new_leaf_hashes: Sequence[bytes]) -> list[tuple[int, int, bytes]]:
    """Perfect interior nodes completed by appending leaves to a tree of ``size``.

    ``frontier`` holds the hashes of ``frontier_keys(size)``: the only old nodes
    a new node can need. Returns ``(level, index, hash)`` for levels >= 1; the
    cost is proportional to the number of new leaves (plus the tree height),
    never to the size of the tree.
    """
    created: list[tuple[int, int, bytes]] = []
    hashes = list(new_leaf_hashes)
    start = size
    level = 0
    while hashes:
        if start & 1:
            hashes.insert(0, frontier[(level, start - 1)])
            start -= 1
        parents = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes) - 1, 2)]
        start >>= 1
        level += 1
        created.extend((level, start + offset, digest) for offset, digest in enumerate(parents))
        hashes = parents
    return created


class CompactRange:
    """Streaming tree hash: feed leaf hashes in order, ask the root at any size.

    Keeps one perfect subtree per set bit of the size, so memory is O(log n)
    and each leaf costs one hash amortised. Used by the verifiers to recompute
    every checkpoint's root in one pass over the leaves.
    """

    __slots__ = ("size", "_stack")

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[bytes] = []

    def append(self, leaf: bytes) -> None:
        stack = self._stack
        stack.append(leaf)
        size = self.size
        while size & 1:
            right = stack.pop()
            stack[-1] = node_hash(stack[-1], right)
            size >>= 1
        self.size += 1

    def root(self) -> bytes:
        return fold_range(self._stack)


def reference_root(leaves: Sequence[bytes]) -> bytes:
    """MTH written exactly as RFC 6962 §2.1 defines it (recursive; for tests)."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = split_point(len(leaves))
    return node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


# --- proofs (RFC 6962 §2.1.1 PATH, §2.1.2 PROOF/SUBPROOF) -----------------------------

def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The subtrees whose hashes form the audit path of leaf ``index`` in a tree of ``size``."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of size {size}")
    ranges: list[Range] = []
    lo, hi, m = 0, size, index
    while hi - lo > 1:
        k = split_point(hi - lo)
        if m < k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
            m -= k
    ranges.reverse()  # PATH lists the deepest sibling first
    return ranges


def consistency_ranges(first: int, second: int) -> list[Range]:
    """The subtrees whose hashes form PROOF(first, D[second])."""
    if not 0 < first <= second:
        raise ProofError(f"no consistency proof from size {first} to size {second}")
    ranges: list[Range] = []
    lo, hi, m, complete = 0, second, first, True
    while True:
        if m == hi - lo:
            if not complete:
                ranges.append((lo, hi))
            break
        k = split_point(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
            m -= k
            complete = False
    ranges.reverse()
    return ranges


def inclusion_proof(index: int, size: int, leaves: Sequence[bytes]) -> list[bytes]:
    """Inclusion proof computed from the leaf hashes themselves (tests, small trees)."""
    return [reference_root(leaves[lo:hi]) for lo, hi in inclusion_ranges(index, size)]


def consistency_proof(first: int, second: int, leaves: Sequence[bytes]) -> list[bytes]:
    return [reference_root(leaves[lo:hi]) for lo, hi in consistency_ranges(first, second)]


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) -----------------------------------

def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    if index >= size or index < 0:
        raise ProofError("leaf index is outside the tree")
    fn, sn = index, size - 1
    result = leaf
    for sibling in proof:
        if len(sibling) != HASH_SIZE:
            raise ProofError("proof hash of the wrong length")
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return result


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes],
                     root: bytes) -> None:
    """Raise ProofError unless ``proof`` shows leaf ``index`` is in the tree with ``root``."""
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise ProofError("inclusion proof does not lead to the root")


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """Raise ProofError unless ``proof`` shows tree ``first`` is a prefix of tree ``second``."""
    if first < 0 or second < first:
        raise ProofError("sizes out of order")
    if first == second:
        if proof:
            raise ProofError("a proof between equal sizes must be empty")
        if first_root != second_root:
            raise ProofError("equal sizes with different roots")
        return
    if first == 0:
        if proof:
            raise ProofError("a proof from the empty tree must be empty")
        return  # every tree extends the empty one
    if not proof:
        raise ProofError("empty consistency proof")
    if any(len(item) != HASH_SIZE for item in proof):
        raise ProofError("proof hash of the wrong length")
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for item in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(item, fr)
            sr = node_hash(item, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, item)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != first_root:
        raise ProofError("consistency proof does not lead to the first root")
    if sr != second_root:
        raise ProofError("consistency proof does not lead to the second root")

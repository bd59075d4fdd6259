"""The audit log's errors (on the hierarchy of ``core.errors``).

Two errors of the audit app stay off it, on purpose: ``merkle.ProofError``
and ``note.NoteError`` belong to pure modules without Django (the same
algorithms as the standalone verifier in ``tools/``), and neither ever
reaches a person: ``audit_verify`` reports them as problems of the log, and a
bad signing key becomes ``ImproperlyConfigured``.
"""

from __future__ import annotations

from core.errors import NotFound, SillageError


class AppendOnlyError(SillageError):
    """An attempt to change or remove an append-only row: a bug of the caller,
    never a refusal to show (the database refuses it too, on PostgreSQL)."""

    code = "append_only"


class ProofUnavailable(NotFound):
    """Asked for a proof the log cannot give (unknown event, size not covered, …)."""

    code = "proof_unavailable"
    # The regulator API has always given these reasons in the request's
    # language: they are the regulator portal's words too.
    localized_in_api = True

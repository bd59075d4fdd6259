"""The regulator API's refusals, word for word, for an English and a French
HTTP client: its own messages are English, except the reasons a proof cannot
be given, which have always followed the request's language (they are the
regulator portal's words too)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from audit.models import Checkpoint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    yield
    translation.deactivate()


def _get(token: str, language: str, path: str, **params: Any) -> list[Any]:
    response = Client().get(f"/api/v1/audit/{path}", params, HTTP_AUTHORIZATION=f"Bearer {token}",
                            HTTP_ACCEPT_LANGUAGE=language)
    return [response.status_code, json.loads(response.content)]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_refusals_before_any_checkpoint(regulator_token: str, language: str) -> None:
    said = {
        "no checkpoint": _get(regulator_token, language, "checkpoints/latest"),
        "no proof": _get(regulator_token, language, "proofs/consistency", first=0),
        "unknown event": _get(regulator_token, language, f"events/{uuid.uuid4()}"),
        "bad cursor": _get(regulator_token, language, "events", cursor="!!"),
        "bad limit": _get(regulator_token, language, "checkpoints", limit="many"),
    }
    proof = {"en": "No checkpoint has been issued yet.",
             "fr": "Aucun point de contrôle n'a encore été émis."}[language]
    assert said == {
        "no checkpoint": [404, {"error": "not_found", "detail": "No checkpoint yet."}],
        "no proof": [404, {"error": "proof_unavailable", "detail": proof}],
        "unknown event": [404, {"error": "not_found", "detail": "No such event."}],
        "bad cursor": [400, {"error": "invalid_cursor", "detail": "Malformed cursor."}],
        "bad limit": [400, {"error": "invalid_request", "detail": "limit: a number"}],
    }


@pytest.mark.parametrize("language", ["en", "fr"])
def test_proofs_that_cannot_be_given(seeded: Any, regulator_token: str, language: str) -> None:
    size = Checkpoint.objects.order_by("tree_size").values_list("tree_size", flat=True)[0]
    late, queued = seeded.events[-2], seeded.events[-1]
    said = [
        _get(regulator_token, language, "proofs/inclusion", event=str(late.event_id),
             tree_size=size),
        _get(regulator_token, language, "proofs/inclusion", event=str(queued.event_id)),
        _get(regulator_token, language, "proofs/inclusion", event=str(uuid.uuid4())),
        _get(regulator_token, language, "proofs/inclusion", event=str(late.event_id),
             tree_size=10**6),
        _get(regulator_token, language, "proofs/consistency", first=3, second=10**6),
    ]
    assert [status for status, _body in said] == [404] * 5
    assert {body["error"] for _status, body in said} == {"proof_unavailable"}
    assert [body["detail"] for _status, body in said] == EXPECTED[language]


EXPECTED: dict[str, list[str]] = {
    "en": [
        "The event joined the tree after size 8.",
        "The event is not in a checkpoint yet; try after the next one.",
        "No such event.",
        "Tree size must be between 1 and 16.",
        "Sizes must satisfy 0 <= first <= second <= 16.",
    ],
    "fr": [
        "L'événement a rejoint l'arbre après la taille 8.",
        "L'événement n'est pas encore dans un point de contrôle ; réessayez après le prochain.",
        "Événement inconnu.",
        "La taille de l'arbre doit être entre 1 et 16.",
        "Les tailles doivent vérifier 0 <= first <= second <= 16.",
    ],
}

"""The error hierarchy of core.errors: one message, said in English to programs
and in the reader's language on pages; one JSON body for the APIs; one ending
for management commands."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound as DrfNotFound

from core.api_errors import json_exception_handler
from core.commands import command_errors
from core.errors import (
    Conflict,
    InvalidInput,
    Message,
    NotFound,
    SillageError,
    TooLarge,
    Unauthorized,
)
from vault.errors import RecordInvalid


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    yield
    translation.deactivate()


def test_str_is_english_and_localized_follows_the_active_language() -> None:
    error = RecordInvalid("given_name", _("must be at most %(n)s characters"), n=100)
    translation.activate("fr")

    assert str(error) == "given_name: must be at most 100 characters"
    assert error.localized() == "doit faire au plus 100 caractères"
    assert error.field == "given_name"
    assert (error.code, error.status) == ("invalid_record", 400)


def test_messages_made_of_parts_are_said_in_one_language() -> None:
    parts = Message.join([Message(_("missing column(s) %(names)s"), names="amount"),
                          Message(_("repeated column names"))])
    whole = Message(_("%(detail)s. Expected: %(expected)s"), detail=parts, expected="a,b")
    translation.activate("fr")

    assert str(whole) == "missing column(s) amount; repeated column names. Expected: a,b"
    assert whole.localized() == ("colonne(s) manquante(s) : amount; noms de colonnes répétés. "
                                 "Attendu : a,b")


def test_each_kind_has_its_code_and_status_and_a_default_message() -> None:
    kinds = {InvalidInput: ("invalid_request", 400), Unauthorized: ("invalid_token", 401),
             NotFound: ("not_found", 404), Conflict: ("conflict", 409),
             TooLarge: ("too_large", 413), SillageError: ("error", 500)}
    for kind, (code, status) in kinds.items():
        assert (kind.code, kind.status) == (code, status)
        assert str(kind())


def test_an_error_survives_pickling_with_its_parameters() -> None:
    error = RecordInvalid("amount", _("must be at most %(n)s characters"), n=3)
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert (type(copy), str(copy), copy.field) == (RecordInvalid, str(error), "amount")


class _View:
    def get_authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="test"'


def test_the_api_handler_renders_refusals_and_leaves_failures_alone() -> None:
    context: dict[str, Any] = {"view": _View(), "request": None}
    translation.activate("fr")

    refused = json_exception_handler(InvalidInput(_("a number"), field="limit"), context)
    unknown = json_exception_handler(Unauthorized(_("Valid credentials are required.")), context)
    drf = json_exception_handler(DrfNotFound(), context)

    assert refused is not None
    assert unknown is not None
    assert drf is not None
    assert (refused.status_code, refused.data) == (
        400, {"error": "invalid_request", "detail": "limit: a number"})
    assert (unknown.status_code, unknown["WWW-Authenticate"]) == (401, 'Bearer realm="test"')
    assert unknown.data == {"error": "invalid_token", "detail": "Valid credentials are required."}
    assert drf.data["error"] == "not_found"
    assert json_exception_handler(SillageError("the disk is on fire"), context) is None


def test_commands_end_a_refusal_with_its_english_text() -> None:
    translation.activate("fr")
    with pytest.raises(CommandError, match=r"^limit: a number$"), command_errors():
        raise InvalidInput(_("a number"), field="limit")
    with pytest.raises(SillageError), command_errors():
        raise SillageError("a bug, with its traceback")

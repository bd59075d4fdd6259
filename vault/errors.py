"""The vault's errors (on the hierarchy of ``core.errors``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput, Message, SillageError, Text, TooLarge


class RecordInvalid(InvalidInput):
    """A record does not match its facet's schema; ``field`` names the culprit.

    ``str()`` is ``"<field>: <message>"`` in English (what the brand API and the
    commands say); ``localized()`` is the message alone, for the portal.
    """

    code = "invalid_record"

    def __init__(self, field: str, message: Text, /, **params: Any) -> None:
        super().__init__(message, field=field, **params)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an imported file, and where: ``place`` is "line"
    or "record" (with its ``number``), or "file" or "document"."""

    place: str
    number: int | None
    field: str
    message: Message

    @property
    def where(self) -> str:
        return self.place if self.number is None else f"{self.place} {self.number}"

    def localized_where(self) -> str:
        if self.place == "line":
            return str(_("Line %(number)s") % {"number": self.number})
        if self.place == "record":
            return str(_("Record %(number)s") % {"number": self.number})
        return str({"file": _("The file"), "document": _("The document")}.get(self.place,
                                                                               self.where))

    def __str__(self) -> str:
        if self.field:
            return f"{self.where}: {self.field}: {self.message}"
        return f"{self.where}: {self.message}"

    def localized(self) -> str:
        where, message = self.localized_where(), self.message.localized()
        return f"{where}: {self.field}: {message}" if self.field else f"{where}: {message}"


def problem(place: str, number: int | None, field: str, message: Text,
            **params: Any) -> Problem:
    return Problem(place, number, field, Message(message, **params))


class ImportRejected(InvalidInput):
    """The file was refused; ``problems`` lists what is wrong, nothing was stored."""

    code = "import_rejected"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(Message.join([item.message for item in self.problems[:3]]))

    def __str__(self) -> str:
        return "; ".join(str(item) for item in self.problems[:3])

    def localized(self) -> str:
        return "; ".join(item.localized() for item in self.problems[:3])


class ImportTooLarge(ImportRejected, TooLarge):
    code = "too_large"
    status = 413


class SealError(SillageError):
    """A sealed value cannot be opened (wrong key, wrong context, tampering) or
    made: a failure of Sillage, never the caller's doing."""

    code = "seal_failed"


class KeyUnavailable(SealError):
    """The key asked for is not there (an erased vault, a key-encryption key
    missing from the keyring)."""

    code = "key_unavailable"

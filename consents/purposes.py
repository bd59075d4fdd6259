"""How a purpose reads, for people and for records.

What is stored stays in English: a client's declared descriptions, a consent's
description and its signed receipt (which says ``"language": "en"``) use the
purpose's English label when the brand wrote nothing of its own. Pages show the
brand's own words as the brand wrote them, and otherwise the purpose's label in
the reader's language.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.functional import Promise

from .scopes import PURPOSES


def purpose_default(purpose: str) -> str:
    """The purpose's label in English, whatever language is active."""
    with translation.override("en"):
        return str(PURPOSES.get(purpose, purpose))


def purpose_label(purpose: str) -> str | Promise:
    """The purpose's label in the reader's language (its key if it is unknown)."""
    return PURPOSES.get(purpose, purpose)


def purpose_own_words(purpose: str, description: str | None) -> str:
    """The brand's own description of a purpose, or "" when it only repeats the
    purpose's English label (the pages then show the label, translated)."""
    text = (description or "").strip()
    return "" if text == purpose_default(purpose) else text

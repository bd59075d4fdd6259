"""Management commands end a refused operation the same way: ``CommandError``
with the error's English text (exit status 1, the reason on stderr)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError

from .errors import SillageError


@contextmanager
def command_errors() -> Iterator[None]:
    """Turn a ``SillageError`` raised inside into ``CommandError(str(error))``.

    Failures of Sillage itself (status 500 or more) are left to propagate,
    with their traceback."""
    try:
        yield
    except SillageError as error:
        if error.status >= 500:
            raise
        raise CommandError(str(error)) from error

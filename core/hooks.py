"""Hooks: how a lower layer lets higher ones react without importing them.

A lower app declares a hook (``data_changed = Hook("vault.data_changed")``)
and calls it where the thing happens; a higher app registers a plain function
in its ``AppConfig.ready()``. Receivers run synchronously, in the caller's
transaction, in registration order: what they write commits or rolls back with
the change that caused it (an outbox row, a stale-insights mark), and what must
wait for the commit they schedule with ``transaction.on_commit`` themselves.

Unlike Django signals, a hook names the keyword arguments it passes, has no
sender filtering, and never swallows a receiver's exception.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Receiver = Callable[..., object]


class Hook:
    def __init__(self, name: str, *, arguments: tuple[str, ...]) -> None:
        self.name = name
        self.arguments = arguments
        self._receivers: list[Receiver] = []

    def register(self, receiver: Receiver) -> Receiver:
        """Add ``receiver`` once (so a second ``ready()`` cannot double it)."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    @property
    def receivers(self) -> tuple[Receiver, ...]:
        return tuple(self._receivers)

    def __call__(self, **kwargs: Any) -> None:
        if set(kwargs) != set(self.arguments):
            raise TypeError(f"hook {self.name} takes {self.arguments}, got {tuple(kwargs)}")
        for receiver in self._receivers:
            receiver(**kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._receivers)} receivers>"

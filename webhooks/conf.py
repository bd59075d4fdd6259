"""Where the webhooks read their options: ``settings.WEBHOOKS``, in one function.

Read at each call, never cached, so a test's ``settings.WEBHOOKS = {...}`` takes
effect at once. The options and their defaults are described where they are
set, in ``config/settings/base.py``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def option(name: str) -> Any:
    """The value of ``settings.WEBHOOKS[name]``; a KeyError names a missing option."""
    return settings.WEBHOOKS[name]

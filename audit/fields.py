"""A JSON value stored as its canonical text.

The event hash is computed over canonical JSON (sorted keys, no spaces, UTF-8;
see ``audit.hashing``). Storing ``facets`` and ``detail`` in exactly that form
lets verification hash the stored text as it is, instead of parsing it and
serialising it again for each of millions of events; and it keeps the stored
bytes identical on every database (PostgreSQL's jsonb would reformat them).
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from .hashing import canonical_value


class CanonicalJSONField(models.TextField):
    description = "JSON value stored as canonical JSON text"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else json.loads(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return canonical_value(value)

    def value_to_string(self, obj: Any) -> str:
        return canonical_value(self.value_from_object(obj))

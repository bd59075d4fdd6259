"""Date-times that come from outside, made safe to compare in the database.

Python reads ``0001-01-01`` and ``9999-12-31T23:59-05:00`` but cannot convert
them to UTC, as every database query on a ``DateTimeField`` does: the
conversion raises ``OverflowError``. Such a bound still means something ("since
the beginning", "until the end"): ``storable`` replaces it by the first or last
instant UTC can hold, which compares with every stored time exactly as the
bound asked for would.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from rest_framework import serializers

EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)
LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)


def storable(value: dt.datetime) -> dt.datetime:
    """``value`` (aware) when it converts to UTC, else the nearest end of time."""
    try:
        value.astimezone(dt.UTC)
    except OverflowError:
        return EARLIEST if value.year == dt.MINYEAR else LATEST
    return value


def day_start(day: dt.date, tz: dt.tzinfo, *, days_after: int = 0) -> dt.datetime:
    """Midnight (in ``tz``) of ``days_after`` days after ``day``, made ``storable``;
    LATEST past the last day of the calendar."""
    try:
        day = day + dt.timedelta(days=days_after)
    except OverflowError:
        return LATEST
    return storable(dt.datetime.combine(day, dt.time.min, tzinfo=tz))


class BoundDateTimeField(serializers.DateTimeField):
    """The REST framework's DateTimeField for a query's bounds (``since``,
    ``until``): a time UTC cannot hold is the nearest end of time, not a 500."""

    def enforce_timezone(self, value: dt.datetime) -> Any:
        if timezone.is_aware(value):
            try:
                return storable(super().enforce_timezone(value))
            except serializers.ValidationError:
                # Not a time in the current zone (9999-12-31T23:59Z): as it is.
                return storable(value)
        try:
            return storable(super().enforce_timezone(value))
        except OverflowError:
            # Naive, and not a time in the current zone once made UTC.
            return EARLIEST if value.year == dt.MINYEAR else LATEST

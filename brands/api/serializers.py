"""Plain input and output serializers of the brand API (no ModelSerializer on
personal data: every field that leaves is named here)."""

from __future__ import annotations

from rest_framework import serializers

# The error body of every API (its home is core.api_errors), re-exported.
from core.api_errors import ErrorSerializer as ErrorSerializer
from core.datetimes import BoundDateTimeField


class GrantedFacetSerializer(serializers.Serializer):
    facet = serializers.CharField()
    access = serializers.ListField(child=serializers.ChoiceField(choices=["read", "write"]))
    kind = serializers.ChoiceField(choices=["profile", "events"])
    reduced = serializers.BooleanField()


class ConsentOutSerializer(serializers.Serializer):
    consent_id = serializers.UUIDField()
    status = serializers.CharField()
    client_id = serializers.CharField()
    brand = serializers.CharField()
    purpose = serializers.CharField()
    description = serializers.CharField()
    scope = serializers.CharField()
    facets = GrantedFacetSerializer(many=True)
    granted_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    token_expires_at = serializers.DateTimeField()


class ProfileOutSerializer(serializers.Serializer):
    consent_id = serializers.UUIDField()
    facets = serializers.DictField(child=serializers.DictField(allow_null=True), allow_empty=True)


class EventOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    occurred_at = serializers.DateTimeField()
    recorded_at = serializers.DateTimeField()
    data = serializers.DictField()


class FacetOutSerializer(serializers.Serializer):
    consent_id = serializers.UUIDField()
    facet = serializers.CharField()
    kind = serializers.ChoiceField(choices=["profile", "events"])
    value = serializers.DictField(allow_null=True, required=False)
    items = EventOutSerializer(many=True, required=False)
    next_cursor = serializers.CharField(allow_null=True, required=False)


class FacetQuerySerializer(serializers.Serializer):
    since = BoundDateTimeField(required=False)
    cursor = serializers.CharField(required=False, max_length=300)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500)


class RecordInSerializer(serializers.Serializer):
    data = serializers.DictField(help_text="The record's fields, as in the facet's schema.")
    occurred_at = serializers.CharField(
        required=False, allow_null=True,
        help_text="ISO 8601 date-time; required for event facets, absent for profile facets.",
    )


class RecordOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    facet = serializers.CharField()
    occurred_at = serializers.DateTimeField(allow_null=True)
    recorded_at = serializers.DateTimeField()
    consent_id = serializers.UUIDField()

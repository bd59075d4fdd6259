"""Plain input and output serializers of the regulator API (no ModelSerializer)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from audit.models import AuditEvent
from core.datetimes import BoundDateTimeField


class EventQuerySerializer(serializers.Serializer):
    brand = serializers.SlugField(required=False, help_text="brand slug: events by its applications")
    actor_type = serializers.ChoiceField(choices=AuditEvent.ActorType.values, required=False)
    actor_id = serializers.CharField(required=False, max_length=80)
    action = serializers.CharField(required=False, max_length=48,
                                   help_text="exact action, or a prefix such as 'consent.*'")
    outcome = serializers.ChoiceField(choices=AuditEvent.Outcome.values, required=False)
    subject = serializers.CharField(required=False, max_length=80,
                                    help_text="subject pseudonym (never an e-mail or a name)")
    consent_id = serializers.CharField(required=False, max_length=64)
    since = BoundDateTimeField(required=False, help_text="occurred at or after (ISO 8601)")
    until = BoundDateTimeField(required=False, help_text="occurred before (ISO 8601)")
    cursor = serializers.CharField(required=False, max_length=40)
    limit = serializers.IntegerField(required=False, min_value=1)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("since") and attrs.get("until") and attrs["since"] >= attrs["until"]:
            raise serializers.ValidationError({"until": "must be after since"})
        return attrs


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event_id = serializers.UUIDField()
    occurred_at = serializers.CharField()
    actor_type = serializers.CharField()
    actor_id = serializers.CharField()
    subject = serializers.CharField()
    action = serializers.CharField()
    facets = serializers.ListField(child=serializers.CharField())
    consent_id = serializers.CharField()
    purpose = serializers.CharField()
    outcome = serializers.CharField()
    request_id = serializers.CharField()
    detail = serializers.DictField()
    chain = serializers.CharField()
    chain_seq = serializers.IntegerField()
    prev_hash = serializers.CharField()
    hash = serializers.CharField()
    leaf_index = serializers.IntegerField(allow_null=True)


class EventPageSerializer(serializers.Serializer):
    events = EventSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    next = serializers.CharField(allow_null=True)


class CheckpointSerializer(serializers.Serializer):
    tree_size = serializers.IntegerField()
    root_hash = serializers.CharField(help_text="base64, as in the checkpoint body")
    origin = serializers.CharField()
    key_id = serializers.CharField()
    issued_at = serializers.DateTimeField()
    note = serializers.CharField(help_text="the C2SP signed note: the evidence to keep")


class CheckpointPageSerializer(serializers.Serializer):
    checkpoints = CheckpointSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    next = serializers.CharField(allow_null=True)


class InclusionQuerySerializer(serializers.Serializer):
    event = serializers.UUIDField(help_text="event_id")
    tree_size = serializers.IntegerField(required=False, min_value=1,
                                         help_text="default: the latest checkpoint")


class InclusionProofSerializer(serializers.Serializer):
    event_id = serializers.UUIDField()
    event_hash = serializers.CharField()
    leaf_index = serializers.IntegerField()
    tree_size = serializers.IntegerField()
    leaf_hash = serializers.CharField(help_text="base64 SHA-256(0x00 || event hash bytes)")
    root_hash = serializers.CharField()
    proof = serializers.ListField(child=serializers.CharField(), help_text="base64 hashes, RFC 9162 order")
    checkpoint = serializers.CharField(allow_null=True, help_text="signed note of that size, if any")


class ConsistencyQuerySerializer(serializers.Serializer):
    first = serializers.IntegerField(min_value=0)
    second = serializers.IntegerField(required=False, min_value=0,
                                      help_text="default: the latest checkpoint")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "second" in attrs and attrs["second"] < attrs["first"]:
            raise serializers.ValidationError({"second": "must be at least first"})
        return attrs


class ConsistencyProofSerializer(serializers.Serializer):
    first = serializers.IntegerField()
    second = serializers.IntegerField()
    first_root = serializers.CharField()
    second_root = serializers.CharField()
    proof = serializers.ListField(child=serializers.CharField())
    first_checkpoint = serializers.CharField(allow_null=True)
    second_checkpoint = serializers.CharField(allow_null=True)


class PublicKeySerializer(serializers.Serializer):
    origin = serializers.CharField()
    verifier_key = serializers.CharField(help_text="<origin>+<key id>+<base64(0x01 || key)>")
    previous_verifier_keys = serializers.ListField(child=serializers.CharField())

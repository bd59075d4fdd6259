"""Idempotency-Keys are scoped to a consent (one consumer's vault), not to the
client: the same key under another consumer's token is another write.

Stored keys name their consent in the response they saved (``consent_id``);
the few whose consent is gone (or unreadable) are dropped: a key lives at most
``BRANDS["IDEMPOTENCY_HOURS"]`` anyway."""

import django.core.exceptions
import django.db.models.deletion
from django.db import migrations, models


def attach_consents(apps, schema_editor):
    IdempotencyKey = apps.get_model("brands", "IdempotencyKey")
    Consent = apps.get_model("consents", "Consent")
    for key in IdempotencyKey.objects.filter(consent__isnull=True).iterator():
        consent_id = (key.response_body or {}).get("consent_id")
        consent = None
        if consent_id:
            try:
                consent = Consent.objects.filter(
                    pk=consent_id, application_id=key.application_id
                ).first()
            except (ValueError, TypeError, django.core.exceptions.ValidationError):
                consent = None
        if consent is None:
            key.delete()
        else:
            key.consent = consent
            key.save(update_fields=["consent"])


class Migration(migrations.Migration):

    dependencies = [
        ("brands", "0005_brand_disabled_at"),
        ("consents", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="idempotencykey",
            name="consent",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                to="consents.consent",
            ),
        ),
        migrations.RunPython(attach_consents, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="idempotencykey",
            name="consent",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+",
                to="consents.consent",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="idempotencykey",
            name="idempotencykey_unique",
        ),
        migrations.AddConstraint(
            model_name="idempotencykey",
            constraint=models.UniqueConstraint(
                fields=("consent", "key"), name="idempotencykey_consent_unique"
            ),
        ),
    ]

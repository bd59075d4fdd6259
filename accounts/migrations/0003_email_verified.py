"""Accounts must prove their log-in e-mail before they can log in. Every
account that exists before this migration was usable, so it is marked as
proven now: nobody already signed up is locked out."""

from django.db import migrations, models
from django.utils import timezone


def mark_existing_accounts_verified(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(email_verified_at__isnull=True).update(email_verified_at=timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_tables_of_accounts"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_verified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_existing_accounts_verified, migrations.RunPython.noop),
    ]

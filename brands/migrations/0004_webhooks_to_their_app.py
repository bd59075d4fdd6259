"""The webhook models now belong to the ``webhooks`` app (its 0001 takes over
the tables); this removes them from this app's state without touching rows."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('brands', '0003_application_idempotencykey'),
        ('webhooks', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='DeliveryAttempt'),
                migrations.DeleteModel(name='OutboxMessage'),
                migrations.DeleteModel(name='WebhookEndpoint'),
            ],
        ),
    ]

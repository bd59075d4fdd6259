"""Webhook endpoints, outbox and delivery attempts move here from ``brands``.

The rows stay where they are: the models are created in this app's state
only, over the existing ``brands_*`` tables, which are then renamed. A
database made before the move keeps every endpoint, message and attempt.
"""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('brands', '0003_application_idempotencykey'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='WebhookEndpoint',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('url', models.URLField(max_length=2000)),
                        ('description', models.CharField(blank=True, max_length=200)),
                        ('event_types', models.JSONField(default=list)),
                        ('secret_sealed', models.BinaryField()),
                        ('previous_secret_sealed', models.BinaryField(blank=True, null=True)),
                        ('previous_secret_expires_at', models.DateTimeField(blank=True, null=True)),
                        ('is_active', models.BooleanField(default=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('secret_rotated_at', models.DateTimeField(blank=True, null=True)),
                        ('disabled_at', models.DateTimeField(blank=True, null=True)),
                        ('brand', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='webhook_endpoints', to='brands.brand')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['created_at'],
                        'db_table': 'brands_webhookendpoint',
                    },
                ),
                migrations.CreateModel(
                    name='OutboxMessage',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('event_type', models.CharField(choices=[('consent.granted', 'consent.granted'), ('consent.narrowed', 'consent.narrowed'), ('consent.revoked', 'consent.revoked'), ('consent.expired', 'consent.expired'), ('data.erased', 'data.erased'), ('webhook.test', 'webhook.test')], max_length=40)),
                        ('body', models.TextField()),
                        ('status', models.CharField(choices=[('pending', 'pending'), ('delivered', 'delivered'), ('failed', 'failed'), ('cancelled', 'cancelled')], default='pending', max_length=12)),
                        ('attempt_count', models.PositiveSmallIntegerField(default=0)),
                        ('next_attempt_at', models.DateTimeField()),
                        ('lease_token', models.UUIDField(blank=True, null=True)),
                        ('leased_until', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('delivered_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('brand', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='brands.brand')),
                        ('endpoint', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='webhooks.webhookendpoint')),
                    ],
                    options={
                        'ordering': ['-created_at'],
                        'db_table': 'brands_outboxmessage',
                    },
                ),
                migrations.CreateModel(
                    name='DeliveryAttempt',
                    fields=[
                        ('id', models.BigAutoField(primary_key=True, serialize=False)),
                        ('number', models.PositiveSmallIntegerField()),
                        ('started_at', models.DateTimeField()),
                        ('duration_ms', models.PositiveIntegerField()),
                        ('status_code', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('succeeded', models.BooleanField(default=False)),
                        ('error', models.CharField(blank=True, max_length=64)),
                        ('message', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempts', to='webhooks.outboxmessage')),
                    ],
                    options={
                        'ordering': ['message', 'number'],
                        'db_table': 'brands_deliveryattempt',
                        'constraints': [models.UniqueConstraint(fields=('message', 'number'), name='webhook_attempt_unique')],
                    },
                ),
                migrations.AddIndex(
                    model_name='webhookendpoint',
                    index=models.Index(fields=['brand', 'is_active'], name='webhook_endpoint_brand_idx'),
                ),
                migrations.AddIndex(
                    model_name='outboxmessage',
                    index=models.Index(fields=['status', 'next_attempt_at'], name='webhook_outbox_due_idx'),
                ),
                migrations.AddIndex(
                    model_name='outboxmessage',
                    index=models.Index(fields=['endpoint', '-created_at'], name='webhook_outbox_endpoint_idx'),
                ),
            ],
        ),
        migrations.AlterModelTable(name='webhookendpoint', table=None),
        migrations.AlterModelTable(name='outboxmessage', table=None),
        migrations.AlterModelTable(name='deliveryattempt', table=None),
    ]

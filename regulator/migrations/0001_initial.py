"""Regulator tokens and the regulator proxy move here from ``audit``.

State only, over the existing ``audit_regulatortoken`` table, which is then
renamed: a database made before the move keeps every token.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('audit', '0004_subject_index'),
        ('accounts', '0002_tables_of_accounts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Regulator',
                    fields=[],
                    options={
                        'verbose_name': 'regulator',
                        'proxy': True,
                        'indexes': [],
                        'constraints': [],
                    },
                    bases=('accounts.user',),
                ),
                migrations.CreateModel(
                    name='RegulatorToken',
                    fields=[
                        ('id', models.BigAutoField(primary_key=True, serialize=False)),
                        ('name', models.CharField(max_length=80)),
                        ('digest', models.CharField(max_length=64, unique=True)),
                        ('prefix', models.CharField(max_length=12)),
                        ('created_at', models.DateTimeField()),
                        ('expires_at', models.DateTimeField(blank=True, null=True)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='regulator_tokens', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['-created_at'],
                        'db_table': 'audit_regulatortoken',
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name='regulatortoken', table=None),
    ]

"""Regulator tokens and the regulator proxy now belong to the ``regulator``
app (its 0001 takes over the table); this removes them from this app's state
without touching rows. The log itself is unchanged."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_subject_index'),
        ('regulator', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='RegulatorToken'),
                migrations.DeleteModel(name='Regulator'),
            ],
        ),
    ]

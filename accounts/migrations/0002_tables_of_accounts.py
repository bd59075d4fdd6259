"""The tables take the name of the app that now owns them (they were
``portal_*`` before the apps were layered); rows, keys and constraints stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelTable(name="user", table=None),
        migrations.AlterModelTable(name="recoverycode", table=None),
    ]

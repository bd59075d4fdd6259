"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the
append-only audit tables (events, tree leaves, tree nodes, checkpoints,
verification runs), whoever the client is. The models refuse them on every
backend; on SQLite there is no second line (see docs/regulator.md).

TRUNCATE is left alone on purpose: the test runner empties tables with it
between transactional tests, and whoever can TRUNCATE can also disable a
trigger. What catches any of these is verification against the signed
checkpoints, not the trigger.
"""

from django.db import migrations

TABLES = (
    "audit_auditevent",
    "audit_merkleleaf",
    "audit_merklenode",
    "audit_checkpoint",
    "audit_verificationrun",
)

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""

FORWARD = [FUNCTION] + [
    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
    f"FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();"
    for table in TABLES
]
BACKWARD = [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in TABLES] + [
    "DROP FUNCTION IF EXISTS audit_refuse_change();"
]


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL that does nothing on other databases (SQLite has no plpgsql)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [PostgreSQLOnly(sql=FORWARD, reverse_sql=BACKWARD, elidable=False)]

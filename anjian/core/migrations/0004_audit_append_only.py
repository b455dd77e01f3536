"""Issue 9: the database itself refuses to rewrite the audit log.

PostgreSQL: UPDATE and DELETE of audit rows raise; the head row cannot be deleted and
moves forward only (a higher seq, or the same seq with the same hash); TRUNCATE of
either table raises. SQLite: the same with RAISE(ABORT).

One exception, the test database (settings.TESTING): the test runner empties every table
between transactional tests, with TRUNCATE on PostgreSQL and DELETE on SQLite, so those
two triggers are left out there (tests/core/test_audit.py installs them in a test to
check them). A table owner can still drop a trigger: in production the app runs as a
role that does not own the tables and lacks UPDATE, DELETE and TRUNCATE on the audit
log (docs/operations.md, Audit trail).

A later migration that alters core_auditentry or core_audithead on SQLite rebuilds the
table, which drops its triggers: such a migration must run SQLITE_CREATE again.
"""

from django.conf import settings
from django.db import migrations

REFUSED = "the audit log is append-only"
HEAD_BACKWARDS = "the audit chain head moves forward only"

POSTGRES_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION anjian_audit_refuse() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{REFUSED}: % on % refused', TG_OP, TG_TABLE_NAME;
    END $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION anjian_audit_head_forward() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.id <> OLD.id OR NEW.last_seq < OLD.last_seq
           OR (NEW.last_seq = OLD.last_seq AND NEW.last_hash <> OLD.last_hash) THEN
            RAISE EXCEPTION '{HEAD_BACKWARDS} (row % to row %)', OLD.last_seq, NEW.last_seq;
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION anjian_audit_refuse()
    """,
    """
    CREATE TRIGGER core_audithead_no_delete BEFORE DELETE ON core_audithead
    FOR EACH ROW EXECUTE FUNCTION anjian_audit_refuse()
    """,
    """
    CREATE TRIGGER core_audithead_forward_only BEFORE UPDATE ON core_audithead
    FOR EACH ROW EXECUTE FUNCTION anjian_audit_head_forward()
    """,
]
POSTGRES_CREATE_WIPE = [
    """
    CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION anjian_audit_refuse()
    """,
    """
    CREATE TRIGGER core_audithead_no_truncate BEFORE TRUNCATE ON core_audithead
    FOR EACH STATEMENT EXECUTE FUNCTION anjian_audit_refuse()
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry",
    "DROP TRIGGER IF EXISTS core_audithead_no_truncate ON core_audithead",
    "DROP TRIGGER IF EXISTS core_audithead_forward_only ON core_audithead",
    "DROP TRIGGER IF EXISTS core_audithead_no_delete ON core_audithead",
    "DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry",
    "DROP FUNCTION IF EXISTS anjian_audit_head_forward()",
    "DROP FUNCTION IF EXISTS anjian_audit_refuse()",
]

SQLITE_CREATE = [
    f"""
    CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
    BEGIN SELECT RAISE(ABORT, '{REFUSED}: UPDATE on core_auditentry refused'); END
    """,
    f"""
    CREATE TRIGGER core_audithead_forward_only BEFORE UPDATE ON core_audithead
    WHEN NEW.id <> OLD.id OR NEW.last_seq < OLD.last_seq
         OR (NEW.last_seq = OLD.last_seq AND NEW.last_hash <> OLD.last_hash)
    BEGIN SELECT RAISE(ABORT, '{HEAD_BACKWARDS}'); END
    """,
]
SQLITE_CREATE_WIPE = [
    f"""
    CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
    BEGIN SELECT RAISE(ABORT, '{REFUSED}: DELETE on core_auditentry refused'); END
    """,
    f"""
    CREATE TRIGGER core_audithead_no_delete BEFORE DELETE ON core_audithead
    BEGIN SELECT RAISE(ABORT, '{REFUSED}: DELETE on core_audithead refused'); END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_audithead_no_delete",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete",
    "DROP TRIGGER IF EXISTS core_audithead_forward_only",
    "DROP TRIGGER IF EXISTS core_auditentry_no_update",
]


def statements(vendor: str, *, wipe: bool) -> list[str]:
    if vendor == "postgresql":
        return POSTGRES_CREATE + (POSTGRES_CREATE_WIPE if wipe else [])
    if vendor == "sqlite":
        return SQLITE_CREATE + (SQLITE_CREATE_WIPE if wipe else [])
    return []


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in statements(vendor, wipe=not settings.TESTING):
        schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": POSTGRES_DROP, "sqlite": SQLITE_DROP}.get(vendor, []):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_audit_mac"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]

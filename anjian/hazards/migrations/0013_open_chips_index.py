# The ledger's chips (open, overdue, major open, listed open: anjian.hazards.ledger
# ledger_counts) count the open hazards in the user's scope. On PostgreSQL a partial
# covering index of the open rows (a few per cent of a ledger) answers that count from
# the index alone (an index-only scan) instead of a bitmap heap scan that reads most pages
# of the table (19,000 pages at 2,000,000 hazards); review_department_id is there for the
# department officer's scope (SCOPE_DEPARTMENT_PATH). A second partial index holds the
# open hazards listed for supervision (a few thousand): the chip "N listed" and the home
# tile count them without a bitmap of every open hazard. INCLUDE is PostgreSQL's; SQLite
# keeps its indexes (hazard_ledger_counts covers the count there).

from django.db import migrations

INDEXES = {
    "hazard_open_chips": (
        "(enterprise_id) INCLUDE (state, level, deadline, listed_at, review_department_id) "
        "WHERE NOT (state = 'closed')"
    ),
    "hazard_open_listed": "(enterprise_id) WHERE listed_at IS NOT NULL AND NOT (state = 'closed')",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON hazards_hazard {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    # CONCURRENTLY: building the index on a live table does not block its writes; it
    # cannot run inside a transaction, hence a migration that is not atomic.
    atomic = False

    dependencies = [
        ("hazards", "0012_ordered_deadline"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]

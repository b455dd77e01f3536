# The figures "as of today" (anjian.reports.tally_services.tally_counts: the regulators'
# figures, the ledger's chips and the home tile) subtract the overdue counters of the days
# after today within this month. HazardDueDay holds a row per group and day for every
# deadline, past and future (1,000,000 rows at 2,000,000 hazards); with only the index on
# the day PostgreSQL read the whole table for those few thousand rows (a parallel
# sequential scan, ~100 ms). On PostgreSQL the day index covers what the sum reads
# (INCLUDE), so the window is an index-only range scan; SQLite keeps its indexes.

from django.db import migrations

INDEX = "hazard_due_day_window"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON reports_hazarddueday (day) "
        "INCLUDE (division, industry, lead, duties, due_in, due_out)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    # CONCURRENTLY: building the index on a live table does not block its writes; it
    # cannot run inside a transaction, hence a migration that is not atomic.
    atomic = False

    dependencies = [
        ("reports", "0003_hazard_now"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]

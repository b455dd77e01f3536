# Indexes of the hazard ledger query (anjian.hazards.ledger). Only Hazard indexes: other
# hazard models have their own migrations.
#
# On PostgreSQL also trigram (pg_trgm) GIN indexes for the ledger's text search, which
# matches part of the description or the location (Django's icontains compares
# UPPER(column) LIKE UPPER('%text%'), hence the expression). Without the extension (no
# privilege to create it) the search still works, by scanning; on SQLite it is a no-op.

from django.db import migrations, models, transaction

TRGM_INDEXES = (
    ("hazard_description_trgm", "UPPER(description)"),
    ("hazard_location_trgm", "UPPER(location::text)"),
)


def create_trigram_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:
            print("\n  pg_trgm not available: the ledger's text search will scan.")
            return
        for name, expression in TRGM_INDEXES:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON hazards_hazard "
                f"USING gin ({expression} gin_trgm_ops)"
            )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, _expression in TRGM_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0002_level_labels"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="hazard",
            name="hazards_haz_enterpr_80af96_idx",
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                fields=["enterprise", "state", "level", "deadline", "listed_at"],
                name="hazard_ledger_counts",
            ),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(fields=["-reported_at", "-id"], name="hazard_ledger_order"),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                fields=["enterprise", "-reported_at", "-id"], name="hazard_ledger_ent_order"
            ),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=models.Q(("state", "closed"), _negated=True),
                fields=["deadline"],
                name="hazard_open_deadline",
            ),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=models.Q(("listed_at__isnull", False)),
                fields=["enterprise", "-reported_at"],
                name="hazard_listed_order",
            ),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]

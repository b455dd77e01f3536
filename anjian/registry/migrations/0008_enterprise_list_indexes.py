# Indexes of the enterprise list and search on PostgreSQL (docs/performance.md, the
# enterprise lists). SQLite: a no-op, it keeps its plans.
#
# * enterprise_name_trgm: a trigram (pg_trgm) GIN index for the name search, which
#   matches part of the name (Django's icontains compares UPPER(name::text) LIKE
#   UPPER('%text%'), hence the expression). Trigrams need 3 characters: a 1-2 character
#   search extracts none and PostgreSQL keeps scanning, as before. The cluster's databases
#   are C.UTF-8, whose ctype classes CJK as letters (show_trgm('中建创新') gives 5 trigrams).
#   Without the extension (no privilege to create it) the search still works, by scanning.
# * enterprise_order_division: the list's id order with the division (the scope of every
#   regulator) included, so a deep page (OFFSET 50,000) skips rows in the index alone.

from django.db import migrations, transaction

INDEXES = (
    (
        "enterprise_name_trgm",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS enterprise_name_trgm ON registry_enterprise "
        "USING gin (UPPER(name::text) gin_trgm_ops)",
    ),
    (
        "enterprise_order_division",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS enterprise_order_division ON registry_enterprise "
        "(id DESC) INCLUDE (division_id)",
    ),
)


def create_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        trigrams = True
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:
            print("\n  pg_trgm not available: the enterprise name search will scan.")
            trigrams = False
        for name, sql in INDEXES:
            if name.endswith("_trgm") and not trigrams:
                continue
            cursor.execute(sql)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, _sql in INDEXES:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    # CONCURRENTLY: building the index on a live table does not block its writes; it
    # cannot run inside a transaction, hence a migration that is not atomic.
    atomic = False

    dependencies = [
        ("registry", "0007_enterprise_tally"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]

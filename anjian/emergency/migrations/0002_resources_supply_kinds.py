"""The catalogue of emergency supply kinds (data/supply_kinds.json; its source and what is
unverified are stated in the file). Idempotent: anjian.emergency.resource_services.
ensure_supply_kinds does the same at any time."""

from django.db import migrations


def load(apps, schema_editor):
    from anjian.emergency.resource_services import ensure_supply_kinds

    ensure_supply_kinds(apps.get_model("emergency", "SupplyKind"))


class Migration(migrations.Migration):
    dependencies = [
        ("emergency", "0001_initial"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

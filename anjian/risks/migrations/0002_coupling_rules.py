import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "hazard_factors.json"


def forwards(apps, schema_editor):
    CouplingRule = apps.get_model("risks", "CouplingRule")
    for row in json.loads(DATA.read_text(encoding="utf-8"))["coupling_rules"]:
        CouplingRule.objects.update_or_create(
            name=row["name"],
            defaults={"factors": row["factors"], "raise_levels": row["raise_levels"],
                      "basis": row["basis"]},
        )


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

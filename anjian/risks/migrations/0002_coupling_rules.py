from django.db import migrations


def forwards(apps, schema_editor):
    from anjian.risks.reference import load_coupling_rules

    load_coupling_rules(apps.get_model("risks", "CouplingRule"))


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

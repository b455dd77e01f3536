from django.db import migrations


def forwards(apps, schema_editor):
    from anjian.registry.reference import load_reference

    load_reference(apps.get_model("registry", "Industry"), apps.get_model("registry", "DutyRule"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

from django.db import migrations


def forwards(apps, schema_editor):
    from anjian.checks.library import sync

    sync(
        apps.get_model("checks", "Checklist"),
        apps.get_model("checks", "ChecklistItem"),
        apps.get_model("registry", "Industry"),
    )


class Migration(migrations.Migration):
    dependencies = [("checks", "0003_checklists"), ("registry", "0006_labels")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

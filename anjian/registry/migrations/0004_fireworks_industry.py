"""Adds the 烟花爆竹 industry (HR-FIREWORKS) to databases loaded before it was in
industries.json. Idempotent: an existing row keeps its id and is only brought up to date."""

from django.db import migrations

CODE = "HR-FIREWORKS"
NAME = "烟花爆竹"


def forwards(apps, schema_editor):
    from anjian.registry.reference import read

    industry = apps.get_model("registry", "Industry")
    order = [row["code"] for row in read("industries.json")["industries"]]
    if CODE in order:
        sort = order.index(CODE)
    else:  # pragma: no cover - the row left the data file later
        sort = (industry.objects.order_by("-sort").values_list("sort", flat=True).first() or 0) + 1
    industry.objects.update_or_create(
        code=CODE, defaults={"name": NAME, "category": "high_risk", "sort": sort}
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_duty_order")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

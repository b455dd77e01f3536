import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("hazards", "0008_regulations_data")]

    operations = [
        migrations.AlterField(
            model_name="hazard",
            name="uuid",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="record ID"
            ),
        ),
    ]

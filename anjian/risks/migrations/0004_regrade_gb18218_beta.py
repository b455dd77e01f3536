"""GB 18218-2018 β for named substances: every 表1 substance not in 表3 now takes β from
表4 by its hazard category (液化石油气, 氢, 甲烷 … W2 → 1.5) instead of 1.

Schema: the hazard category and the source of β on each stored substance, and the
append-only history of gradings (InstallationGrading). Data: every stored installation
is re-graded with the new β by `anjian.risks.regrade.regrade_installations` (tested in
tests/risks/test_regrade.py) and gets one history row with its previous and new R and
grade. The enterprises' safety codes are NOT recomputed here (that needs the real models
and the audit chain): the daily job (`anjian manage safety_codes`) picks the new grades
up; run it right after migrating to refresh them at once (docs/gb18218.md).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def forwards(apps, schema_editor):
    from anjian.risks.regrade import regrade_installations

    regrade_installations(
        installation_model=apps.get_model("risks", "MajorHazardInstallation"),
        substance_model=apps.get_model("risks", "HazardousSubstance"),
        grading_model=apps.get_model("risks", "InstallationGrading"),
        audit_model=apps.get_model("core", "AuditEntry"),
        now=django.utils.timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0003_safety_code_reason"),
        ("core", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="hazardoussubstance",
            name="beta_source",
            field=models.CharField(blank=True, max_length=128, verbose_name="source of β"),
        ),
        migrations.AddField(
            model_name="hazardoussubstance",
            name="category",
            field=models.CharField(blank=True, max_length=16, verbose_name="hazard category"),
        ),
        migrations.CreateModel(
            name="InstallationGrading",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("trigger", models.CharField(max_length=64, verbose_name="trigger")),
                ("total", models.CharField(max_length=64, verbose_name="Σq/Q")),
                (
                    "is_major",
                    models.BooleanField(verbose_name="is a major hazard installation"),
                ),
                ("alpha", models.CharField(max_length=16, verbose_name="α")),
                ("r_value", models.CharField(blank=True, max_length=64, verbose_name="R")),
                (
                    "grade",
                    models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="grade"),
                ),
                (
                    "previous_r_value",
                    models.CharField(blank=True, max_length=64, verbose_name="previous R"),
                ),
                (
                    "previous_grade",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="previous grade"
                    ),
                ),
                ("profile", models.CharField(max_length=64, verbose_name="profile")),
                (
                    "profile_version",
                    models.CharField(blank=True, max_length=16, verbose_name="profile version"),
                ),
                ("lines", models.JSONField(default=list, verbose_name="substances")),
                ("note", models.CharField(blank=True, max_length=255, verbose_name="note")),
                (
                    "recorded_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="recorded at"
                    ),
                ),
                (
                    "installation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="gradings",
                        to="risks.majorhazardinstallation",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "installation grading",
                "verbose_name_plural": "installation gradings",
                "ordering": ["-recorded_at", "-id"],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]

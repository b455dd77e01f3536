"""Issue 9: the audit chain is sealed with an HMAC under the audit key (kept outside the
database) instead of a bare SHA-256 that anyone with write access could recompute.

Existing rows (scheme 1) are verified as they are, then re-sealed with the key (scheme 2)
in seq order, and the head follows; once committed, the sealed head is written as the
first signed checkpoint (settings.ANJIAN_AUDIT_CHECKPOINT_FILE). A chain that is already
broken stops the migration unless ANJIAN_AUDIT_RESEAL_BROKEN=1 (anjian.core.audit).
A fresh database has no rows: nothing to seal, no checkpoint.
"""

from django.db import migrations, models


def reseal(apps, schema_editor):
    from anjian.core.audit import audit_reseal_legacy

    audit_reseal_legacy(
        entry_model=apps.get_model("core", "AuditEntry"),
        head_model=apps.get_model("core", "AuditHead"),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_notifications"),
    ]

    operations = [
        # Rows written so far carry scheme 1 until they are re-sealed just below.
        migrations.AddField(
            model_name="auditentry",
            name="mac_version",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        # Not reversible: going back would need the unkeyed scheme the issue removes.
        migrations.RunPython(reseal),
        migrations.AlterField(
            model_name="auditentry",
            name="mac_version",
            field=models.PositiveSmallIntegerField(default=2),
        ),
    ]

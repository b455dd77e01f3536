"""Existing hazards under the rules of migration 0007 (docs/hazard-rules.md):

* a stable UUID per record (t_yhzlxx DANGER_ID), the register time and person from the
  report, a name from the description's first line;
* "confirmed" and "listed" are no longer states (an expert's opinion and the listing are
  parallel steps now): such hazards go back to "reported", keeping confirmed_at and the
  listing columns; the change is written as an event of each hazard;
* the review authority: the listing body for a listed hazard; the reporter's department
  (or division) for a hazard a regulator reported; none (the enterprise accepts) else.
"""

import uuid

from django.db import migrations
from django.utils import timezone

REGULATOR_ROLES = {"coordinator", "department_officer", "grid_officer", "expert"}


def forwards(apps, schema_editor):
    Hazard = apps.get_model("hazards", "Hazard")
    HazardEvent = apps.get_model("hazards", "HazardEvent")
    DutyAssignment = apps.get_model("registry", "DutyAssignment")
    now = timezone.now()
    rows = Hazard.objects.select_related("reported_by", "reported_by__department").order_by("pk")
    for hazard in rows.iterator(chunk_size=2000):
        hazard.uuid = uuid.uuid4()
        hazard.registered_at = hazard.reported_at
        hazard.registered_by_id = hazard.reported_by_id
        if not hazard.name:
            hazard.name = (hazard.description.splitlines() or [""])[0][:40]
        if hazard.listed_at is not None:
            hazard.review_department_id = hazard.listing_department_id
            hazard.review_division_id = (
                None if hazard.listing_department_id else hazard.listing_division_id
            )
            hazard.review_basis = "listed"
        elif hazard.reported_by_id and hazard.reported_by.role in REGULATOR_ROLES:
            user = hazard.reported_by
            if user.role == "department_officer" and user.department_id:
                hazard.review_department_id = user.department_id
                hazard.review_division_id = user.department.division_id
            elif user.role in ("coordinator", "grid_officer"):
                hazard.review_division_id = user.division_id
            else:
                lead = (
                    DutyAssignment.objects.filter(enterprise_id=hazard.enterprise_id, role="lead")
                    .select_related("department")
                    .order_by("pk")
                    .first()
                )
                if lead is not None:
                    hazard.review_department_id = lead.department_id
                    hazard.review_division_id = lead.department.division_id
            hazard.review_basis = "found" if (hazard.review_department_id or hazard.review_division_id) else ""
        old_state = hazard.state
        if old_state in ("confirmed", "listed"):
            hazard.state = "reported"
            HazardEvent.objects.create(
                hazard=hazard,
                action="migrate_state",
                from_state=old_state,
                to_state="reported",
                actor=None,
                actor_label="migration 0008",
                actor_role="",
                via="system",
                at=now,
                note="",
                data={"reason": "confirmation and listing are parallel steps (16号令 第二十条)"},
            )
        hazard.save()


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0007_regulations_workflow"),
        ("registry", "0003_duty_order"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

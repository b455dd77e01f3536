"""The responsibility-list reminder job (issue 15 item 7): run it daily from cron as
`anjian manage duty_remind`.

For every enterprise that keeps a list (at least one post in use):
* the last ended quarter's report by the principal is overdue (duty_rules: 15 days after
  the quarter, a local default): the principal is told;
* workers lack this year's letter or hold a post not in the list: the principal and
  safety officers are told, once per quarter.

Idempotent: each reminder leaves an audit entry (object "people.dutyreminder", id
"<enterprise>:<kind>:<period>") that a second run finds, looked for under the
enterprise's row lock so that two runs at once tell it once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import Role, User
from anjian.core.audit import Actor, audit_append
from anjian.core.models import AuditEntry, NotificationKind
from anjian.core.notify import notify
from anjian.registry.models import Enterprise

from . import duty_rules as dr
from .models import DutyReport, ResponsibilityLetter, ResponsibilityPost, Worker

OBJECT_TYPE = "people.dutyreminder"
REPORT_OVERDUE = "report_overdue"
SIGNATURES = "signatures"


def _told(key: str) -> bool:
    return AuditEntry.objects.filter(object_type=OBJECT_TYPE, object_id=key).exists()


def _missing(enterprise_id: int, year: int) -> int:
    posts = dict(
        ResponsibilityPost.objects.filter(enterprise_id=enterprise_id, active=True).values_list(
            "post", "duties"
        )
    )
    workers = [
        dr.WorkerLine(pk, post)
        for pk, post in Worker.objects.filter(enterprise_id=enterprise_id, active=True).values_list(
            "pk", "post"
        )
    ]
    signed = ResponsibilityLetter.objects.filter(
        post__enterprise_id=enterprise_id, year=year
    ).values_list("worker_id", "post__post")
    return dr.check(posts=posts, workers=workers, signed=signed).missing


def _remind(actor: Actor, enterprise_id: int, kind: str, today: dt.date) -> bool:
    ry, rq = dr.last_ended_quarter(today)
    ty, tq = dr.quarter_of(today)
    period = f"{ry}Q{rq}" if kind == REPORT_OVERDUE else f"{ty}Q{tq}"
    key = f"{enterprise_id}:{kind}:{period}"
    with transaction.atomic():
        ent = Enterprise.objects.select_for_update().get(pk=enterprise_id)
        if _told(key):
            return False
        link = reverse("people:duty")
        if kind == REPORT_OVERDUE:
            submitted = DutyReport.objects.filter(
                enterprise_id=enterprise_id, year=ry, quarter=rq
            ).exists()
            if dr.report_status(ry, rq, submitted=submitted, today=today) != dr.OVERDUE:
                return False
            roles = (Role.ENTERPRISE_PRINCIPAL,)
            count = 0
            title = _("Quarterly duty report overdue: %(year)s Q%(q)s") % {"year": ry, "q": rq}
            body = _("It was due by %(due)s.") % {"due": dr.report_due(ry, rq)}
        else:
            count = _missing(enterprise_id, ty)
            if not count:
                return False
            roles = (Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_SAFETY_OFFICER)
            title = _("Responsibility letters missing: %(n)d workers") % {"n": count}
            body = _("Workers without this year's letter, or in a post not in the list.")
        notify(
            recipients=User.objects.filter(enterprise_id=enterprise_id, role__in=roles),
            kind=NotificationKind.DEADLINE,
            title=title,
            body=body,
            link=link,
            object_label=ent.name,
        )
        audit_append(
            actor=actor,
            action="duty_remind",
            object_type=OBJECT_TYPE,
            object_id=key,
            summary=f"{ent.pk} {kind} {period}",
            changes={"kind": kind, "period": period, "missing": count},
        )
    return True


def duty_remind_run(today: dt.date | None = None) -> dict[str, Any]:
    """The whole job; idempotent. Returns how many reminders of each kind went out."""
    today = today or timezone.localdate()
    actor = Actor.system("job", "duty_remind")
    ids = list(
        ResponsibilityPost.objects.filter(active=True)
        .order_by("enterprise_id")
        .values_list("enterprise_id", flat=True)
        .distinct()
    )
    result: dict[str, Any] = {"today": str(today)}
    for kind in (REPORT_OVERDUE, SIGNATURES):
        result[kind] = sum(_remind(actor, pk, kind, today) for pk in ids)
    return result

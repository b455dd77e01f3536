"""The demo's monthly dispatch (月调度): the county office opens last month and this month;
for last month the demo township's office and the two demo departments submit their
forms when the demo is built (late, when that is after last month's due day), so the
overview, the county table and its Excel show real rows;
this month stays open for the user to fill in (xiangzhen, yingji, zhujian)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from anjian.core.audit import Actor
from anjian.dispatch import services
from anjian.dispatch.models import DispatchForm


def build_demo_dispatch(*, users: dict) -> None:
    coordinator = users.get("anweiban")
    if coordinator is None:
        return
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    office = Actor.for_user(coordinator, "demo")
    for month in (last_month, this_month):
        services.dispatch_open_month(actor=office, month=month.isoformat()[:7])
    figures = {
        "xiangzhen": (3, 1, 18, Decimal("126000.00"), 4, 160, 2),
        "yingji": (5, 2, 46, Decimal("0.00"), 6, 310, 3),
        "zhujian": (2, 1, 12, Decimal("0.00"), 2, 85, 1),
    }
    for username, values in figures.items():
        user = users.get(username)
        if user is None:
            continue
        form = (
            DispatchForm.objects.filter(month=last_month).filter(
                division_id=user.division_id, department__isnull=True
            )
            if user.department_id is None
            else DispatchForm.objects.filter(month=last_month, department_id=user.department_id)
        ).first()
        if form is None:
            continue
        meetings, campaigns, covered, investment, sessions, trained, publicity = values
        services.dispatch_submit(
            actor=Actor.for_user(user, "demo"),
            form_id=form.pk,
            version=form.version,
            data={
                "meetings": meetings,
                "campaigns": campaigns,
                "campaign_enterprises": covered,
                "investment": str(investment),
                "trainings": sessions,
                "trained_persons": trained,
                "publicity_events": publicity,
                "notes": "",
            },
        )

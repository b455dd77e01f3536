"""The emergency overview's figures: a handful of counts over what the user sees
(anjian.core.scoping.visible), one query each."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from anjian.core import scoping

from .models import (
    Drill,
    DrillState,
    Expert,
    Incident,
    IncidentState,
    Plan,
    PlanState,
    RescueTeam,
    Shelter,
    Supply,
    SupplyState,
    Warehouse,
)

CURRENT_PLAN_STATES = (
    PlanState.ISSUED,
    PlanState.SUBMITTED,
    PlanState.RETURNED,
    PlanState.FILED,
)


def overview_figures(user: Any, *, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    plans = scoping.visible(user, Plan).aggregate(
        current=Count("pk", filter=Q(state__in=CURRENT_PLAN_STATES)),
        filed=Count("pk", filter=Q(state=PlanState.FILED)),
        awaiting=Count("pk", filter=Q(state=PlanState.SUBMITTED)),
        filing_overdue=Count(
            "pk", filter=Q(state__in=(PlanState.ISSUED, PlanState.RETURNED), filing_due__lt=today)
        ),
        evaluation_overdue=Count(
            "pk", filter=Q(state__in=CURRENT_PLAN_STATES, evaluation_due__lt=today)
        ),
    )
    year_start = timezone.make_aware(dt.datetime(today.year, 1, 1))
    drills = scoping.visible(user, Drill).aggregate(
        this_year=Count(
            "pk",
            filter=Q(state__in=(DrillState.DONE, DrillState.EVALUATED), ended_at__gte=year_start),
        ),
        ordered=Count("pk", filter=Q(state=DrillState.ORDERED)),
    )
    supplies = scoping.visible(user, Supply).aggregate(
        records=Count("pk"),
        expired=Count("pk", filter=Q(expires_on__lt=today) & ~Q(state=SupplyState.SCRAPPED)),
        short=Count("pk", filter=Q(quantity__lt=F("minimum")) & ~Q(state=SupplyState.SCRAPPED)),
    )
    return {
        "plans": plans["current"],
        "plans_filed": plans["filed"],
        "plans_awaiting": plans["awaiting"],
        "plans_filing_overdue": plans["filing_overdue"],
        "plans_evaluation_overdue": plans["evaluation_overdue"],
        "drills_this_year": drills["this_year"],
        "drills_ordered": drills["ordered"],
        "teams": scoping.visible(user, RescueTeam).filter(active=True).count(),
        "warehouses": scoping.visible(user, Warehouse).filter(active=True).count(),
        "supplies": supplies["records"],
        "supplies_expired": supplies["expired"],
        "supplies_short": supplies["short"],
        "experts": scoping.visible(user, Expert).filter(active=True).count(),
        "shelters": scoping.visible(user, Shelter).filter(active=True).count(),
        "incidents_active": scoping.visible(user, Incident)
        .filter(state=IncidentState.ACTIVE)
        .count(),
    }

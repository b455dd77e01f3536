"""Home tile of inspections: an inspector's own planned and in-progress inspections, with
links to the list (the on-site page is one step from there). Shown only when there is
one: a day without inspections adds nothing to the home page."""

from __future__ import annotations

from django.db.models import Count

from anjian.accounts.models import Role
from anjian.core import scoping, tiles

from . import workflow as wf
from .models import Inspection


@tiles.register("inspections.mine", order=32, template="inspections/home/mine.html")
def my_inspections(user) -> dict | None:
    if not (scoping.is_active_user(user) and user.role == Role.DEPARTMENT_OFFICER):
        return None
    counts = dict(
        Inspection.objects.filter(inspectors=user, state__in=(wf.PLANNED, wf.IN_PROGRESS))
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    if not counts:
        return None
    return {"planned": counts.get(wf.PLANNED, 0), "in_progress": counts.get(wf.IN_PROGRESS, 0)}

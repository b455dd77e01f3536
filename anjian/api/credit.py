"""The credit file and the list of untrustworthy subjects over HTTP.

The credit file of an enterprise follows the enterprise's scope (404 outside it). The
list is a deliberate exception to duty scoping: every regulator role and the platform
administrator read every entry (joint punishment across departments, 安全生产法 第七十八条);
enterprise staff read only their own enterprise's entries; other callers get 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from anjian.core.errors import Forbidden
from anjian.credit import services
from anjian.credit.models import CreditListEntry
from anjian.credit.views import may_read_list

from .common import caller, page
from .schemas import MAX_PAGE_SIZE, ErrorOut, Offset, ValidationErrorOut

router = Router(tags=["credit"])


class CreditFiguresOut(Schema):
    with_deadline: int
    on_time: int
    on_time_rate: float | None
    overdue: int
    major_overdue_days: int
    relapses: int
    rejections: int
    open_major: int


class EntryOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    uscc: str
    division: str
    rule_id: str
    rule_text: str
    fired: list[str]
    figures: dict[str, Any]
    listed_on: dt.date
    removed_on: dt.date | None
    removal_reason: str


class EntryPage(Schema):
    count: int
    items: list[EntryOut]


class ListQuery(Schema):
    show: Literal["current", "all"] = "current"
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


class CreditRuleOut(Schema):
    id: str
    text: str


class EventRef(Schema):
    hazard_id: int
    hazard_number: str
    action: str
    at: dt.datetime
    note: str


class RelapseRef(Schema):
    recheck_id: int
    hazard_id: int
    hazard_number: str
    relapse_hazard_id: int | None
    relapse_hazard_number: str | None
    done_at: dt.datetime | None


class CreditFileOut(Schema):
    enterprise_id: int
    enterprise_name: str
    period_start: dt.date
    today: dt.date
    figures: CreditFiguresOut
    firing: list[CreditRuleOut]
    on_list: bool
    entries: list[EntryOut]
    rejections: list[EventRef]
    relapses: list[RelapseRef]


def _entry(e: CreditListEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "enterprise_id": e.enterprise_id,
        "enterprise_name": e.enterprise.name,
        "uscc": e.enterprise.uscc,
        "division": e.enterprise.division.name,
        "rule_id": e.rule_id,
        "rule_text": e.rule_text,
        "fired": list(e.fired or []),
        "figures": e.figures,
        "listed_on": e.listed_on,
        "removed_on": e.removed_on,
        "removal_reason": e.removal_reason,
    }


@router.get(
    "/credit/list",
    response={200: EntryPage, 403: ErrorOut, 422: ValidationErrorOut},
    summary="The list of untrustworthy subjects (every regulator; enterprise staff: their own)",
)
def credit_list(request: HttpRequest, q: Query[ListQuery]) -> dict[str, Any]:
    user = caller(request)
    if not may_read_list(user):
        raise Forbidden(_("You may not do this."))
    qs = services.visible_entries(user).select_related("enterprise", "enterprise__division")
    if q.show == "current":
        qs = qs.filter(removed_on__isnull=True)
    result = page(qs.order_by("-listed_on", "-id"), q.limit, q.offset)
    return {"count": result["count"], "items": [_entry(e) for e in result["items"]]}


@router.get(
    "/enterprises/{enterprise_id}/credit",
    response={200: CreditFileOut, 404: ErrorOut},
    summary="An enterprise's credit file: figures now, list history, relapses, rejections",
)
def credit_file(request: HttpRequest, enterprise_id: int) -> dict[str, Any]:
    file = services.credit_file(user=caller(request), enterprise_id=enterprise_id)
    for e in file.entries:
        e.enterprise = file.enterprise
    return {
        "enterprise_id": file.enterprise.pk,
        "enterprise_name": file.enterprise.name,
        "period_start": file.period_start,
        "today": file.today,
        "figures": file.figures.as_dict(),
        "firing": [{"id": r.id, "text": r.text} for r in file.fired],
        "on_list": any(e.removed_on is None for e in file.entries),
        "entries": [_entry(e) for e in file.entries],
        "rejections": [
            {
                "hazard_id": ev.hazard_id,
                "hazard_number": ev.hazard.number,
                "action": ev.action,
                "at": ev.at,
                "note": ev.note,
            }
            for ev in file.rejections
        ],
        "relapses": [
            {
                "recheck_id": r.pk,
                "hazard_id": r.hazard_id,
                "hazard_number": r.hazard.number,
                "relapse_hazard_id": r.relapse_hazard_id,
                "relapse_hazard_number": r.relapse_hazard.number if r.relapse_hazard_id else None,
                "done_at": r.done_at,
            }
            for r in file.relapses
        ],
    }

"""Periodic reports over HTTP: the regulators' hazard figures (grouped by division,
industry or lead department), the enterprise's hazard statistics tables (prepare, read,
sign) and which enterprises have submitted them.

Reads start from `scoping.visible`; writes go through anjian.reports.services. An id
outside the caller's scope answers 404 exactly like an unknown one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from anjian.core.errors import Forbidden, NotFound, ValidationFailed
from anjian.core.scoping import visible
from anjian.core.sections import REGISTRY_ROLES
from anjian.reports import periods, queries, services
from anjian.reports.models import HazardStatement

from .common import actor, caller, page
from .schemas import MAX_PAGE_SIZE, EnterpriseRef, ErrorOut, Id, Offset, ValidationErrorOut

router = Router(tags=["reports"])

PERIOD_DOC = 'A quarter ("2026Q1") or a year ("2026").'


def _period(value: str) -> periods.Period:
    try:
        return periods.parse(value)
    except periods.PeriodError:
        raise ValidationFailed(
            {"period": [_("Enter a quarter such as 2026Q1 or a year such as 2026.")]}
        ) from None


def _regulator(request: HttpRequest) -> Any:
    user = caller(request)
    if user.role not in REGISTRY_ROLES:
        raise Forbidden(_("Your role does not use this page."))
    return user


# --- figures ------------------------------------------------------------------------------


class FigureValues(Schema):
    found: int = Field(description="Hazards reported in the period.")
    found_fixed: int = Field(description="Of those, closed by the as-of day.")
    fixed: int = Field(description="Hazards closed (accepted) in the period.")
    on_time: int = Field(description="Of those, closed on or before the deadline.")
    overdue_open: int
    major_found: int
    major_fixed: int
    major_open: int
    funds: str = Field(description="Rectification funds of the hazards fixed, yuan.")
    rectification_rate: str | None = Field(
        description="found_fixed / found in percent, one decimal rounded half up; null for 0/0."
    )
    on_time_rate: str | None = Field(description="on_time / fixed in percent; null for 0/0.")
    major_cleared: bool = Field(description="清零: no major hazard open at the as-of day.")


class FigureGroup(FigureValues):
    key: int | None = Field(description="Division, industry or department id; null: none.")
    label: str


class Within(Schema):
    id: int
    name: str


class FiguresOut(Schema):
    period: str
    group_by: str
    as_of: dt.date
    within: Within | None
    groups: list[FigureGroup]
    total: FigureValues


class FigureFilters(Schema):
    period: str = Field(..., max_length=16, description=PERIOD_DOC)
    group_by: Literal["division", "industry", "department"] = "division"
    within: Id | None = Field(
        None, description="Group by the children of this division (in your scope)."
    )


@router.get(
    "/reports/hazard-figures",
    response={200: FiguresOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Hazard figures of your jurisdiction for a quarter or a year, grouped",
)
def hazard_figures(request: HttpRequest, filters: Query[FigureFilters]) -> dict[str, Any]:
    user = _regulator(request)
    figures = queries.regulator_figures(
        user, _period(filters.period), filters.group_by, within=filters.within
    )
    return figures.as_dict()


# --- statements ---------------------------------------------------------------------------


class UserRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj)


class StatementOut(Schema):
    id: int
    enterprise: EnterpriseRef
    period: str
    period_kind: str
    version: int
    revision: int = Field(description="Send it back when signing: the revision you read.")
    corrects: int | None = Field(description="The signed version this one corrects.")
    correction_reason: str
    due_on: dt.date
    figures: dict[str, Any]
    analysis: str
    prepared_by: UserRef
    prepared_at: dt.datetime
    signed_by: UserRef | None
    signed_at: dt.datetime | None
    submitted_at: dt.datetime | None
    late: bool = Field(description="Submitted after the due date (逾期报送).")

    @staticmethod
    def resolve_period(obj: HazardStatement) -> str:
        return obj.period.key

    @staticmethod
    def resolve_corrects(obj: HazardStatement) -> int | None:
        return obj.corrects_id

    @staticmethod
    def resolve_late(obj: HazardStatement) -> bool:
        return obj.is_late


class StatementPage(Schema):
    count: int
    items: list[StatementOut]


class StatementFilters(Schema):
    period: str | None = Field(None, max_length=16, description=PERIOD_DOC)
    enterprise: Id | None = None
    signed: bool | None = None
    limit: int = Field(25, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


def _statements(request: HttpRequest):
    return visible(caller(request), HazardStatement).select_related(
        "enterprise", "prepared_by", "signed_by"
    )


@router.get(
    "/reports/hazard-statements",
    response={200: StatementPage, 422: ValidationErrorOut},
    summary="Hazard statistics tables in your scope (all versions)",
)
def hazard_statement_list(request: HttpRequest, filters: Query[StatementFilters]) -> dict[str, Any]:
    qs = _statements(request)
    if filters.period:
        p = _period(filters.period)
        qs = qs.filter(year=p.year, quarter=p.quarter)
    if filters.enterprise is not None:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.signed is not None:
        qs = qs.filter(signed_at__isnull=not filters.signed)
    return page(qs, filters.limit, filters.offset)


@router.get(
    "/reports/hazard-statements/{statement_id}",
    response={200: StatementOut, 404: ErrorOut},
    summary="One hazard statistics table",
)
def hazard_statement_detail(request: HttpRequest, statement_id: int) -> HazardStatement:
    statement = _statements(request).filter(pk=statement_id).first()
    if statement is None:
        raise NotFound(_("No such statistics table."))
    return statement


class StatementIn(Schema):
    period: str = Field(..., max_length=16, description=PERIOD_DOC)
    analysis: str = Field("", max_length=5000)
    reason: str = Field(
        "", max_length=1000, description="Required when the period's table is already signed."
    )


@router.post(
    "/enterprises/{enterprise_id}/hazard-statements",
    response={
        201: StatementOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Prepare (or prepare again, or correct) the enterprise's statistics table",
)
def hazard_statement_prepare(
    request: HttpRequest, enterprise_id: int, payload: StatementIn, response: HttpResponse
) -> Status:
    statement = services.hazard_statement_prepare(
        actor=actor(request),
        enterprise_id=enterprise_id,
        period=payload.period,
        analysis=payload.analysis,
        reason=payload.reason,
    )
    response["Location"] = reverse(
        "api-v1:hazard_statement_detail", kwargs={"statement_id": statement.pk}
    )
    return Status(201, _statements(request).get(pk=statement.pk))


class SignIn(Schema):
    revision: int | None = Field(None, ge=1, le=2**31 - 1)


@router.post(
    "/reports/hazard-statements/{statement_id}/sign",
    response={
        200: StatementOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="The principal signs (and so submits) the statistics table",
)
def hazard_statement_sign(
    request: HttpRequest, statement_id: int, payload: SignIn
) -> HazardStatement:
    services.hazard_statement_sign(
        actor=actor(request), statement_id=statement_id, revision=payload.revision
    )
    return _statements(request).get(pk=statement_id)


class DueItem(Schema):
    enterprise: EnterpriseRef
    status: str = Field(description="submitted | late | missing | pending")
    submitted_at: dt.datetime | None
    statement_id: int | None = Field(description="The latest signed version.")
    has_draft: bool


class DueOut(Schema):
    period: str
    due_on: dt.date
    summary: dict[str, int]
    count: int
    items: list[DueItem]


class DueFilters(Schema):
    period: str = Field(..., max_length=16, description=PERIOD_DOC)
    status: Literal["submitted", "late", "missing", "pending"] | None = None
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


@router.get(
    "/reports/hazard-statements-due",
    response={200: DueOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Which enterprises in your scope submitted the period's table, late or not at all",
)
def hazard_statements_due(request: HttpRequest, filters: Query[DueFilters]) -> dict[str, Any]:
    user = _regulator(request)
    period = _period(filters.period)
    today = timezone.localdate()
    qs = queries.statements_due(user, period, filters.status or "", today)
    chunk = page(qs, filters.limit, filters.offset)
    return {
        "period": period.key,
        "due_on": period.due,
        "summary": queries.statements_summary(user, period, today),
        "count": chunk["count"],
        "items": [
            {
                "enterprise": e,
                "status": queries.statement_status(e.first_submitted_at, period, today),
                "submitted_at": e.first_submitted_at,
                "statement_id": e.latest_statement_id,
                "has_draft": e.has_draft,
            }
            for e in chunk["items"]
        ],
    }

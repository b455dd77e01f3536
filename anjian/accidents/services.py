"""Writes of accidents (issue 13 item 1): the quick report (`accident_report`), follow-up
reports as new versions (`accident_followup`), the investigation (`accident_investigate`,
`investigation_extend`, `investigation_close` with the 四不放过 close-out), persons held
accountable (`accident_accountable_add`), a report made by mistake (`accident_withdraw`)
and concealment (`accident_mark_concealed`). The table of steps is workflow.py; the
grade and the deadlines are anjian.accidents.grading's (国务院令第493号).

Each step, in one transaction: the accident must be in the actor's scope (else NotFound),
it is locked, a stale version or a wrong state is a Conflict, a wrong party Forbidden;
then the change, an event row (never edited) and an audit entry.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from anjian.accounts.models import ENTERPRISE_ROLES, REGULATOR_ROLES, Role
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.inputs import clean_text
from anjian.core.numbers import is_decimal_text, is_int_text
from anjian.registry.models import Division, Enterprise, Industry

from . import grading, tally_services
from . import workflow as wf
from .models import (
    CHECKLIST,
    Accident,
    AccidentEvent,
    AccidentReport,
    AccountablePerson,
    Investigation,
    ReportKind,
)

TEXT_LIMIT = 4000
MAX_PERSONS = 100_000
MAX_LOSS = Decimal("1e12")
# A device clock a little ahead of the server's is not an error.
CLOCK_SLACK = dt.timedelta(minutes=5)
# Who answers for an accident where it happened: the government's coordinator (安委办) and
# the departments (493号令 第九条, 第十九条).
AUTHORITY_ROLES = frozenset({Role.COORDINATOR, Role.DEPARTMENT_OFFICER})
FIGURE_FIELDS = ("deaths", "serious_injuries", "minor_injuries", "missing")
TEXT_FIELDS = ("unit_overview", "course", "measures", "other")


# --- labels ------------------------------------------------------------------------------


def action_labels() -> dict[str, str]:
    return {
        wf.REPORT: _("quick report"),
        wf.FOLLOWUP: _("follow-up report"),
        wf.INVESTIGATE: _("open the investigation"),
        wf.EXTEND: _("extend the investigation"),
        wf.ACCOUNTABLE: _("add a person held accountable"),
        wf.CLOSE: _("close the investigation"),
        wf.WITHDRAW: _("withdraw the report"),
        wf.CONCEAL: _("flag as concealed"),
    }


def criterion_labels() -> dict[str, str]:
    return {
        "deaths": _("deaths"),
        "serious_injuries": _("serious injuries"),
        "direct_loss": _("direct economic loss"),
    }


def level_labels() -> dict[str, str]:
    return {
        "county": _("county government"),
        "city": _("city government (districted city)"),
        "province": _("provincial government"),
        "state_council": _("State Council"),
    }


def checklist_labels() -> dict[str, str]:
    """四不放过: the four boxes of the close-out."""
    return {
        "causes_found": _("The causes are found"),
        "responsible_dealt_with": _("Those responsible are dealt with"),
        "measures_taken": _("Corrective measures are taken"),
        "people_educated": _("The people concerned are educated"),
    }


# --- reading -----------------------------------------------------------------------------


def visible_accidents(user: Any) -> QuerySet[Accident]:
    return scoping.visible(user, Accident)


def is_authority(user: Any) -> bool:
    return bool(scoping.is_active_user(user) and user.role in AUTHORITY_ROLES and user.division_id)


def may_report(user: Any) -> bool:
    if not scoping.is_active_user(user):
        return False
    if user.role in ENTERPRISE_ROLES:
        return bool(user.enterprise_id)
    return user.role in REGULATOR_ROLES and bool(user.division_id)


def parties(user: Any, accident: Accident) -> frozenset[str]:
    """Who `user` is for this accident (workflow.REPORTER, UNIT, AUTHORITY)."""
    if not scoping.is_active_user(user):
        return frozenset()
    out = set()
    if accident.reported_by_id == user.pk:
        out.add(wf.REPORTER)
    if (
        user.role in ENTERPRISE_ROLES
        and accident.enterprise_id
        and (user.enterprise_id == accident.enterprise_id)
    ):
        out.add(wf.UNIT)
    if is_authority(user) and accident.division_id in scoping.subtree_ids(user.division):
        out.add(wf.AUTHORITY)
    return frozenset(out)


def facts(accident: Accident, investigation: Investigation | None = None) -> wf.Facts:
    inv = investigation
    if inv is None:
        inv = Investigation.objects.filter(accident=accident).first()
    return wf.Facts(
        extended=bool(inv and inv.extended),
        concealed=accident.concealed,
        checklist_done=bool(inv and all(getattr(inv, box) for box in CHECKLIST)),
    )


def available(user: Any, accident: Accident, investigation: Investigation | None = None):
    return wf.available(accident.state, facts(accident, investigation), parties(user, accident))


@dataclass(frozen=True)
class Deadlines:
    quick_report_due: dt.datetime
    quick_report_late: bool
    followup_window_days: int
    followup_ends: dt.date  # last day, inclusive
    followup_open: bool
    investigation_due: dt.date | None
    investigation_overdue: bool


def deadlines(accident: Accident, investigation: Investigation | None = None) -> Deadlines:
    """The accident's deadlines (493号令 第九条, 第十三条, 第二十九条) as of today."""
    today = timezone.localdate()
    occurred = timezone.localtime(accident.occurred_at)
    ends = grading.followup_window_ends(occurred, road_or_fire=accident.road_or_fire)
    if investigation is not None:
        due: dt.date | None = investigation.due_on
    elif accident.state == wf.REPORTED:
        due = grading.investigation_due(occurred)
    else:
        due = None
    return Deadlines(
        quick_report_due=timezone.localtime(grading.quick_report_due(accident.learned_at)),
        quick_report_late=accident.late_quick_report,
        followup_window_days=grading.followup_window_days(road_or_fire=accident.road_or_fire),
        followup_ends=ends,
        followup_open=today <= ends,
        investigation_due=due,
        investigation_overdue=bool(
            due and today > due and accident.state in (wf.REPORTED, wf.INVESTIGATING)
        ),
    )


# --- helpers -----------------------------------------------------------------------------


_text = clean_text  # anjian.core.inputs


def _count(errors: dict[str, list[str]], value: Any, name: str) -> int:
    if value is None or value == "":
        return 0
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and is_int_text(value):
        number = int(value.strip())
    if number is None:
        errors.setdefault(name, []).append(_("Enter a whole number."))
        return 0
    if number < 0:
        errors.setdefault(name, []).append(_("Must be at least %(n)s.") % {"n": 0})
    elif number > MAX_PERSONS:
        errors.setdefault(name, []).append(_("Must be at most %(n)s.") % {"n": MAX_PERSONS})
    return number


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, str) and is_decimal_text(value.replace(",", "")):
        try:
            return Decimal(value.strip().replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only literals
            return None
    return None


def _loss(errors: dict[str, list[str]], value: Any) -> Decimal:
    if value is None or value == "":
        return Decimal("0.00")
    amount = _decimal(value)
    if amount is None or not amount.is_finite():
        errors.setdefault("direct_loss_yuan", []).append(_("Enter a number."))
        return Decimal("0.00")
    if amount < 0:
        errors.setdefault("direct_loss_yuan", []).append(_("Must be at least %(n)s.") % {"n": 0})
    elif amount >= MAX_LOSS:
        errors.setdefault("direct_loss_yuan", []).append(_("The amount is too large."))
    return amount.quantize(Decimal("0.01")) if amount < MAX_LOSS else Decimal("0.00")


def _coordinate(errors: dict[str, list[str]], value: Any, name: str, limit: int) -> Decimal | None:
    if value is None or value == "":
        return None
    number = _decimal(value)
    if number is None:
        errors.setdefault(name, []).append(_("Enter a number."))
        return None
    if not -limit <= number <= limit:
        errors.setdefault(name, []).append(
            _("Must be between %(low)s and %(high)s.") % {"low": -limit, "high": limit}
        )
        return None
    return number.quantize(Decimal("0.000001"))


def _datetime(errors: dict[str, list[str]], value: Any, name: str) -> dt.datetime | None:
    parsed = value if isinstance(value, dt.datetime) else None
    if parsed is None and isinstance(value, str) and value.strip():
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        errors.setdefault(name, []).append(_("Enter a date and time."))
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _id(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value < 2**63 else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
        return number if 0 < number < 2**63 else None
    return None


def _jsonable(data: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(dict(data), default=str))


def _event(
    actor: Actor,
    accident: Accident,
    action: str,
    *,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: Mapping[str, Any] | None = None,
) -> AccidentEvent:
    return AccidentEvent.objects.create(
        accident=accident,
        action=action,
        from_state=from_state,
        to_state=to_state or accident.state,
        actor=actor.user,
        actor_label=actor.label[:128],
        via=actor.via[:16],
        at=timezone.now(),
        note=note,
        data=_jsonable(data or {}),
    )


def _stale(accident: Accident, expected_version: Any) -> None:
    if expected_version is not None and (
        not isinstance(expected_version, int) or isinstance(expected_version, bool)
    ):
        raise ValidationFailed({"version": [_("Enter a whole number.")]})
    if expected_version is not None and expected_version != accident.version:
        raise Conflict(_("Somebody else changed this record first; reload and try again."))


def _lock(actor: Actor, accident_id: Any) -> Accident:
    pk = _id(accident_id)
    if pk is None or not visible_accidents(actor.user).filter(pk=pk).exists():
        raise NotFound(_("No such accident in your scope."))
    return Accident.objects.select_for_update(of=("self",)).get(pk=pk)


def _step(
    actor: Actor, accident: Accident, action: str, expected_version: Any
) -> tuple[wf.Transition, Investigation | None]:
    """Check the step against the table: version, state, party and guard (the close's
    guard is the close form's, checked by investigation_close)."""
    _stale(accident, expected_version)
    found = wf.step(accident.state, action)
    if found is None:
        raise Conflict(
            _("Cannot %(action)s: the accident is %(state)s.")
            % {"action": action_labels()[action], "state": accident.get_state_display()}
        )
    if not found.parties & parties(actor.user, accident):
        raise Forbidden(
            _("Only the government or a department where the accident happened may do this.")
            if found.parties == frozenset({wf.AUTHORITY})
            else _("You may not do this for this accident.")
        )
    investigation = Investigation.objects.filter(accident=accident).first()
    guard = found.guard
    if guard not in ("always", "checklist_done") and not wf.GUARDS[guard](
        facts(accident, investigation)
    ):
        raise Conflict(
            {
                "not_extended": _("The investigation was extended already (once only)."),
                "not_concealed": _("The accident is flagged as concealed already."),
            }[guard]
        )
    return found, investigation


def _save(accident: Accident, found: wf.Transition) -> str:
    """Write a step (the row is locked), and move the rollup from the stored row to it."""
    counted = tally_services.fact_of(accident.pk)
    from_state = accident.state
    accident.state = found.target
    accident.version += 1
    accident.save()
    tally_services.accident_tally_apply(old=counted, new=tally_services.fact_of(accident.pk))
    return from_state


def _grading(deaths: int, serious: int, loss: Decimal) -> grading.Grading:
    return grading.grade(deaths=deaths, serious=serious, loss_yuan=loss)


def _figures(errors: dict[str, list[str]], values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {name: _count(errors, values.get(name), name) for name in FIGURE_FIELDS}
    out["direct_loss_yuan"] = _loss(errors, values.get("direct_loss_yuan"))
    return out


def _texts(errors: dict[str, list[str]], values: Mapping[str, Any]) -> dict[str, str]:
    return {
        name: _text(errors, values.get(name), name, required=name == "course")
        for name in TEXT_FIELDS
    }


def _report_row(
    actor: Actor,
    accident: Accident,
    kind: str,
    number: int,
    figures: Mapping[str, Any],
    texts: Mapping[str, str],
    result: grading.Grading,
    *,
    late: bool,
    at: dt.datetime,
) -> AccidentReport:
    return AccidentReport.objects.create(
        accident=accident,
        number=number,
        kind=kind,
        late=late,
        at=at,
        by=actor.user,
        by_label=actor.label[:128],
        grade=result.code,
        decided_by=list(result.decided_by),
        **figures,
        **texts,
    )


# --- the quick report --------------------------------------------------------------------


def accident_report(
    *,
    actor: Actor,
    occurred_at: Any,
    learned_at: Any,
    place: Any,
    gb6441_type: Any,
    division_id: Any = None,
    enterprise_id: Any = None,
    industry_id: Any = None,
    road_or_fire: Any = False,
    latitude: Any = None,
    longitude: Any = None,
    deaths: Any = 0,
    serious_injuries: Any = 0,
    minor_injuries: Any = 0,
    missing: Any = 0,
    direct_loss_yuan: Any = 0,
    unit_overview: Any = "",
    course: Any = "",
    measures: Any = "",
    other: Any = "",
) -> Accident:
    """The quick report (快报, 493号令 第九条, 第十二条): made by a regulator where it
    happened, or by staff of the enterprise it happened at. The server's clock is the
    time of the report; later than one hour after the unit's head learned of it is late.
    The grade is computed from the figures (第三条), never typed."""
    user = actor.user
    if not may_report(user):
        raise Forbidden(_("Only a regulator or the enterprise's staff may report an accident."))
    assert user is not None
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    occurred = _datetime(errors, occurred_at, "occurred_at")
    learned = _datetime(errors, learned_at, "learned_at")
    if occurred and occurred > now + CLOCK_SLACK:
        errors.setdefault("occurred_at", []).append(_("This time is in the future."))
    if learned and learned > now + CLOCK_SLACK:
        errors.setdefault("learned_at", []).append(_("This time is in the future."))
    if occurred and learned and learned < occurred:
        errors.setdefault("learned_at", []).append(
            _("The unit's head cannot learn of it before it happened.")
        )
    place_text = _text(errors, place, "place", required=True, limit=255)
    if not isinstance(gb6441_type, str) or gb6441_type not in grading.GB6441_TYPE_NAMES:
        errors["gb6441_type"] = [_("Choose the accident type.")]
    lat = _coordinate(errors, latitude, "latitude", 90)
    lon = _coordinate(errors, longitude, "longitude", 180)
    if (lat is None) != (lon is None) and "latitude" not in errors and "longitude" not in errors:
        errors.setdefault("longitude" if lon is None else "latitude", []).append(
            _("Give both latitude and longitude, or neither.")
        )
    figures = _figures(
        errors,
        {
            "deaths": deaths,
            "serious_injuries": serious_injuries,
            "minor_injuries": minor_injuries,
            "missing": missing,
            "direct_loss_yuan": direct_loss_yuan,
        },
    )
    texts = _texts(
        errors,
        {"unit_overview": unit_overview, "course": course, "measures": measures, "other": other},
    )
    if not isinstance(road_or_fire, bool):
        road_or_fire = str(road_or_fire).lower() in ("1", "true", "on", "yes")
    enterprise: Enterprise | None = None
    division: Division | None = None
    if user.role in ENTERPRISE_ROLES:
        enterprise = Enterprise.objects.select_related("division").get(pk=user.enterprise_id)
        if enterprise_id not in (None, "") and _id(enterprise_id) != enterprise.pk:
            errors["enterprise"] = [_("You report for your own enterprise only.")]
    elif enterprise_id not in (None, ""):
        pk = _id(enterprise_id)
        subtree = scoping.subtree_ids(user.division)
        enterprise = (
            Enterprise.objects.filter(pk=pk, division_id__in=subtree).first() if pk else None
        )
        if enterprise is None:
            errors["enterprise"] = [_("No such enterprise in your jurisdiction.")]
    if division_id not in (None, ""):
        pk = _id(division_id)
        division = Division.objects.filter(pk=pk).first() if pk else None
        if division is None:
            errors["division"] = [_("No such division.")]
        elif user.role not in ENTERPRISE_ROLES and division.pk not in scoping.subtree_ids(
            user.division
        ):
            # A regulator reports where it answers; an enterprise reports wherever its
            # accident happened (a vehicle on the road, a site in another county).
            errors["division"] = [_("This division is outside your jurisdiction.")]
    elif enterprise is not None:
        division = enterprise.division
    elif "enterprise" not in errors:
        errors["division"] = [_("Choose where the accident happened.")]
    industry = None
    if industry_id not in (None, ""):
        pk = _id(industry_id)
        industry = Industry.objects.filter(pk=pk).first() if pk else None
        if industry is None:
            errors["industry"] = [_("No such industry.")]
    elif enterprise is not None:
        industry = enterprise.industry
    if errors:
        raise ValidationFailed(errors)
    assert occurred is not None and learned is not None and division is not None
    result = _grading(figures["deaths"], figures["serious_injuries"], figures["direct_loss_yuan"])
    late = grading.quick_report_late(learned, now)
    with transaction.atomic():
        accident = Accident.objects.create(
            occurred_at=occurred,
            learned_at=learned,
            reported_at=now,
            place=place_text,
            latitude=lat,
            longitude=lon,
            division=division,
            enterprise=enterprise,
            industry=industry,
            gb6441_type=gb6441_type,
            road_or_fire=road_or_fire,
            late_quick_report=late,
            reported_by=user,
            grade=result.code,
            decided_by=list(result.decided_by),
            **figures,
        )
        tally_services.accident_tally_apply(old=None, new=tally_services.fact_of(accident.pk))
        _report_row(actor, accident, ReportKind.QUICK, 1, figures, texts, result, late=late, at=now)
        _event(
            actor,
            accident,
            wf.REPORT,
            to_state=wf.REPORTED,
            data={"grade": result.code, "late": late, **figures},
        )
        audit_append(
            actor=actor,
            action="accident_report",
            obj=accident,
            summary=f"accident {accident.pk} reported {result.code}{' late' if late else ''}",
            changes={"grade": result.code, "late": late, "division": division.pk, **figures},
        )
    return accident


# --- follow-up reports -------------------------------------------------------------------


def accident_followup(
    *,
    actor: Actor,
    accident_id: Any,
    expected_version: Any = None,
    deaths: Any = 0,
    serious_injuries: Any = 0,
    minor_injuries: Any = 0,
    missing: Any = 0,
    direct_loss_yuan: Any = 0,
    unit_overview: Any = "",
    course: Any = "",
    measures: Any = "",
    other: Any = "",
) -> Accident:
    """A follow-up report (续报/补报, 第十三条): the figures as now known become the
    accident's next version and are graded again. After the window (30 days from the
    accident, 7 for road traffic and fire) the report is still taken, flagged late."""
    errors: dict[str, list[str]] = {}
    figures = _figures(
        errors,
        {
            "deaths": deaths,
            "serious_injuries": serious_injuries,
            "minor_injuries": minor_injuries,
            "missing": missing,
            "direct_loss_yuan": direct_loss_yuan,
        },
    )
    texts = _texts(
        errors,
        {"unit_overview": unit_overview, "course": course, "measures": measures, "other": other},
    )
    with transaction.atomic():
        accident = _lock(actor, accident_id)
        found, investigation = _step(actor, accident, wf.FOLLOWUP, expected_version)
        if errors:
            raise ValidationFailed(errors)
        now = timezone.now()
        ends = grading.followup_window_ends(
            timezone.localtime(accident.occurred_at), road_or_fire=accident.road_or_fire
        )
        late = timezone.localdate(now) > ends
        result = _grading(
            figures["deaths"], figures["serious_injuries"], figures["direct_loss_yuan"]
        )
        before = {name: getattr(accident, name) for name in (*FIGURE_FIELDS, "direct_loss_yuan")}
        old_grade = accident.grade
        number = accident.reports.count() + 1
        for name, value in figures.items():
            setattr(accident, name, value)
        accident.grade = result.code
        accident.decided_by = list(result.decided_by)
        from_state = _save(accident, found)
        _report_row(
            actor, accident, ReportKind.FOLLOWUP, number, figures, texts, result, late=late, at=now
        )
        data: dict[str, Any] = {
            "version": number,
            "late": late,
            "grade_from": old_grade,
            "grade": result.code,
            "before": before,
            "after": figures,
        }
        if investigation is not None and investigation.closed_at is None:
            # A grade that changes changes who investigates (第十九条).
            level = grading.investigating_level(result.code)
            if level != investigation.level:
                data["level_from"] = investigation.level
                data["level"] = level
                investigation.level = level
                investigation.save(update_fields=["level"])
        _event(actor, accident, wf.FOLLOWUP, from_state=from_state, data=data)
        audit_append(
            actor=actor,
            action="accident_followup",
            obj=accident,
            summary=f"accident {accident.pk} v{number} {old_grade}→{result.code}"
            f"{' late' if late else ''}",
            changes=_jsonable(data),
        )
    return accident


# --- investigation -----------------------------------------------------------------------


def accident_investigate(
    *, actor: Actor, accident_id: Any, expected_version: Any = None
) -> Investigation:
    """Open the investigation: the level by the grade (第十九条), the report due 60 days
    from the day of the accident (第二十九条)."""
    with transaction.atomic():
        accident = _lock(actor, accident_id)
        found, _inv = _step(actor, accident, wf.INVESTIGATE, expected_version)
        level = grading.investigating_level(accident.grade)
        due = grading.investigation_due(timezone.localtime(accident.occurred_at))
        from_state = _save(accident, found)
        investigation = Investigation.objects.create(
            accident=accident,
            level=level,
            opened_at=timezone.now(),
            opened_by=actor.user,
            due_on=due,
        )
        _event(
            actor,
            accident,
            wf.INVESTIGATE,
            from_state=from_state,
            data={"level": level, "due": due},
        )
        audit_append(
            actor=actor,
            action="accident_investigate",
            obj=accident,
            summary=f"accident {accident.pk} investigation opened, due {due}",
            changes={"level": level, "due_on": due},
        )
    return investigation


def investigation_extend(
    *,
    actor: Actor,
    accident_id: Any,
    days: Any,
    reason: Any,
    expected_version: Any = None,
) -> Investigation:
    """Extend the investigation once, by at most 60 days, with a reason (第二十九条)."""
    errors: dict[str, list[str]] = {}
    number = _count(errors, days, "days")
    if "days" not in errors and not 1 <= number <= grading.INVESTIGATION_MAX_EXTENSION_DAYS:
        errors["days"] = [
            _("Between 1 and %(n)d days.") % {"n": grading.INVESTIGATION_MAX_EXTENSION_DAYS}
        ]
    why = _text(errors, reason, "reason", required=True)
    with transaction.atomic():
        accident = _lock(actor, accident_id)
        found, investigation = _step(actor, accident, wf.EXTEND, expected_version)
        if errors:
            raise ValidationFailed(errors)
        assert investigation is not None
        old_due = investigation.due_on
        investigation.extension_days = number
        investigation.extension_reason = why
        investigation.due_on = grading.investigation_due(
            timezone.localtime(accident.occurred_at), number
        )
        investigation.save()
        from_state = _save(accident, found)
        data = {"days": number, "due_from": old_due, "due": investigation.due_on}
        _event(actor, accident, wf.EXTEND, from_state=from_state, note=why, data=data)
        audit_append(
            actor=actor,
            action="investigation_extend",
            obj=accident,
            summary=f"accident {accident.pk} investigation extended by {number} days",
            changes=_jsonable({**data, "reason": why}),
        )
    return investigation


def investigation_close(
    *,
    actor: Actor,
    accident_id: Any,
    causes: Any,
    lessons: Any = "",
    measures: Any = "",
    findings: Any = "",
    checklist: Mapping[str, Any] | None = None,
    notes: Mapping[str, Any] | None = None,
    expected_version: Any = None,
) -> Investigation:
    """The close-out (四不放过): the causes, lessons and measures, and the four boxes —
    causes found, those responsible dealt with, measures taken, people educated — each
    ticked (with an optional note). Any box left open refuses the close by its field."""
    errors: dict[str, list[str]] = {}
    texts = {
        "causes": _text(errors, causes, "causes", required=True),
        "lessons": _text(errors, lessons, "lessons"),
        "measures": _text(errors, measures, "measures"),
        "findings": _text(errors, findings, "findings"),
    }
    boxes = dict(checklist or {})
    box_notes = dict(notes or {})
    labels = checklist_labels()
    ticked: dict[str, bool] = {}
    for box in CHECKLIST:
        value = boxes.get(box)
        ticked[box] = value is True or (isinstance(value, str) and value in ("1", "true", "on"))
        if not ticked[box]:
            errors.setdefault(box, []).append(
                _("Required to close (四不放过): %(box)s.") % {"box": labels[box]}
            )
        texts[f"{box}_note"] = _text(errors, box_notes.get(box), f"{box}_note", limit=1000)
    with transaction.atomic():
        accident = _lock(actor, accident_id)
        found, investigation = _step(actor, accident, wf.CLOSE, expected_version)
        if errors:
            raise ValidationFailed(errors)
        assert investigation is not None
        for name, value in texts.items():
            setattr(investigation, name, value)
        for box in CHECKLIST:
            setattr(investigation, box, True)
        investigation.closed_at = timezone.now()
        investigation.closed_by = actor.user
        investigation.save()
        from_state = _save(accident, found)
        late = timezone.localdate(investigation.closed_at) > investigation.due_on
        _event(actor, accident, wf.CLOSE, from_state=from_state, data={"after_due": late})
        audit_append(
            actor=actor,
            action="investigation_close",
            obj=accident,
            summary=f"accident {accident.pk} investigation closed",
            changes={"after_due": late, "due_on": investigation.due_on},
        )
    return investigation


def accident_accountable_add(
    *,
    actor: Actor,
    accident_id: Any,
    name: Any,
    position: Any,
    measure: Any,
    basis: Any = "",
    expected_version: Any = None,
) -> AccountablePerson:
    """A person held accountable, found by the investigation."""
    errors: dict[str, list[str]] = {}
    person = _text(errors, name, "name", required=True, limit=64)
    role = _text(errors, position, "position", required=True, limit=128)
    what = _text(errors, measure, "measure", required=True)
    why = _text(errors, basis, "basis")
    with transaction.atomic():
        accident = _lock(actor, accident_id)
        found, _inv = _step(actor, accident, wf.ACCOUNTABLE, expected_version)
        if errors:
            raise ValidationFailed(errors)
        row = AccountablePerson.objects.create(
            accident=accident,
            name=person,
            position=role,
            measure=what,
            basis=why,
            added_at=timezone.now(),
            added_by=actor.user,
        )
        from_state = _save(accident, found)
        _event(
            actor,
            accident,
            wf.ACCOUNTABLE,
            from_state=from_state,
            data={"person": row.pk, "name": person, "position": role},
        )
        audit_append(
            actor=actor,
            action="accident_accountable_add",
            obj=accident,
            summary=f"accident {accident.pk} accountable person {row.pk}",
            changes={"person": row.pk, "position": role},
        )
    return row


# --- withdrawal and concealment ----------------------------------------------------------


def accident_withdraw(
    *, actor: Actor, accident_id: Any, reason: Any, expected_version: Any = None
) -> Accident:
    """A quick report made by mistake (no accident, or reported twice) is withdrawn by its
    reporter or the authority, before any investigation; it is kept, never deleted."""
    errors: dict[str, list[str]] = {}
    why = _text(errors, reason, "reason", required=True)
    with transaction.atomic():
        accident = _lock(actor, accident_id)
        found, _inv = _step(actor, accident, wf.WITHDRAW, expected_version)
        if errors:
            raise ValidationFailed(errors)
        from_state = _save(accident, found)
        _event(actor, accident, wf.WITHDRAW, from_state=from_state, note=why)
        audit_append(
            actor=actor,
            action="accident_withdraw",
            obj=accident,
            summary=f"accident {accident.pk} withdrawn",
            changes={"reason": why},
        )
    return accident


def accident_mark_concealed(
    *, actor: Actor, accident_id: Any, note: Any, expected_version: Any = None
) -> Accident:
    """The authority flags an accident as concealed (瞒报): found otherwise than by the
    unit's own report, e.g. by an inspection, a hospital or a public report. Once."""
    errors: dict[str, list[str]] = {}
    why = _text(errors, note, "note", required=True)
    with transaction.atomic():
        accident = _lock(actor, accident_id)
        found, _inv = _step(actor, accident, wf.CONCEAL, expected_version)
        if errors:
            raise ValidationFailed(errors)
        accident.concealed = True
        from_state = _save(accident, found)
        _event(actor, accident, wf.CONCEAL, from_state=from_state, note=why)
        audit_append(
            actor=actor,
            action="accident_mark_concealed",
            obj=accident,
            summary=f"accident {accident.pk} flagged concealed",
            changes={"note": why},
        )
    return accident

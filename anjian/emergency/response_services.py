"""The one-click response (issue 14 item 4): start an incident from a point on the map,
an alarm or an accident quick report (`incident_start`), find the plans that apply and
the nearest teams, experts, warehouses with fitting supplies and shelters
(`incident_match`), call them (`incident_call`: notifications through the configured
senders), record their answers (`call_answer`), write lines on the timeline
(`incident_note`) and close with the close-out report (`incident_close`).

《生产安全事故应急条例》(国务院令第708号) 第十七条 asks the unit to start its plan at once
and the government to organise rescue forces, experts and supplies; 应急预案管理办法 第六条
(standards.md A10) names the plan types whose matching ones are activated here.

Each write, in one transaction: the incident is looked up in the actor's scope (else
NotFound) and locked; a closed incident or an answer the call's state does not allow is a
Conflict, a user who may see but not act Forbidden; then the change, an IncidentEvent
(never edited) and an audit entry. Notifications go out on commit.

Matching considers every active resource whatever its division: the nearest team may sit
across the county line, and a response is exactly when borders must not matter. Only the
incident itself is scoped.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import ENTERPRISE_ROLES, Role, User
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.inputs import clean_text
from anjian.core.notify import notify
from anjian.registry.models import Division, Enterprise

from . import geo, matching, routing
from .models import (
    GB6441_TYPES,
    Answer,
    Expert,
    Incident,
    IncidentEvent,
    IncidentSource,
    IncidentState,
    Plan,
    PlanKind,
    PlanState,
    RescueTeam,
    ResponseCall,
    Shelter,
    Supply,
    SupplyKind,
    SupplyState,
    TargetKind,
    Warehouse,
)

logger = logging.getLogger("anjian.emergency")

TEXT_LIMIT = 4000
# Who commands a response where it happens: the coordinator (安委办) and the departments of
# the division (条例 第十七条); the enterprise's principal and safety officer for their own.
AUTHORITY_ROLES = frozenset({Role.COORDINATOR, Role.DEPARTMENT_OFFICER})
UNIT_ROLES = frozenset({Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_SAFETY_OFFICER})
RESPONSE_LEVELS = ("I", "II", "III", "IV")
# The plans that stand (a draft is not a plan yet; a superseded one is replaced).
STANDING_PLAN_STATES = (
    PlanState.ISSUED,
    PlanState.SUBMITTED,
    PlanState.RETURNED,
    PlanState.FILED,
)
LIMIT = 10  # resources of each kind on the short list
# Fitting teams and experts are looked for this far at most (250 km is some 8 hours by
# road at 40 km/h): beyond it the nearest of any speciality are listed.
FIT_RADIUS_KM = 250.0
# Which answers may follow which: waiting → any; on the way → arrived (or declined when
# turned back); arrived and declined are final.
NEXT_ANSWERS: dict[str, frozenset[str]] = {
    Answer.WAITING: frozenset({Answer.ACCEPTED, Answer.ARRIVED, Answer.DECLINED}),
    Answer.ACCEPTED: frozenset({Answer.ARRIVED, Answer.DECLINED}),
    Answer.ARRIVED: frozenset(),
    Answer.DECLINED: frozenset(),
}
TYPE_CODES = {code for code, _name in GB6441_TYPES}
TYPE_NAMES = dict(GB6441_TYPES)

# Timeline actions.
START, CALL, ANSWER, NOTE, CLOSE = "start", "call", "answer", "note", "close"


def action_labels() -> dict[str, str]:
    return {
        START: _("response started"),
        CALL: _("called"),
        ANSWER: _("answered"),
        NOTE: _("note"),
        CLOSE: _("response closed"),
        # Written by anjian.emergency.allocation_services on each incident it serves.
        "allocation": _("supplies allocation computed"),
    }


# --- who may do what ---------------------------------------------------------------------


def visible_incidents(user: Any) -> QuerySet[Incident]:
    return scoping.visible(user, Incident)


def _is_authority(user: Any) -> bool:
    return bool(scoping.is_active_user(user) and user.role in AUTHORITY_ROLES and user.division_id)


def _is_unit(user: Any) -> bool:
    return bool(scoping.is_active_user(user) and user.role in UNIT_ROLES and user.enterprise_id)


def may_start(user: Any) -> bool:
    return _is_authority(user) or _is_unit(user)


def may_command(user: Any, incident: Incident) -> bool:
    """The regulator where it happened, or the incident's own enterprise's head."""
    if _is_authority(user):
        return incident.division_id in scoping.subtree_ids(user.division)
    if _is_unit(user):
        return incident.enterprise_id is not None and incident.enterprise_id == user.enterprise_id
    return False


def _actor_user(actor: Actor) -> User:
    # Someone without a role sees nothing: the lookups in scope answer NotFound for them.
    if actor.user is None:
        raise Forbidden(_("Only a signed-in user may do this."))
    return actor.user


def _lock(actor: Actor, incident_id: Any) -> Incident:
    user = _actor_user(actor)
    try:
        pk = int(incident_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such incident in your scope.")) from None
    incident = visible_incidents(user).select_for_update().filter(pk=pk).first()
    if incident is None:
        raise NotFound(_("No such incident in your scope."))
    if not may_command(user, incident):
        raise Forbidden(
            _("Only the regulator where it happened or the enterprise's head may do this.")
        )
    return incident


def _require_active(incident: Incident) -> None:
    if incident.state != IncidentState.ACTIVE:
        raise Conflict(_("The response is closed."))


def _event(actor: Actor, incident: Incident, action: str, note: str = "", **data: Any) -> None:
    IncidentEvent.objects.create(
        incident=incident, action=action, actor=actor.user, note=note, data=data
    )


# --- input ---------------------------------------------------------------------------------


def _coordinate(errors: dict[str, list[str]], value: Any, name: str, bound: int) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors.setdefault(name, []).append(_("Enter a number."))
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.setdefault(name, []).append(_("Enter a number."))
        return None
    if not number.is_finite() or not -bound <= number <= bound:
        errors.setdefault(name, []).append(
            _("Between %(low)d and %(high)d.") % {"low": -bound, "high": bound}
        )
        return None
    return number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _int_id(errors: dict[str, list[str]], value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors.setdefault(name, []).append(_("Choose a valid option."))
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors.setdefault(name, []).append(_("Choose a valid option."))
        return None
    if not 1 <= number < 2**63:
        errors.setdefault(name, []).append(_("Choose a valid option."))
        return None
    return number


@dataclass
class Prefill:
    """What an alarm or an accident tells about the incident before the user adds to it."""

    title: str = ""
    place: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    accident_type: str = ""
    enterprise: Enterprise | None = None
    division: Division | None = None
    alarm: Any = None
    accident: Any = None


# Alarms of these point kinds suggest a type (GB 6441): gas → poisoning or explosion.
ALARM_TYPES = {
    "combustible_gas": "18",
    "methane": "15",
    "toxic_gas": "19",
    "carbon_monoxide": "19",
    "oxygen": "19",
    "temperature": "08",
    "line_temperature": "08",
    "line_current": "05",
    "pressure": "17",
}


def prefill_from_alarm(user: Any, alarm_id: Any) -> Prefill:
    from anjian.monitoring.models import Alarm

    errors: dict[str, list[str]] = {}
    pk = _int_id(errors, alarm_id, "alarm")
    alarm = (
        scoping.visible(user, Alarm).select_related("point", "enterprise").filter(pk=pk).first()
        if pk
        else None
    )
    if alarm is None:
        raise ValidationFailed({"alarm": [_("No such alarm in your scope.")]})
    ent = alarm.enterprise
    return Prefill(
        title=f"{ent.name} {alarm.point.name}",
        place=ent.address,
        latitude=ent.latitude,
        longitude=ent.longitude,
        accident_type=ALARM_TYPES.get(alarm.point.kind, ""),
        enterprise=ent,
        division=ent.division,
        alarm=alarm,
    )


def prefill_from_accident(user: Any, accident_id: Any) -> Prefill:
    errors: dict[str, list[str]] = {}
    pk = _int_id(errors, accident_id, "accident")
    accident = (
        scoping.visible_accidents(user)
        .select_related("enterprise", "division")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if accident is None:
        raise ValidationFailed({"accident": [_("No such accident in your scope.")]})
    ent = accident.enterprise
    lat, lng = accident.latitude, accident.longitude
    if lat is None and ent is not None:
        lat, lng = ent.latitude, ent.longitude
    return Prefill(
        title=f"{ent.name if ent else accident.division.name} {TYPE_NAMES.get(accident.gb6441_type, '')}",
        place=accident.place,
        latitude=lat,
        longitude=lng,
        accident_type=accident.gb6441_type,
        enterprise=ent,
        division=accident.division,
        accident=accident,
    )


def divisions_for(user: Any) -> QuerySet[Division]:
    """Where the user may place an incident: a regulator's own subtree."""
    if not _is_authority(user):
        return Division.objects.none()
    return Division.objects.filter(pk__in=scoping.subtree_ids(user.division)).order_by("code")


def enterprises_for(user: Any) -> QuerySet[Enterprise]:
    if _is_unit(user):
        return Enterprise.objects.filter(pk=user.enterprise_id)
    if _is_authority(user):
        return Enterprise.objects.filter(division_id__in=scoping.subtree_ids(user.division))
    return Enterprise.objects.none()


def matching_plans(enterprise_id: int | None, accident_type: str) -> list[Plan]:
    """The enterprise's standing plans for the type: the comprehensive plan (it covers
    every type, 第六条) and the special, on-site plans and cards listing the type."""
    if enterprise_id is None:
        return []
    rows = Plan.objects.filter(enterprise_id=enterprise_id, state__in=STANDING_PLAN_STATES)
    return [
        p
        for p in rows.order_by("kind", "pk")
        if p.kind == PlanKind.COMPREHENSIVE or accident_type in (p.accident_types or ())
    ]


def incident_start(*, actor: Actor, data: dict[str, Any]) -> Incident:
    """Start a response. `data`: title, place, latitude, longitude, accident_type,
    response_level, enterprise, division, source (entered|alarm|accident), alarm,
    accident. What an alarm or accident tells fills what the user left empty."""
    user = _actor_user(actor)
    if not may_start(user):
        raise Forbidden(
            _(
                "Only a coordinator, a department officer or the enterprise's head may start a response."
            )
        )
    errors: dict[str, list[str]] = {}
    source = data.get("source") or IncidentSource.ENTERED
    if source not in (IncidentSource.ENTERED, IncidentSource.ALARM, IncidentSource.ACCIDENT):
        errors["source"] = [_("Choose a valid option.")]
        source = IncidentSource.ENTERED
    pre = Prefill()
    try:
        if source == IncidentSource.ALARM:
            pre = prefill_from_alarm(user, data.get("alarm"))
        elif source == IncidentSource.ACCIDENT:
            pre = prefill_from_accident(user, data.get("accident"))
    except ValidationFailed as exc:
        errors.update(exc.errors)

    def given(name: str) -> Any:
        value = data.get(name)
        return None if value is None or value == "" else value

    title = clean_text(errors, given("title") or pre.title, "title", required=True, limit=200)
    place = clean_text(errors, given("place") or pre.place, "place", limit=255)
    lat = _coordinate(
        errors, given("latitude") if given("latitude") is not None else pre.latitude, "latitude", 90
    )
    lng = _coordinate(
        errors,
        given("longitude") if given("longitude") is not None else pre.longitude,
        "longitude",
        180,
    )
    if lat is None and "latitude" not in errors:
        errors["latitude"] = [_("Click the map, use the device position or enter the coordinates.")]
    if lng is None and "longitude" not in errors:
        errors["longitude"] = [
            _("Click the map, use the device position or enter the coordinates.")
        ]
    kind = given("accident_type") or pre.accident_type
    if kind not in TYPE_CODES:
        errors["accident_type"] = [_("Choose the incident type (GB 6441).")]
    level = given("response_level") or ""
    if level not in ("", *RESPONSE_LEVELS):
        errors["response_level"] = [_("Choose a valid option.")]

    enterprise = pre.enterprise
    if given("enterprise") is not None:
        pk = _int_id(errors, data.get("enterprise"), "enterprise")
        enterprise = enterprises_for(user).filter(pk=pk).first() if pk else None
        if enterprise is None and "enterprise" not in errors:
            errors["enterprise"] = [_("No such enterprise in your scope.")]
    if _is_unit(user):
        if enterprise is not None and enterprise.pk != user.enterprise_id:
            errors["enterprise"] = [_("No such enterprise in your scope.")]
        enterprise = Enterprise.objects.filter(pk=user.enterprise_id).first()
    division = None
    if enterprise is not None:
        division = enterprise.division
    elif given("division") is not None:
        pk = _int_id(errors, data.get("division"), "division")
        division = divisions_for(user).filter(pk=pk).first() if pk else None
        if division is None and "division" not in errors:
            errors["division"] = [_("No such division in your scope.")]
    elif pre.division is not None:
        division = pre.division
    elif _is_authority(user):
        division = user.division
    if (
        division is not None
        and _is_authority(user)
        and division.pk not in scoping.subtree_ids(user.division)
    ):
        errors["division"] = [_("No such division in your scope.")]
    if division is None and "division" not in errors and "enterprise" not in errors:
        errors["division"] = [_("Choose the division where it happens.")]
    if errors:
        raise ValidationFailed(errors)

    with transaction.atomic():
        incident = Incident.objects.create(
            division=division,
            enterprise=enterprise,
            title=title,
            place=place,
            latitude=lat,
            longitude=lng,
            accident_type=kind,
            response_level=level,
            source=source,
            alarm=pre.alarm,
            accident=pre.accident,
            started_by=user,
        )
        plans = matching_plans(incident.enterprise_id, kind)
        incident.plans.set(plans)
        _event(
            actor,
            incident,
            START,
            source=source,
            accident_type=kind,
            latitude=str(lat),
            longitude=str(lng),
            plans=[p.pk for p in plans],
        )
        audit_append(
            actor=actor,
            action="incident_start",
            obj=incident,
            summary=f"incident {incident.pk} started ({kind}) at {lat},{lng}",
            changes={
                "division": division.pk,
                "enterprise": enterprise.pk if enterprise else None,
                "accident_type": kind,
                "source": source,
                "plans": [p.pk for p in plans],
            },
        )
        recipients = _division_heads(division.pk) + (
            _enterprise_heads(enterprise.pk) if enterprise else []
        )
        link = reverse("emergency:incident", args=[incident.pk])
        notify(
            recipients=[u for u in recipients if u.pk != user.pk],
            kind="escalation",
            title=_("Emergency response started: %(title)s") % {"title": title},
            body=place,
            link=link,
            object_label=title,
        )
    return incident


# --- matching ------------------------------------------------------------------------------


@dataclass
class Ranked:
    kind: str  # TargetKind
    id: int
    name: str
    km: float
    minutes: int
    phone: str
    fits: bool
    latitude: float
    longitude: float
    detail: str = ""
    supplies: list[dict[str, Any]] = field(default_factory=list)
    by_road: bool = False


@dataclass
class MatchResult:
    teams: list[Ranked]
    experts: list[Ranked]
    warehouses: list[Ranked]
    shelters: list[Ranked]
    specialities: tuple[str, ...]
    queries: int = 0

    def all(self) -> list[Ranked]:
        return [*self.teams, *self.experts, *self.warehouses, *self.shelters]


def _boxed(qs: QuerySet, lat: float, lon: float, km: float | None, prefix: str = "") -> QuerySet:
    if km is None:
        return qs
    lat0, lat1, lon0, lon1 = geo.bounding_box(lat, lon, km)
    return qs.filter(
        **{
            f"{prefix}latitude__gte": lat0,
            f"{prefix}latitude__lte": lat1,
            f"{prefix}longitude__gte": lon0,
            f"{prefix}longitude__lte": lon1,
        }
    )


def _grow(load, enough) -> tuple[list, int]:
    """Load through the growing boxes until `enough(rows)`; (rows, queries run). A row
    inside the box but beyond its half-width is fine: exact distances rank afterwards,
    and a box that holds enough fitting rows holds the nearest of them once its
    half-width exceeds theirs (checked: the Nth fitting row must lie within it)."""
    queries = 0
    rows: list = []
    for km in matching.SEARCH_RADII_KM:
        rows = load(km)
        queries += 1
        if enough(rows, km):
            break
    return rows, queries


def _within(ranked: list[matching.Match], km: float | None, needed: int) -> bool:
    # Enough when the box holds `needed` and the last of them lies inside the circle the
    # box encloses: nothing outside the box can be nearer.
    if km is None:
        return True
    return len(ranked) >= needed and ranked[needed - 1].km <= km


def _f(value: Any) -> float:
    return float(value)


def open_to(viewer: Any, prefix: str = "") -> Q:
    """The resources a viewer may be shown and may call: the government's (kept by no
    enterprise) wherever they are — the nearest team may be across the county line — and,
    for enterprise staff, their own enterprise's; another enterprise's team, warehouse or
    phone numbers are for the regulators who command a response (regulators and jobs,
    viewer None, see all)."""
    if viewer is not None and getattr(viewer, "role", None) in ENTERPRISE_ROLES:
        return Q(**{f"{prefix}enterprise__isnull": True}) | Q(
            **{f"{prefix}enterprise_id": viewer.enterprise_id}
        )
    return Q()


def incident_match(
    incident: Incident,
    *,
    limit: int = LIMIT,
    today: dt.date | None = None,
    viewer: Any = None,
) -> MatchResult:
    """The nearest `limit` teams (fitting speciality first), experts, warehouses with
    usable fitting supplies (with quantities) and shelters, each with distance and ETA.
    A database pre-filter (a bounding box growing until it holds enough) loads only ids,
    coordinates and what ranking needs; the names and phones of the short list follow in
    one query per kind. `viewer`: whose eyes (open_to)."""
    lat, lon = _f(incident.latitude), _f(incident.longitude)
    kind = incident.accident_type
    today = today or timezone.localdate()
    queries = 0

    def located(model, readiness: bool, specialities: bool):
        base = model.objects.filter(
            open_to(viewer), active=True, latitude__isnull=False, longitude__isnull=False
        )
        extra = ("readiness_minutes",) * readiness + ("specialities",) * specialities

        def load(km):
            out = []
            for row in _boxed(base, lat, lon, km).values_list(
                "pk", "latitude", "longitude", *extra
            ):
                rest = row[3:]
                out.append(
                    matching.Located(
                        row[0],
                        _f(row[1]),
                        _f(row[2]),
                        readiness=rest[0] if readiness else 0,
                        specialities=tuple(rest[-1] or ()) if specialities else (),
                    )
                )
            return out

        return load

    wanted = set(matching.specialities_for(kind))

    def speciality_enough(rows, km):
        # Enough when the box holds the `limit` nearest fitting ones; beyond FIT_RADIUS_KM
        # (hours away) the nearest of any speciality will do.
        fit = [r for r in rows if wanted.intersection(r.specialities)]
        if _within(matching.rank_by_distance(lat, lon, fit, limit), km, limit):
            return True
        return km is not None and km >= FIT_RADIUS_KM and plain_enough(rows, km)

    def plain_enough(rows, km):
        return _within(matching.rank_by_distance(lat, lon, rows, limit), km, limit)

    team_rows, n = _grow(located(RescueTeam, True, True), speciality_enough)
    queries += n
    teams = matching.rank_by_speciality(lat, lon, team_rows, kind, limit)

    expert_rows, n = _grow(located(Expert, False, True), speciality_enough)
    queries += n
    experts = matching.rank_by_speciality(lat, lon, expert_rows, kind, limit)

    shelter_rows, n = _grow(located(Shelter, False, False), plain_enough)
    queries += n
    shelters = matching.rank_by_distance(lat, lon, shelter_rows, limit)

    catalogue = list(SupplyKind.objects.values_list("pk", "name", "unit", "accident_types"))
    queries += 1
    kinds = {pk: (name, unit) for pk, name, unit, _t in catalogue}
    serving = matching.kinds_serving(((pk, t) for pk, _n, _u, t in catalogue), kind)
    supply_base = Supply.objects.filter(
        open_to(viewer, "warehouse__"),
        kind_id__in=serving,
        state=SupplyState.GOOD,
        quantity__gt=0,
        warehouse__active=True,
        warehouse__latitude__isnull=False,
        warehouse__longitude__isnull=False,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))

    def load_supplies(km):
        return [
            matching.SupplyRow(w, _f(a), _f(b), k, q, s, e)
            for w, a, b, k, q, s, e in _boxed(supply_base, lat, lon, km, "warehouse__").values_list(
                "warehouse_id",
                "warehouse__latitude",
                "warehouse__longitude",
                "kind_id",
                "quantity",
                "state",
                "expires_on",
            )
        ]

    def supplies_enough(rows, km):
        return _within(matching.rank_warehouses(lat, lon, rows, serving, today, limit), km, limit)

    if serving:
        supply_rows, n = _grow(load_supplies, supplies_enough)
        queries += n
    else:
        supply_rows = []
    warehouses = matching.rank_warehouses(lat, lon, supply_rows, serving, today, limit)

    provider = routing.provider()
    out: dict[str, list[Ranked]] = {}
    for target, model, ranked, fields in (
        (
            TargetKind.TEAM,
            RescueTeam,
            teams,
            ("name", "duty_phone", "latitude", "longitude", "kind"),
        ),
        (TargetKind.EXPERT, Expert, experts, ("name", "phone", "latitude", "longitude", "title")),
        (
            TargetKind.WAREHOUSE,
            Warehouse,
            warehouses,
            ("name", "phone", "latitude", "longitude", "keeper"),
        ),
        (
            TargetKind.SHELTER,
            Shelter,
            shelters,
            ("name", "phone", "latitude", "longitude", "capacity"),
        ),
    ):
        by_road: set[int] = set()
        if ranked and not routing.is_great_circle(provider):
            ranked, by_road = _by_road(provider, lat, lon, ranked, model)
            queries += 1
        details = {}
        if ranked:
            details = {
                row[0]: row[1:]
                for row in model.objects.filter(pk__in=[m.key for m in ranked]).values_list(
                    "pk", *fields
                )
            }
            queries += 1
        rows = []
        for m in ranked:
            name, phone, a, b, extra = details[m.key]
            rows.append(
                Ranked(
                    kind=target,
                    id=m.key,
                    name=name,
                    km=m.km,
                    minutes=m.minutes,
                    phone=phone,
                    fits=m.fits,
                    latitude=_f(a),
                    longitude=_f(b),
                    detail=str(extra or ""),
                    supplies=[
                        {
                            "kind": k,
                            "name": kinds[k][0],
                            "unit": kinds[k][1],
                            "quantity": q,
                        }
                        for k, q in m.supplies.items()
                    ],
                    by_road=m.key in by_road,
                )
            )
        out[target] = rows
    return MatchResult(
        teams=out[TargetKind.TEAM],
        experts=out[TargetKind.EXPERT],
        warehouses=out[TargetKind.WAREHOUSE],
        shelters=out[TargetKind.SHELTER],
        specialities=matching.specialities_for(kind),
        queries=queries,
    )


def _by_road(provider, lat, lon, ranked, model) -> tuple[list[matching.Match], set[int]]:
    """Re-measure the short list with the plugged-in road provider (travel minutes plus
    the team's turn-out time) and sort it again."""
    readiness = {}
    if model is RescueTeam:
        readiness = dict(
            RescueTeam.objects.filter(pk__in=[m.key for m in ranked]).values_list(
                "pk", "readiness_minutes"
            )
        )
    where = {
        pk: (_f(a), _f(b))
        for pk, a, b in model.objects.filter(pk__in=[m.key for m in ranked]).values_list(
            "pk", "latitude", "longitude"
        )
    }
    measured, by_road = {}, set()
    for m in ranked:
        fallback_minutes = m.minutes - readiness.get(m.key, 0)
        km, minutes, road = routing.measure(
            provider, where[m.key], (lat, lon), (m.km, fallback_minutes)
        )
        measured[m.key] = (round(km, 2), math.ceil(minutes + readiness.get(m.key, 0)))
        if road:
            by_road.add(m.key)
    return matching.rerank(ranked, measured), by_road


# --- calls ---------------------------------------------------------------------------------


TARGET_MODELS = {
    TargetKind.TEAM: RescueTeam,
    TargetKind.EXPERT: Expert,
    TargetKind.WAREHOUSE: Warehouse,
    TargetKind.SHELTER: Shelter,
}


def _phone_of(obj: Any) -> str:
    return getattr(obj, "duty_phone", "") or getattr(obj, "phone", "") or ""


def _enterprise_heads(enterprise_id: int) -> list[User]:
    return list(
        User.objects.filter(
            enterprise_id=enterprise_id, role__in=UNIT_ROLES, is_active=True
        ).order_by("role", "pk")
    )


def _division_heads(division_id: int) -> list[User]:
    """The coordinators (安委办) of the division and the divisions above it."""
    division = Division.objects.filter(pk=division_id).first()
    return list(
        User.objects.filter(
            division_id__in=scoping.ancestor_ids(division), role=Role.COORDINATOR, is_active=True
        ).order_by("pk")
    )


def accounts_for(obj: Any) -> list[User]:
    """Who answers for a resource: the keeping enterprise's principal and safety officers,
    or, for a government resource, the coordinators of its division and above."""
    if getattr(obj, "enterprise_id", None):
        return _enterprise_heads(obj.enterprise_id)
    return _division_heads(obj.division_id)


def _targets(errors: dict[str, list[str]], targets: Any) -> list[tuple[str, int]]:
    if not isinstance(targets, list | tuple) or not targets:
        errors["targets"] = [_("Choose whom to call.")]
        return []
    out: list[tuple[str, int]] = []
    for i, item in enumerate(targets):
        kind = item.get("kind") if isinstance(item, dict) else None
        pk = item.get("id") if isinstance(item, dict) else None
        if (
            kind not in TARGET_MODELS
            or isinstance(pk, bool)
            or not isinstance(pk, int)
            or not 1 <= pk < 2**63
        ):
            errors.setdefault(f"targets.{i}", []).append(_("Choose a valid option."))
            continue
        if (kind, pk) not in out:
            out.append((kind, pk))
    if len(out) > 50:
        errors["targets"] = [_("At most %(n)d at once.") % {"n": 50}]
    return out


def incident_call(*, actor: Actor, incident_id: Any, targets: Any) -> list[ResponseCall]:
    """Call resources: one ResponseCall per target (a target is called once per incident),
    its distance and ETA as ranked now, the accounts behind it notified and the phone
    numbers dialled written to the timeline and the log."""
    errors: dict[str, list[str]] = {}
    wanted = _targets(errors, targets)
    with transaction.atomic():
        incident = _lock(actor, incident_id)
        _require_active(incident)
        if errors:
            raise ValidationFailed(errors)
        lat, lon = _f(incident.latitude), _f(incident.longitude)
        found: dict[tuple[str, int], Any] = {}
        for kind in {k for k, _pk in wanted}:
            ids = [pk for k, pk in wanted if k == kind]
            for obj in TARGET_MODELS[kind].objects.filter(
                open_to(actor.user), pk__in=ids, active=True
            ):
                found[(kind, obj.pk)] = obj
        missing = [i for i, key in enumerate(wanted) if key not in found]
        if missing:
            raise ValidationFailed(
                {f"targets.{i}": [_("No such resource in service.")] for i in missing}
            )
        already = set(
            ResponseCall.objects.filter(
                incident=incident,
                target_kind__in=[k for k, _pk in wanted],
                target_id__in=[pk for _k, pk in wanted],
            ).values_list("target_kind", "target_id")
        )
        if any(key in already for key in wanted):
            raise Conflict(_("Already called for this incident."))
        calls = []
        link = reverse("emergency:incident", args=[incident.pk])
        for kind, pk in wanted:
            obj = found[(kind, pk)]
            km = minutes = None
            if obj.latitude is not None and obj.longitude is not None:
                km = geo.haversine_km(lat, lon, _f(obj.latitude), _f(obj.longitude))
                minutes = geo.eta_minutes(km, readiness=getattr(obj, "readiness_minutes", 0))
            accounts = accounts_for(obj)
            phone = _phone_of(obj)
            try:
                with transaction.atomic():
                    call = ResponseCall.objects.create(
                        incident=incident,
                        target_kind=kind,
                        target_id=pk,
                        target_name=obj.name[:120],
                        phone=phone[:32],
                        user=accounts[0] if accounts else None,
                        distance_km=None if km is None else Decimal(f"{km:.2f}"),
                        eta_minutes=minutes,
                        called_by=actor.user,
                    )
            except IntegrityError:
                raise Conflict(_("Already called for this incident.")) from None
            calls.append(call)
            _event(
                actor,
                incident,
                CALL,
                call=call.pk,
                target_kind=kind,
                target_id=pk,
                name=call.target_name,
                phone=phone,
                km=None if km is None else round(km, 2),
                eta_minutes=minutes,
                notified=[u.pk for u in accounts],
            )
            logger.info(
                "incident %s: calling %s %s (%s) at %s",
                incident.pk,
                kind,
                pk,
                obj.name,
                phone or "-",
            )
            notify(
                recipients=accounts,
                kind="assignment",
                title=_("Emergency call: %(title)s") % {"title": incident.title},
                body=_("%(name)s is called to %(place)s (about %(km)s km, %(min)s min).")
                % {
                    "name": obj.name,
                    "place": incident.place or f"{lat:.5f}, {lon:.5f}",
                    "km": "-" if km is None else f"{km:.1f}",
                    "min": "-" if minutes is None else minutes,
                },
                link=link,
                object_label=incident.title,
            )
        audit_append(
            actor=actor,
            action="incident_call",
            obj=incident,
            summary=f"incident {incident.pk}: {len(calls)} called",
            changes={"calls": [[c.target_kind, c.target_id, c.phone] for c in calls]},
        )
    return calls


def _call_of(user: User, call_id: Any) -> ResponseCall:
    """The call if the user commands its incident or answers for the called resource
    (a user of the keeping enterprise); else NotFound."""
    try:
        pk = int(call_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such call.")) from None
    if not 1 <= pk < 2**63:
        raise NotFound(_("No such call."))
    call = ResponseCall.objects.select_for_update().filter(pk=pk).first()
    if call is None:
        raise NotFound(_("No such call."))
    return call


def answers_own_call(user: Any, call: ResponseCall) -> bool:
    if not (scoping.is_active_user(user) and user.role in ENTERPRISE_ROLES and user.enterprise_id):
        return False
    model = TARGET_MODELS.get(call.target_kind)
    if model is None or call.target_id is None:
        return False
    return model.objects.filter(pk=call.target_id, enterprise_id=user.enterprise_id).exists()


def call_answer(*, actor: Actor, call_id: Any, answer: Any) -> ResponseCall:
    """Record an answer: on the way, arrived or declined (the command officer records it,
    or a user of the called team's enterprise answers their own call). The call is
    locked: two answers at once are taken one after the other, and the second is a
    Conflict when the first made it final or the same."""
    user = _actor_user(actor)
    if answer not in (Answer.ACCEPTED, Answer.ARRIVED, Answer.DECLINED):
        raise ValidationFailed({"answer": [_("Choose a valid option.")]})
    with transaction.atomic():
        call = _call_of(user, call_id)
        incident = Incident.objects.select_for_update().get(pk=call.incident_id)
        commands = visible_incidents(user).filter(pk=incident.pk).exists() and may_command(
            user, incident
        )
        own = answers_own_call(user, call)
        if not (commands or own):
            if visible_incidents(user).filter(pk=incident.pk).exists():
                raise Forbidden(_("Only the command or the called unit may answer."))
            raise NotFound(_("No such call."))
        _require_active(incident)
        if answer not in NEXT_ANSWERS[call.answer]:
            raise Conflict(_("This call was already answered."))
        now = timezone.now()
        before = call.answer
        call.answer = answer
        if call.answered_at is None:
            call.answered_at = now
        if answer == Answer.ARRIVED:
            call.arrived_at = now
        call.save(update_fields=["answer", "answered_at", "arrived_at"])
        _event(
            actor,
            incident,
            ANSWER,
            call=call.pk,
            name=call.target_name,
            answer=answer,
            before=before,
            after_minutes=round((now - call.called_at).total_seconds() / 60, 1),
        )
        audit_append(
            actor=actor,
            action="incident_call_answer",
            obj=call,
            summary=f"incident {incident.pk} call {call.pk}: {before} → {answer}",
            changes={"answer": [before, answer]},
        )
    return call


def incident_note(*, actor: Actor, incident_id: Any, note: Any) -> IncidentEvent:
    errors: dict[str, list[str]] = {}
    text = clean_text(errors, note, "note", required=True, limit=1000)
    with transaction.atomic():
        incident = _lock(actor, incident_id)
        _require_active(incident)
        if errors:
            raise ValidationFailed(errors)
        event = IncidentEvent.objects.create(
            incident=incident, action=NOTE, actor=actor.user, note=text
        )
        audit_append(
            actor=actor,
            action="incident_note",
            obj=incident,
            summary=f"incident {incident.pk}: note",
            changes={"note": text[:200]},
        )
    return event


def incident_close(
    *,
    actor: Actor,
    incident_id: Any,
    outcome: Any,
    casualties: Any = "",
    lessons: Any = "",
    revise_plans: Any = False,
) -> Incident:
    """Close the response with its close-out report (what happened, casualties, lessons).
    With `revise_plans`, the lessons become a revision trigger (reason: a real response
    revealed major problems, 应急预案管理办法 第三十六条) on each plan the response
    activated that the actor may raise one on, in the same transaction."""
    errors: dict[str, list[str]] = {}
    out = clean_text(errors, outcome, "outcome", required=True, limit=TEXT_LIMIT)
    hurt = clean_text(errors, casualties, "casualties", limit=TEXT_LIMIT)
    learnt = clean_text(errors, lessons, "lessons", limit=TEXT_LIMIT)
    revise = revise_plans in (True, "on", "1", "true", "yes")
    if revise_plans not in (True, False, None, "", "on", "1", "true", "yes", "0", "false", "no"):
        errors["revise_plans"] = [_("Choose yes or no.")]
    if revise and not learnt and "lessons" not in errors:
        errors["lessons"] = [_("State the lessons that call for revising the plans.")]
    with transaction.atomic():
        incident = _lock(actor, incident_id)
        _require_active(incident)
        if errors:
            raise ValidationFailed(errors)
        incident.state = IncidentState.CLOSED
        incident.closed_at = timezone.now()
        incident.outcome, incident.casualties, incident.lessons = out, hurt, learnt
        incident.save(update_fields=["state", "closed_at", "outcome", "casualties", "lessons"])
        waiting = incident.calls.filter(answer=Answer.WAITING).count()
        triggers = _revision_triggers(actor, incident, learnt) if revise else []
        _event(actor, incident, CLOSE, waiting_calls=waiting, revision_triggers=triggers)
        audit_append(
            actor=actor,
            action="incident_close",
            obj=incident,
            summary=f"incident {incident.pk} closed",
            changes={"outcome": out[:200], "casualties": hurt[:200], "lessons": learnt[:200]},
        )
    return incident


def _revision_triggers(actor: Actor, incident: Incident, lessons: str) -> list[int]:
    """Revision triggers on the activated plans still in force that the actor may raise
    one on (the unit's head, a regulator who sees the plan); ids of those raised."""
    from . import plan_services
    from .models import PlanState, RevisionReason

    raised = []
    in_force = (PlanState.ISSUED, PlanState.SUBMITTED, PlanState.RETURNED, PlanState.FILED)
    for plan_id in incident.plans.filter(state__in=in_force).values_list("pk", flat=True):
        try:
            trigger = plan_services.revision_trigger_raise(
                actor=actor,
                plan_id=plan_id,
                reason=RevisionReason.ACCIDENT,
                note=lessons[:2000],
                accident_id=incident.accident_id,
            )
        except (Forbidden, NotFound, Conflict):
            continue
        raised.append(trigger.pk)
    return raised


# --- reading -------------------------------------------------------------------------------


def incident_for(user: Any, incident_id: Any) -> Incident:
    try:
        pk = int(incident_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such incident in your scope.")) from None
    if not 1 <= pk < 2**63:
        raise NotFound(_("No such incident in your scope."))
    incident = (
        visible_incidents(user)
        .select_related("division", "enterprise", "started_by")
        .filter(pk=pk)
        .first()
    )
    if incident is None:
        raise NotFound(_("No such incident in your scope."))
    return incident


def timeline(incident: Incident) -> dict[str, Any]:
    """The live part of the incident page: the events and the calls with their answers."""
    labels = action_labels()
    answers = dict(Answer.choices)
    kinds = dict(TargetKind.choices)
    events = [
        {
            "id": e.pk,
            "action": e.action,
            "label": labels.get(e.action, e.action),
            "at": timezone.localtime(e.at).isoformat(),
            "actor": (e.actor.display_name or e.actor.get_username()) if e.actor else "",
            "note": e.note,
            "name": e.data.get("name", ""),
            "phone": e.data.get("phone", ""),
            "answer": answers.get(e.data.get("answer", ""), ""),
        }
        for e in incident.events.select_related("actor").order_by("at", "pk")
    ]
    calls = [
        {
            "id": c.pk,
            "kind": c.target_kind,
            "kind_label": kinds.get(c.target_kind, c.target_kind),
            "target_id": c.target_id,
            "name": c.target_name,
            "phone": c.phone,
            "km": None if c.distance_km is None else format(c.distance_km, "f"),
            "eta_minutes": c.eta_minutes,
            "answer": c.answer,
            "answer_label": answers.get(c.answer, c.answer),
            "called_at": timezone.localtime(c.called_at).isoformat(),
            "answered_at": c.answered_at and timezone.localtime(c.answered_at).isoformat(),
            "arrived_at": c.arrived_at and timezone.localtime(c.arrived_at).isoformat(),
            "next": sorted(NEXT_ANSWERS[c.answer])
            if incident.state == IncidentState.ACTIVE
            else [],
        }
        for c in incident.calls.order_by("called_at", "pk")
    ]
    return {
        "incident": incident.pk,
        "state": incident.state,
        "events": events,
        "calls": calls,
    }

"""Pages of the one-click response (issue 14 items 4 and 6): the incidents, the one-click
page (a map of the jurisdiction to click the place on, the type, start), the live
incident page (the map with the ranked resources and the routes of those called, the
ranked table with call and answer buttons, the plans, the timeline polled as JSON) and
the printable close-out report. Views parse, call one service and render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anjian.accounts.models import ENTERPRISE_ROLES, Role
from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.registry.models import Enterprise

from . import response_services as rs
from .models import GB6441_TYPES, Answer, IncidentSource, IncidentState, response_level_label

PAGE_SIZE = 30
FRAME_LIMIT = 500  # enterprises drawn as landmarks on the one-click map


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, "web")


def _require_user(user: Any) -> None:
    # As the accident pages: regulators, enterprise staff, the platform administrator.
    if not (
        scoping.is_active_user(user)
        and (user.is_regulator or user.role in ENTERPRISE_ROLES or user.role == Role.PLATFORM_ADMIN)
    ):
        raise PermissionDenied(_("Your role does not use this page."))


def _incident(request: HttpRequest, incident_id: int):
    try:
        return rs.incident_for(request.user, incident_id)
    except NotFound:
        raise Http404(_("No such incident in your scope.")) from None


def _areas(user: Any) -> list[dict[str, Any]]:
    # The township areas as the jurisdiction risk map draws them (risks.views).
    from anjian.risks.views import township_areas

    return township_areas(user)


def _landmarks(user: Any) -> list[list[Any]]:
    rows = (
        scoping.visible(user, Enterprise)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("pk")
        .values_list("pk", "name", "longitude", "latitude")[:FRAME_LIMIT]
    )
    return [[float(lon), float(lat), name, pk] for pk, name, lon, lat in rows]


def _map_labels() -> dict[str, str]:
    return {
        "lon": _("longitude"),
        "lat": _("latitude"),
        "incident": _("incident"),
        "team": _("rescue team"),
        "expert": _("expert"),
        "warehouse": _("supplies warehouse"),
        "shelter": _("shelter"),
        "enterprise": _("enterprise"),
        "km": _("km"),
        "min": _("min"),
        "no_position": _("The device position is not available."),
    }


# --- list -----------------------------------------------------------------------------------


@login_required
@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_user(user)
    qs = rs.visible_incidents(user).select_related("division", "enterprise")
    state = request.GET.get("state", "")
    if state in IncidentState.values:
        qs = qs.filter(state=state)
    page = Paginator(qs.order_by("-started_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "emergency/response_list.html",
        {
            "page": page,
            "state": state,
            "states": IncidentState.choices,
            "may_start": rs.may_start(user),
        },
    )


# --- the one-click page ---------------------------------------------------------------------


def _prefill(request: HttpRequest) -> tuple[dict[str, Any], str | None]:
    user = request.user
    try:
        if request.GET.get("alarm"):
            pre = rs.prefill_from_alarm(user, request.GET["alarm"])
            source, ref = IncidentSource.ALARM, ("alarm", pre.alarm.pk)
        elif request.GET.get("accident"):
            pre = rs.prefill_from_accident(user, request.GET["accident"])
            source, ref = IncidentSource.ACCIDENT, ("accident", pre.accident.pk)
        else:
            return {"source": IncidentSource.ENTERED}, None
    except ValidationFailed as exc:
        return {"source": IncidentSource.ENTERED}, " ".join(
            m for ms in exc.errors.values() for m in ms
        )
    values = {
        "source": source,
        ref[0]: ref[1],
        "title": pre.title,
        "place": pre.place,
        "latitude": "" if pre.latitude is None else str(pre.latitude),
        "longitude": "" if pre.longitude is None else str(pre.longitude),
        "accident_type": pre.accident_type,
        "enterprise": pre.enterprise.pk if pre.enterprise else "",
        "division": pre.division.pk if pre.division else "",
    }
    return values, None


FIELDS = (
    "title",
    "place",
    "latitude",
    "longitude",
    "accident_type",
    "response_level",
    "enterprise",
    "division",
    "source",
    "alarm",
    "accident",
)


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not rs.may_start(user):
        raise PermissionDenied(
            _(
                "Only a coordinator, a department officer or the enterprise's head may start a response."
            )
        )
    errors: dict[str, list[str]] = {}
    notice = None
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in FIELDS}
        try:
            incident = rs.incident_start(actor=_actor(request), data=values)
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        except Forbidden as exc:
            raise PermissionDenied(str(exc)) from None
        else:
            return redirect("emergency:incident", incident.pk)
    else:
        values, notice = _prefill(request)
    return render(
        request,
        "emergency/response_new.html",
        {
            "values": values,
            "errors": errors,
            "notice": notice,
            "types": GB6441_TYPES,
            "levels": [(code, response_level_label(code)) for code in rs.RESPONSE_LEVELS],
            "enterprises": rs.enterprises_for(user).order_by("name")[:500],
            "divisions": rs.divisions_for(user)[:500],
            "is_unit": user.enterprise_id is not None,
            "map": {"areas": _areas(user), "landmarks": _landmarks(user), "labels": _map_labels()},
        },
        status=status,
    )


# --- the live incident page -----------------------------------------------------------------


def _detail(request: HttpRequest, incident, *, refusal: str | None = None, status: int = 200):
    user = request.user
    found = rs.incident_match(incident, viewer=user)
    line = rs.timeline(incident)
    called = {(c["kind"], c["target_id"]): c for c in line["calls"]}
    rows = [
        {"r": r, "call": called.get((r.kind, r.id)), "kind_label": _map_labels()[r.kind]}
        for r in found.all()
    ]
    commands = rs.may_command(user, incident)
    active = incident.state == IncidentState.ACTIVE
    resources = [
        {
            "kind": r.kind,
            "id": r.id,
            "name": r.name,
            "lon": r.longitude,
            "lat": r.latitude,
            "km": r.km,
            "min": r.minutes,
        }
        for r in found.all()
    ]
    # Those called but no longer on the short list still get their route on the map.
    listed = {(r.kind, r.id) for r in found.all()}
    return render(
        request,
        "emergency/response_incident.html",
        {
            "incident": incident,
            "type_name": rs.TYPE_NAMES.get(incident.accident_type, ""),
            "found": found,
            "rows": rows,
            "plans": list(incident.plans.order_by("kind", "pk")),
            "timeline": line,
            "commands": commands,
            "active": active,
            "refusal": refusal,
            "answers": [
                (Answer.ACCEPTED, _("on the way")),
                (Answer.ARRIVED, _("arrived")),
                (Answer.DECLINED, _("declined")),
            ],
            "labels": dict(
                zip(("team", "expert", "warehouse", "shelter"), _kind_plurals(), strict=True)
            ),
            "map": {
                "areas": _areas(user),
                "incident": {
                    "lon": float(incident.longitude),
                    "lat": float(incident.latitude),
                    "name": incident.title,
                },
                "resources": resources,
                "called_elsewhere": [
                    [c["kind"], c["target_id"]]
                    for c in line["calls"]
                    if (c["kind"], c["target_id"]) not in listed
                ],
                "labels": _map_labels(),
            },
            "poll": {
                "url": reverse("emergency:incident-timeline", args=[incident.pk]),
                "seconds": 5,
            },
            "printed_at": timezone.now(),
        },
        status=status,
    )


def _kind_plurals() -> tuple[str, str, str, str]:
    return (
        _("Nearest rescue teams"),
        _("Nearest experts"),
        _("Warehouses with fitting supplies"),
        _("Nearest shelters"),
    )


@login_required
@require_GET
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    _require_user(request.user)
    return _detail(request, _incident(request, incident_id))


def _step(request: HttpRequest, incident_id: int, run) -> HttpResponse:
    """Run one service; back to the incident page, or the page again with the refusal."""
    try:
        run()
    except NotFound:
        raise Http404(_("No such incident in your scope.")) from None
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except Conflict as exc:
        return _detail(request, _incident(request, incident_id), refusal=str(exc), status=409)
    except ValidationFailed as exc:
        text = " ".join(m for ms in exc.errors.values() for m in ms)
        return _detail(request, _incident(request, incident_id), refusal=text, status=422)
    return redirect(reverse("emergency:incident", args=[incident_id]) + "#ranked")


@login_required
@require_POST
def incident_call(request: HttpRequest, incident_id: int) -> HttpResponse:
    targets = []
    for value in request.POST.getlist("target"):
        kind, _sep, pk = value.partition(":")
        targets.append({"kind": kind, "id": int(pk) if pk.isascii() and pk.isdigit() else 0})
    return _step(
        request,
        incident_id,
        lambda: rs.incident_call(actor=_actor(request), incident_id=incident_id, targets=targets),
    )


@login_required
@require_POST
def call_answer(request: HttpRequest, call_id: int) -> HttpResponse:
    from .models import ResponseCall

    incident_id = (
        ResponseCall.objects.filter(pk=call_id).values_list("incident_id", flat=True).first()
    )
    if incident_id is None:
        raise Http404(_("No such call."))
    answer = request.POST.get("answer", "")
    try:
        rs.call_answer(actor=_actor(request), call_id=call_id, answer=answer)
    except NotFound:
        raise Http404(_("No such call.")) from None
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except (Conflict, ValidationFailed) as exc:
        if not rs.visible_incidents(request.user).filter(pk=incident_id).exists():
            return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
        text = (
            str(exc)
            if isinstance(exc, Conflict)
            else " ".join(m for ms in exc.errors.values() for m in ms)
        )
        return _detail(request, _incident(request, incident_id), refusal=text, status=409)
    if not rs.visible_incidents(request.user).filter(pk=incident_id).exists():
        # A team's own staff answering their call from a notification: nothing more to show.
        return HttpResponse(_("Answer recorded."), content_type="text/plain; charset=utf-8")
    return redirect(reverse("emergency:incident", args=[incident_id]) + "#ranked")


@login_required
@require_POST
def incident_note(request: HttpRequest, incident_id: int) -> HttpResponse:
    note = request.POST.get("note", "")
    return _step(
        request,
        incident_id,
        lambda: rs.incident_note(actor=_actor(request), incident_id=incident_id, note=note),
    )


@login_required
@require_POST
def incident_close(request: HttpRequest, incident_id: int) -> HttpResponse:
    fields = {k: request.POST.get(k, "") for k in ("outcome", "casualties", "lessons")}
    fields["revise_plans"] = bool(request.POST.get("revise_plans"))
    response = _step(
        request,
        incident_id,
        lambda: rs.incident_close(actor=_actor(request), incident_id=incident_id, **fields),
    )
    if response.status_code == 302:
        return redirect("emergency:incident-report", incident_id)
    return response


@login_required
@require_GET
def incident_timeline(request: HttpRequest, incident_id: int) -> JsonResponse:
    _require_user(request.user)
    return JsonResponse(rs.timeline(_incident(request, incident_id)))


@login_required
@require_GET
def incident_report(request: HttpRequest, incident_id: int) -> HttpResponse:
    """The close-out report (printable): the incident, plans activated, who was called and
    when they answered and arrived, the timeline, outcome, casualties and lessons."""
    _require_user(request.user)
    incident = _incident(request, incident_id)
    line = rs.timeline(incident)
    calls = list(incident.calls.order_by("called_at", "pk"))
    arrived = [c for c in calls if c.arrived_at]
    return render(
        request,
        "emergency/response_report.html",
        {
            "incident": incident,
            "type_name": rs.TYPE_NAMES.get(incident.accident_type, ""),
            "plans": list(incident.plans.order_by("kind", "pk")),
            "calls": calls,
            "timeline": line,
            "figures": {
                "called": len(calls),
                "arrived": len(arrived),
                "declined": sum(1 for c in calls if c.answer == Answer.DECLINED),
                "first_arrival_minutes": min(
                    (
                        round((c.arrived_at - incident.started_at).total_seconds() / 60)
                        for c in arrived
                    ),
                    default=None,
                ),
            },
            "printed_at": timezone.now(),
        },
    )


@login_required
@require_GET
def incident_report_docx(request: HttpRequest, incident_id: int) -> HttpResponse:
    """The close-out report as a Word document (closeout.py)."""
    from anjian.core.wordoc import CONTENT_TYPE

    from .closeout import CallRow, CloseOut, closeout_docx

    _require_user(request.user)
    incident = _incident(request, incident_id)
    local = timezone.localtime
    report = CloseOut(
        number=incident.pk,
        title=incident.title,
        type_code=incident.accident_type,
        type_name=rs.TYPE_NAMES.get(incident.accident_type, ""),
        response_level=incident.response_level_label,
        place=incident.place,
        latitude=format(incident.latitude, "f"),
        longitude=format(incident.longitude, "f"),
        division=incident.division.name,
        enterprise=incident.enterprise.name if incident.enterprise else "",
        started_at=local(incident.started_at),
        started_by=str(incident.started_by.display_name or incident.started_by),
        closed_at=incident.closed_at and local(incident.closed_at),
        outcome=incident.outcome,
        casualties=incident.casualties,
        lessons=incident.lessons,
        plans=[
            f"{p.get_kind_display()}：{p.title}（第{p.version}版）"
            for p in incident.plans.order_by("kind", "pk")
        ],
        calls=[
            CallRow(
                kind=c.target_kind,
                name=c.target_name,
                phone=c.phone,
                km="" if c.distance_km is None else format(c.distance_km, "f"),
                eta_minutes=c.eta_minutes,
                called_at=local(c.called_at),
                answer=c.answer,
                arrived_at=c.arrived_at and local(c.arrived_at),
            )
            for c in incident.calls.order_by("called_at", "pk")
        ],
        timeline=[
            (
                local(e.at),
                " ".join(
                    x
                    for x in (
                        rs.action_labels().get(e.action, e.action),
                        e.data.get("name", ""),
                        e.data.get("phone", ""),
                        e.note,
                    )
                    if x
                ),
            )
            for e in incident.events.order_by("at", "pk")
        ],
    )
    response = HttpResponse(closeout_docx(report), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="incident-{incident.pk}-closeout.docx"'
    return response

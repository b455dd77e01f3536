"""Self-check pages, phone first.

Enterprise staff: "my checks today" (due now, started, missed and still to fill, done),
the check page item by item (answer, note, photo from the camera, position and time from
the device; the draft survives a dropped connection in localStorage and is resubmitted
with the same token: static/checks/checks.js), a record, and the enterprise's records.
Regulators in scope and the platform administrator: an enterprise's records and each
record. Everything through anjian.core.scoping: out of scope is 404; a role that does not
use a page gets 403.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anjian.core import scoping, uploads
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.sections import REGISTRY_ROLES
from anjian.risks.models import CheckTask

from . import evidence, services
from .models import (
    AnswerStatus,
    AuthenticityRun,
    CheckAnswer,
    CheckRecord,
    EnterpriseAuthenticity,
    RecordFlag,
    RecordState,
    TaskItem,
    Timing,
)
from .names import evidence_names

PAGE_SIZE = 50
MISSED_SHOWN = 50


def is_enterprise_user(user: Any) -> bool:
    return bool(
        scoping.is_active_user(user)
        and user.enterprise_id
        and services.is_staff_of(user, user.enterprise_id)
    )


def is_regulator(user: Any) -> bool:
    return scoping.is_active_user(user) and user.role in REGISTRY_ROLES


def _require_enterprise_user(user: Any) -> None:
    if not is_enterprise_user(user):
        raise PermissionDenied(_("Your role does not use this page."))


def _tasks_with_context():
    return CheckTask.objects.select_related(
        "installation", "measure__event__unit", "adoption__unit"
    ).prefetch_related(Prefetch("items", queryset=TaskItem.objects.order_by("position")))


# --- today ----------------------------------------------------------------------------------


def today_board(user: Any, now=None) -> dict[str, list[dict[str, Any]]]:
    """The enterprise's active tasks in their current period (due / started / done) and
    the missed periods not yet filled: four queries whatever the number of tasks."""
    now = now or timezone.now()
    tasks = list(
        _tasks_with_context().filter(enterprise_id=user.enterprise_id, active=True).order_by("pk")
    )
    current = {task.pk: services.period_of(task, now) for task in tasks}
    records = {
        (r.task_id, r.period_start): r
        for r in CheckRecord.objects.filter(
            enterprise_id=user.enterprise_id,
            corrects__isnull=True,
            period_start__in={p.start for p in current.values()},
        )
    }
    board: dict[str, list[dict[str, Any]]] = {"due": [], "started": [], "done": [], "missed": []}
    for task in tasks:
        period = current[task.pk]
        record = records.get((task.pk, period.start))
        row = {
            "task": task,
            "period": period,
            "record": record,
            "items": len(services.task_items(task)),
            "place": services.place_of(task),
        }
        if record is None:
            board["due"].append(row)
        elif record.state == RecordState.SUBMITTED:
            board["done"].append(row)
        else:
            board["started"].append(row)
    missed = (
        CheckRecord.objects.filter(
            enterprise_id=user.enterprise_id, state=RecordState.MISSED, corrects__isnull=True
        )
        .select_related(
            "task__installation", "task__measure__event__unit", "task__adoption__unit", "checker"
        )
        .order_by("-period_start")[:MISSED_SHOWN]
    )
    board["missed"] = [
        {"task": r.task, "record": r, "place": services.place_of(r.task)} for r in missed
    ]
    return board


def _today_context(user: Any, now: Any) -> dict[str, Any]:
    board = today_board(user, now)
    return {
        "board": board,
        "due_total": len(board["due"]) + len(board["started"]),
        "now": now,
        "new_token": uuid.uuid4,  # called by the template: a fresh token per form
        "section": "checks",
    }


@login_required
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_enterprise_user(user)
    now = timezone.now()
    return render(request, "checks/today.html", _today_context(user, now))


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_enterprise_user(user)
    try:
        task_id = int(request.POST.get("task_id", ""))
        corrects = request.POST.get("corrects_id") or None
        corrects_id = int(corrects) if corrects else None
    except ValueError as exc:
        raise Http404 from exc
    try:
        record = services.check_start(
            actor=Actor.for_user(user, "web"),
            task_id=task_id,
            client_token=request.POST.get("client_token"),
            device_id=request.POST.get("device_id", ""),
            device_time=request.POST.get("device_time") or None,
            period_start=request.POST.get("period_start") or None,
            corrects_id=corrects_id,
        )
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    except (Conflict, ValidationFailed) as exc:
        message = (
            " ".join(m for ms in exc.errors.values() for m in ms)
            if isinstance(exc, ValidationFailed)
            else str(exc)
        )
        context = {**_today_context(user, timezone.now()), "error": message}
        return render(request, "checks/today.html", context, status=409)
    return redirect("checks:fill", record.pk)


# --- the check page ---------------------------------------------------------------------------


def _form_data(request: HttpRequest, items: list[services.Item]) -> dict[str, Any]:
    post = request.POST
    answers = {}
    for item in items:
        key = str(item.position)
        answers[key] = {"status": post.get(f"status_{key}"), "note": post.get(f"note_{key}", "")}
    data: dict[str, Any] = {"answers": answers}
    for name in (
        "lat",
        "lon",
        "accuracy",
        "device_id",
        "device_started_at",
        "device_submitted_at",
        "note",
    ):
        if post.get(name) not in (None, ""):
            data[name] = post.get(name)
    return data


def _photos(request: HttpRequest, items: list[services.Item]) -> dict[str, Any]:
    out = {}
    for item in items:
        upload = request.FILES.get(f"photo_{item.position}")
        if upload is not None:
            out[str(item.position)] = upload
    return out


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_http_methods(["GET", "POST"])
def fill(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    record = get_object_or_404(
        scoping.visible(user, CheckRecord).select_related(
            "task__installation",
            "task__measure__event__unit",
            "task__adoption__unit",
            "checker",
            "corrects",
        ),
        pk=pk,
    )
    if record.state == RecordState.SUBMITTED and request.method == "GET":
        return redirect("checks:detail", record.pk)
    if record.checker_id != user.pk:
        raise PermissionDenied(_("Only the checker who started this check fills it in."))
    task = record.task
    items = services.task_items(task)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if request.method == "POST":
        try:
            done = services.check_submit(
                actor=Actor.for_user(user, "web"),
                record_id=record.pk,
                client_token=request.POST.get("client_token"),
                data=_form_data(request, items),
                photos=_photos(request, items),
            )
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except Forbidden as exc:
            if _wants_json(request):
                return JsonResponse({"errors": {"__all__": [str(exc)]}}, status=403)
            raise PermissionDenied(str(exc)) from exc
        except Conflict as exc:
            errors = {"__all__": [str(exc)]}
            status = 409
        except ValidationFailed as exc:
            errors = exc.errors
            status = 422
        else:
            url = reverse("checks:detail", args=[done.pk])
            if _wants_json(request):
                return JsonResponse({"id": done.pk, "timing": done.timing, "url": url})
            return redirect(url)
        if _wants_json(request):
            return JsonResponse({"errors": errors}, status=status)
        values = _form_data(request, items)["answers"]
    rows = [
        {
            "item": item,
            "key": str(item.position),
            "value": values.get(str(item.position), {}),
            "errors": {
                part: errors.get(f"answers.{item.position}.{part}", [])
                for part in ("status", "note", "photo")
            },
        }
        for item in items
    ]
    general = [m for name, ms in errors.items() if not name.startswith("answers.") for m in ms] + [
        m for name, ms in errors.items() if name.count(".") == 1 for m in ms
    ]
    return render(
        request,
        "checks/fill.html",
        {
            "record": record,
            "task": task,
            "place": services.place_of(task),
            "rows": rows,
            "statuses": AnswerStatus.choices,
            "errors": general,
            "late": record.state == RecordState.MISSED or timezone.now() >= record.period_end,
            "section": "checks",
        },
        status=422 if errors else 200,
    )


# --- reading ---------------------------------------------------------------------------------


def _visible_record(user: Any, pk: int) -> CheckRecord:
    if not (is_enterprise_user(user) or is_regulator(user)):
        raise PermissionDenied(_("Your role does not use this page."))
    return get_object_or_404(
        scoping.visible(user, CheckRecord).select_related(
            "enterprise",
            "task__installation",
            "task__measure__event__unit",
            "task__adoption__unit",
            "checker",
            "corrects",
        ),
        pk=pk,
    )


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    record = _visible_record(user, pk)
    answers = list(record.answers.select_related("hazard").order_by("position"))
    correction = CheckRecord.objects.filter(corrects=record).first()
    may_correct = (
        record.state == RecordState.SUBMITTED
        and correction is None
        and services.is_staff_of(user, record.enterprise_id)
    )
    return render(
        request,
        "checks/detail.html",
        {
            "record": record,
            "answers": answers,
            "correction": correction,
            "may_correct": may_correct,
            "new_token": uuid.uuid4,
            "place": services.place_of(record.task),
            "section": "checks",
        },
    )


@login_required
@require_GET
def answer_photo(request: HttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    _visible_record(request.user, pk)
    answer = get_object_or_404(
        scoping.visible(request.user, CheckAnswer).filter(record_id=pk).exclude(photo=""),
        pk=answer_pk,
    )
    return uploads.serve_file(
        request,
        answer.photo,
        file_type=uploads.get_type(answer.photo_format),
        download_name=f"check-{pk}-{answer.position}",
    )


TIMING_FILTERS = {t.value for t in Timing}


@login_required
@require_GET
def records(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    user = request.user
    if not (is_enterprise_user(user) or is_regulator(user)):
        raise PermissionDenied(_("Your role does not use this page."))
    enterprise = get_object_or_404(scoping.visible_enterprises(user), pk=enterprise_id)
    qs = (
        scoping.visible(user, CheckRecord)
        .filter(enterprise_id=enterprise.pk)
        .select_related(
            "task__installation", "task__measure__event__unit", "task__adoption__unit", "checker"
        )
        .annotate(
            item_count=Count("answers"),
            hazard_count=Count("answers", filter=Q(answers__hazard__isnull=False)),
        )
        .order_by("-period_start", "-pk")
    )
    timing = request.GET.get("timing", "")
    if timing in TIMING_FILTERS:
        qs = qs.filter(timing=timing)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(
        CheckRecord.objects.filter(enterprise_id=enterprise.pk)
        .values_list("timing")
        .annotate(n=Count("pk"))
        .values_list("timing", "n")
    )
    return render(
        request,
        "checks/records.html",
        {
            "enterprise": enterprise,
            "page": page,
            "rows": [{"record": r, "place": services.place_of(r.task)} for r in page.object_list],
            "timing": timing,
            "timings": [(value, label, counts.get(value, 0)) for value, label in Timing.choices],
            "section": "checks",
        },
    )


# --- authenticity (issue 12 item 2) ----------------------------------------------------------


def _latest_scores(user: Any):
    """Each enterprise's latest score in the user's scope (one row per enterprise)."""
    latest = (
        EnterpriseAuthenticity.objects.filter(enterprise=OuterRef("enterprise"))
        .order_by("-run_id")
        .values("pk")[:1]
    )
    return scoping.visible(user, EnterpriseAuthenticity).filter(pk=Subquery(latest))


@login_required
@require_GET
def authenticity_list(request: HttpRequest) -> HttpResponse:
    """Regulators: enterprises in scope by their latest authenticity score, lowest first,
    with each signal's evidence. Enterprise staff see only their own page."""
    user = request.user
    if not is_regulator(user):
        raise PermissionDenied(_("Your role does not use this page."))
    qs = _latest_scores(user).select_related("enterprise", "run").order_by("score", "enterprise_id")
    flagged_only = request.GET.get("flag") == "1"
    if flagged_only:
        qs = qs.filter(flag=True)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    names = evidence_names([row.signals for row in rows])
    return render(
        request,
        "checks/authenticity_list.html",
        {
            "page": page,
            "rows": [
                {
                    "score": row,
                    "signals": [evidence.render_enterprise_signal(s, names) for s in row.signals],
                }
                for row in rows
            ],
            "flagged_only": flagged_only,
            "run": AuthenticityRun.objects.order_by("-day").first(),
            "section": "checks",
        },
    )


@login_required
@require_GET
def authenticity_enterprise(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """An enterprise's authenticity: its latest score, the signals with their evidence,
    and its flagged records of that run. Its own staff see it too (transparency)."""
    user = request.user
    if not (is_enterprise_user(user) or is_regulator(user)):
        raise PermissionDenied(_("Your role does not use this page."))
    enterprise = get_object_or_404(scoping.visible_enterprises(user), pk=enterprise_id)
    score = (
        scoping.visible(user, EnterpriseAuthenticity)
        .filter(enterprise_id=enterprise.pk)
        .select_related("run")
        .order_by("-run_id")
        .first()
    )
    page = None
    flags: list[dict[str, Any]] = []
    signals: list[evidence.Rendered] = []
    if score is not None:
        qs = (
            scoping.visible(user, RecordFlag)
            .filter(run_id=score.run_id, enterprise_id=enterprise.pk)
            .select_related(
                "record__task__installation",
                "record__task__measure__event__unit",
                "record__task__adoption__unit",
            )
            .select_related("record__checker")
            .order_by("-record__submitted_at", "-record_id")
        )
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        names = evidence_names([score.signals, *[row.signals for row in rows]])
        signals = [evidence.render_enterprise_signal(s, names) for s in score.signals]
        flags = [
            {
                "flag": row,
                "place": services.place_of(row.record.task),
                "signals": [evidence.render_record_signal(s, names) for s in row.signals],
            }
            for row in rows
        ]
    return render(
        request,
        "checks/authenticity_enterprise.html",
        {
            "enterprise": enterprise,
            "score": score,
            "signals": signals,
            "page": page,
            "flags": flags,
            "can_see_list": is_regulator(user),
            "section": "checks",
        },
    )

"""Pages of whistleblower reports (issue 15 items 1 and 8).

Public, no login, plain forms that work without JavaScript: the portal (`report-new`),
and the reporter's tracking page (`report-track`: code + secret; answers and naming
oneself post back to it). The code and secret are shown once, on the answer to the
submit, never put in a URL or session. Regulators: the list (`report-list`), one report
(`report-detail`) with the steps allowed now (`report-act`) and the reveal form
(`report-reveal`) for holders of public.read_reporter_identity.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anjian.accounts.models import Role
from anjian.accounts.security import client_ip
from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.registry.models import Department

from . import report_forms as f
from . import report_services as services
from . import report_workflow as wf
from .models import Report, ReportEvent

PAGE_SIZE = 30


HAZARD_ERROR_FIELDS = {
    "hazard.description": "hazard_description",
    "hazard.location": "hazard_location",
    "hazard.hazard_type": "hazard_type",
    "hazard.category": "hazard_category",
    "hazard.handling": "hazard_handling",
}


def _add_errors(form: Any, exc: ValidationFailed) -> None:
    for field, messages in exc.errors.items():
        # A new hazard's errors come back as "hazard.<field>" (report_verify).
        name = HAZARD_ERROR_FIELDS.get(field, field)
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


def _too_many(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "public/report_refused.html", {"message": message}, status=429)


# --- public --------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    towns = list(services.townships())
    form = f.SubmitForm(request.POST or None, request.FILES or None, townships=towns)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "photos"}
        try:
            report, secret = services.report_submit(
                data=data, photos=request.FILES.getlist("photos"), address=client_ip(request)
            )
        except services.RateLimited as exc:
            return _too_many(request, str(exc))
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            return render(
                request, "public/report_done.html", {"code": report.tracking_code, "secret": secret}
            )
    return render(
        request, "public/report_new.html", {"form": form}, status=422 if form.errors else 200
    )


def _track_context(report: Report, creds: dict[str, str]) -> dict[str, Any]:
    return {
        "report": report,
        "creds": creds,
        "state_text": services.public_state_text(report),
        # Questions and answers only: never the handler's name or internal events.
        "messages_": [
            {"from_reporter": m.from_reporter, "text": m.text, "at": m.at}
            for m in report.messages.all()
        ],
        "answer_form": f.AnswerForm(),
        "identify_form": f.IdentifyForm(),
        "may_answer": report.state in (*wf.OPEN_STATES, wf.CONCLUDED),
        "may_identify": report.anonymous and report.state not in (wf.DUPLICATE, wf.PAID),
        "concluded": report.state in (wf.CONCLUDED, wf.REWARD_DECIDED, wf.PAID),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def report_track(request: HttpRequest) -> HttpResponse:
    form = f.TrackForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "public/report_track.html", {"form": form})
    creds = {"code": form.cleaned_data["code"], "secret": form.cleaned_data["secret"]}
    address = client_ip(request)
    do = request.POST.get("do", "")
    status = 200
    try:
        if do == "answer":
            services.report_answer(**creds, text=request.POST.get("text", ""), address=address)
        elif do == "identify":
            services.report_identify(**creds, data=request.POST.dict(), address=address)
        report = services.report_track(**creds, address=address)
    except services.RateLimited as exc:
        return _too_many(request, str(exc))
    except NotFound:
        form.add_error(None, _("No report matches this tracking code and secret."))
        return render(request, "public/report_track.html", {"form": form}, status=404)
    except (ValidationFailed, Conflict) as exc:
        report = services.report_track(**creds, address=address)
        ctx = _track_context(report, creds)
        ctx["error"] = (
            "; ".join(m for ms in exc.errors.values() for m in ms)
            if isinstance(exc, ValidationFailed)
            else str(exc)
        )
        return render(
            request,
            "public/report_status.html",
            ctx,
            status=422 if isinstance(exc, ValidationFailed) else 409,
        )
    ctx = _track_context(report, creds)
    if do:
        ctx["done"] = True
    return render(request, "public/report_status.html", ctx, status=status)


# --- regulators ----------------------------------------------------------------------------


def _require_regulator(user: Any) -> None:
    if not (
        scoping.is_active_user(user) and (user.is_regulator or user.role == Role.PLATFORM_ADMIN)
    ):
        raise PermissionDenied(_("Your role does not use this page."))


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    _require_regulator(request.user)
    form = f.FilterForm(request.GET or None)
    qs = services.visible_reports(request.user).select_related("division", "department")
    if form.is_valid():
        for name in ("state", "matter"):
            if form.cleaned_data.get(name):
                qs = qs.filter(**{name: form.cleaned_data[name]})
        if form.cleaned_data.get("overdue"):
            qs = qs.filter(state__in=wf.OPEN_STATES, due_on__lt=timezone.localdate())
    page = Paginator(qs.order_by("-received_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    rows = [(r, services.is_overdue(r, today)) for r in page.object_list]
    return render(request, "public/report_list.html", {"form": form, "page": page, "rows": rows})


def _get(request: HttpRequest, pk: int) -> Report:
    _require_regulator(request.user)
    report = (
        services.visible_reports(request.user)
        .select_related("division", "department", "enterprise", "hazard", "inspection", "accident")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404(_("No such report in your scope."))
    return report


def _departments(report: Report) -> list[Department]:
    return list(
        Department.objects.filter(division_id__in=services._ancestor_ids(report.division)).order_by(
            "name"
        )
    )


FORMS = {
    wf.TRIAGE: f.TriageForm,
    wf.MARK_DUPLICATE: f.DuplicateForm,
    wf.VERIFY: f.VerifyForm,
    wf.CONCLUDE: f.ConcludeForm,
    wf.REWARD: f.RewardForm,
    wf.PAY: f.PayForm,
    wf.EXTEND: f.ExtendForm,
    wf.MESSAGE: f.MessageForm,
}


def _form(action: str, report: Report, data: Any = None) -> Any:
    if action == wf.TRIAGE:
        return f.TriageForm(data, departments=_departments(report), prefix=action)
    return FORMS[action](data, prefix=action)


def _detail(
    request: HttpRequest,
    report: Report,
    *,
    bound: Any = None,
    identity: Any = None,
    reveal_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    steps = services.available(user, report)
    forms_ = []
    for action in steps:
        form = bound[1] if bound and bound[0] == action else _form(action, report)
        forms_.append((action, services.action_labels()[action], form))
    labels = services.action_labels()
    events = [
        (e, labels.get(e.action, e.action))
        for e in ReportEvent.objects.filter(report=report)
        .select_related("actor")
        .order_by("at", "pk")
    ]
    ctx = {
        "report": report,
        "forms": forms_,
        "events": events,
        "messages_": list(report.messages.select_related("author")),
        "photos": list(report.photos.all()),
        "overdue": services.is_overdue(report),
        "duplicates": services.likely_duplicates(user, report)
        if report.state in wf.OPEN_STATES
        else [],
        # The form is shown on every real-name report: an attempt without the permission
        # is refused and recorded like any other.
        "may_reveal": not report.anonymous,
        "reveal_form": reveal_form or f.RevealForm(prefix="reveal"),
        "identity": identity,
    }
    response = render(request, "public/report_detail.html", ctx, status=status)
    if identity:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get(request, pk))


@login_required
@require_POST
def report_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    report = _get(request, pk)
    if action not in FORMS:
        raise Http404
    form = _form(action, report, request.POST)
    actor = Actor.for_user(request.user, "web")
    if not form.is_valid():
        return _detail(request, report, bound=(action, form), status=422)
    data = form.cleaned_data
    calls = {
        wf.TRIAGE: lambda: services.report_triage(actor=actor, report_id=pk, **data),
        wf.MARK_DUPLICATE: lambda: services.report_mark_duplicate(
            actor=actor, report_id=pk, **data
        ),
        wf.VERIFY: lambda: services.report_verify(
            actor=actor, report_id=pk, **form.service_kwargs()
        ),
        wf.CONCLUDE: lambda: services.report_conclude(actor=actor, report_id=pk, **data),
        wf.REWARD: lambda: services.report_reward(actor=actor, report_id=pk, **data),
        wf.PAY: lambda: services.report_pay(actor=actor, report_id=pk, **data),
        wf.EXTEND: lambda: services.report_extend(actor=actor, report_id=pk, **data),
        wf.MESSAGE: lambda: services.report_message(actor=actor, report_id=pk, **data),
    }
    try:
        calls[action]()
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    except Conflict as exc:
        form.add_error(None, str(exc))
        return _detail(request, _get(request, pk), bound=(action, form), status=409)
    except ValidationFailed as exc:
        _add_errors(form, exc)
        return _detail(request, _get(request, pk), bound=(action, form), status=422)
    return redirect("public:report-detail", pk=pk)


@login_required
@require_POST
def report_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get(request, pk)
    form = f.RevealForm(request.POST, prefix="reveal")
    reason = request.POST.get("reveal-reason", "")
    try:
        identity = services.identity_reveal(
            actor=Actor.for_user(request.user, "web"), report_id=pk, reason=reason
        )
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    except (ValidationFailed, Conflict) as exc:
        form.is_valid()
        if isinstance(exc, ValidationFailed):
            _add_errors(form, exc)
        else:
            form.add_error(None, str(exc))
        return _detail(request, report, reveal_form=form, status=422)
    return _detail(request, report, identity=identity)


@login_required
@require_GET
def report_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    """A report's photo, for the regulators who see the report (stored re-encoded, so
    without the camera's metadata)."""
    from anjian.core import uploads

    report = _get(request, pk)
    photo = report.photos.filter(pk=photo_pk).first()
    if photo is None:
        raise Http404
    response = uploads.serve_file(
        request, photo.image, download_name=f"report-{report.pk}-{photo.pk}", max_age=0
    )
    response["Cache-Control"] = "private, no-store"
    return response

"""Pages of workers, training and certificates (issue 15 items 5 and 8). Views parse,
call one service, render; scope by anjian.core.scoping.visible (404 outside it)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from anjian.accounts.models import ENTERPRISE_ROLES
from anjian.core import scoping, sheets
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

from . import idcard, training_importer, training_services, worker_services
from . import training_rules as rules
from .models import Certificate, Worker
from .training_forms import (
    CertificateFilterForm,
    CertificateForm,
    CertificateReviewForm,
    CertificateRevokeForm,
    TrainingForm,
    WorkerEditForm,
    WorkerFilterForm,
    WorkerForm,
)

PAGE_SIZE = 50


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, "web")


def _worker(request: HttpRequest, pk: int) -> Worker:
    worker = (
        worker_services.visible_workers(request.user)
        .select_related("enterprise", "enterprise__industry", "user")
        .filter(pk=pk)
        .first()
    )
    if worker is None:
        raise Http404(_("No such worker in your scope."))
    return worker


def _form_errors(form: Any, exc: ValidationFailed) -> None:
    for name, messages in exc.errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


def _status_label(status: str) -> str:
    return {k: str(v) for k, v in CertificateFilterForm.base_fields["status"].choices if k}.get(
        status, status
    )


def _decorate_certificates(certs: list[Certificate]) -> list[Certificate]:
    """Status and masked number for display (computed here, not in the template)."""
    today = timezone.localdate()
    for c in certs:
        c.status = training_services.status_of(c, today)  # type: ignore[attr-defined]
        c.status_label = _status_label(c.status)  # type: ignore[attr-defined]
        c.number_masked = idcard.mask(c.number)  # type: ignore[attr-defined]
        c.days_left = (  # type: ignore[attr-defined]
            min(c.expires_on, c.review_due or c.expires_on) - today
        ).days
    return certs


@login_required
@require_GET
def workers(request: HttpRequest) -> HttpResponse:
    form = WorkerFilterForm(request.GET or None)
    qs = worker_services.visible_workers(request.user).select_related("enterprise")
    active = "1"
    q = ""
    if form.is_valid():
        active = form.cleaned_data["active"] if "active" in request.GET else "1"
        q = form.cleaned_data["q"]
    if active in ("0", "1"):
        qs = qs.filter(active=active == "1")
    if q:
        qs = qs.filter(name__contains=q)
    page = Paginator(qs.order_by("enterprise__name", "name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for w in page.object_list:
        w.masked = idcard.mask(w.id_number)
    return render(
        request,
        "people/worker_list.html",
        {
            "form": form,
            "page": page,
            "may_add": worker_services.may_add(request.user),
            "query": "&".join(
                f"{k}={quote(v)}" for k, v in request.GET.items() if k != "page" and v
            ),
        },
    )


@login_required
@require_GET
def worker(request: HttpRequest, pk: int) -> HttpResponse:
    w = _worker(request, pk)
    trainings = list(w.trainings.all())
    certs = _decorate_certificates(list(w.certificates.all()))
    code = w.enterprise.industry.code if w.enterprise.industry_id else None
    compliance = rules.training_compliance(
        [rules.Course(t.kind, t.hours, t.held_on, t.passed) for t in trainings],
        industry_code=code,
        year=timezone.localdate().year,
        manager_role=training_services.manager_role(w),
    )
    return render(
        request,
        "people/worker_detail.html",
        {
            "worker": w,
            "masked": idcard.mask(w.id_number),
            "trainings": trainings,
            "certificates": certs,
            "compliance": compliance,
            "may_keep": worker_services.may_keep(request.user, w.enterprise_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def worker_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not worker_services.may_add(user):
        raise PermissionDenied(
            _("Only the enterprise's principal or safety officer keeps its workers.")
        )
    accounts = worker_services.linkable_accounts(user.enterprise_id)
    form = WorkerForm(request.POST or None, accounts=accounts)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                w = worker_services.worker_create(actor=_actor(request), data=form.cleaned_data)
            except ValidationFailed as exc:
                _form_errors(form, exc)
            else:
                return redirect("people:worker", w.pk)
        status = 422
    return render(request, "people/worker_form.html", {"form": form, "worker": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def worker_edit(request: HttpRequest, pk: int) -> HttpResponse:
    w = _worker(request, pk)
    if not worker_services.may_keep(request.user, w.enterprise_id):
        raise PermissionDenied(
            _("Only the enterprise's principal or safety officer keeps its workers.")
        )
    accounts = worker_services.linkable_accounts(w.enterprise_id)
    # The keepers' edit page is the one place the full id number is shown.
    initial = {
        "name": w.name,
        "id_number": w.id_number,
        "post": w.post,
        "phone": w.phone,
        "hired_on": w.hired_on,
        "user": w.user_id,
        "active": w.active,
    }
    form = WorkerEditForm(request.POST or None, initial=initial, accounts=accounts)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            active = data.pop("active")
            try:
                worker_services.worker_update(actor=_actor(request), worker_id=w.pk, data=data)
                if active != w.active:
                    worker_services.worker_leave(
                        actor=_actor(request), worker_id=w.pk, active=active
                    )
            except ValidationFailed as exc:
                _form_errors(form, exc)
            else:
                return redirect("people:worker", w.pk)
        status = 422
    return render(request, "people/worker_form.html", {"form": form, "worker": w}, status=status)


def _record_page(request: HttpRequest, pk: int, *, kind: str) -> HttpResponse:
    w = _worker(request, pk)
    if not worker_services.may_keep(request.user, w.enterprise_id):
        raise PermissionDenied(
            _("Only the enterprise's principal or safety officer keeps its records.")
        )
    catalogue = training_services.catalogue()
    if kind == "training":
        form: Any = TrainingForm(request.POST or None)
    else:
        form = CertificateForm(request.POST or None, categories=list(catalogue))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            service = (
                training_services.training_create
                if kind == "training"
                else training_services.certificate_create
            )
            try:
                service(actor=_actor(request), worker_id=w.pk, data=form.cleaned_data)
            except ValidationFailed as exc:
                _form_errors(form, exc)
            except (NotFound, Forbidden) as exc:
                raise Http404(str(exc)) from exc
            else:
                return redirect("people:worker", w.pk)
        status = 422
    items = sorted({i for items in catalogue.values() for i in items})
    return render(
        request,
        f"people/{kind}_form.html",
        {"form": form, "worker": w, "items": items},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_page(request, pk, kind="training")


@login_required
@require_http_methods(["GET", "POST"])
def certificate_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_page(request, pk, kind="certificate")


def _certificate(request: HttpRequest, pk: int) -> Certificate:
    cert = (
        training_services.visible_certificates(request.user)
        .select_related("worker", "worker__enterprise")
        .filter(pk=pk)
        .first()
    )
    if cert is None:
        raise Http404(_("No such certificate in your scope."))
    if not worker_services.may_keep(request.user, cert.worker.enterprise_id):
        raise PermissionDenied(
            _("Only the enterprise's principal or safety officer keeps its records.")
        )
    return cert


def _certificate_step(request: HttpRequest, pk: int, *, step: str) -> HttpResponse:
    """The review (复审) and revocation forms of one certificate."""
    cert = _certificate(request, pk)
    form: Any = (CertificateReviewForm if step == "review" else CertificateRevokeForm)(
        request.POST or None
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if step == "review":
                    training_services.certificate_review(
                        actor=_actor(request), certificate_id=cert.pk, data=form.cleaned_data
                    )
                else:
                    training_services.certificate_revoke(
                        actor=_actor(request),
                        certificate_id=cert.pk,
                        reason=form.cleaned_data["reason"],
                    )
            except ValidationFailed as exc:
                _form_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, str(exc))
            except (NotFound, Forbidden) as exc:
                raise Http404(str(exc)) from exc
            else:
                return redirect("people:worker", cert.worker_id)
        status = 422
    _decorate_certificates([cert])
    return render(
        request,
        "people/certificate_step.html",
        {"form": form, "certificate": cert, "worker": cert.worker, "step": step},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def certificate_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _certificate_step(request, pk, step="review")


@login_required
@require_http_methods(["GET", "POST"])
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    return _certificate_step(request, pk, step="revoke")


@login_required
@require_GET
def certificates(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = CertificateFilterForm(
        request.GET or None, categories=list(training_services.catalogue())
    )
    qs = training_services.visible_certificates(request.user).select_related(
        "worker", "worker__enterprise"
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            qs = training_services.status_filter(qs, data["status"], today)
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["category"]:
            qs = qs.filter(category=data["category"])
        if data["q"]:
            qs = qs.filter(worker__name__contains=data["q"])
    page = Paginator(training_services.with_next_date(qs), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    _decorate_certificates(page.object_list)
    return render(
        request,
        "people/certificate_list.html",
        {
            "form": form,
            "page": page,
            "query": "&".join(
                f"{k}={quote(v)}" for k, v in request.GET.items() if k != "page" and v
            ),
            "notice_days": training_services.notice_days(),
        },
    )


@login_required
@require_GET
def training_compliance(request: HttpRequest) -> HttpResponse:
    user = request.user
    year = timezone.localdate().year
    enterprise_id: int | None = None
    if user.role in ENTERPRISE_ROLES:
        enterprise_id = user.enterprise_id
    elif request.GET.get("enterprise", "").isdigit():
        enterprise_id = int(request.GET["enterprise"])
    context: dict[str, Any] = {"year": year, "rows": None, "summaries": None}
    if enterprise_id:
        try:
            rows = training_services.enterprise_compliance(user, enterprise_id, year)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        context["rows"] = rows
        context["enterprise"] = scoping.visible_enterprises(user).get(pk=enterprise_id)
        context["labels"] = {
            "induction": _("induction incomplete"),
            "annual": _("annual hours short"),
            "manager_initial": _("initial training hours short"),
        }
        for r in rows:
            r.worker.problem_labels = [context["labels"][p] for p in r.result.problems]
    else:
        context["summaries"] = training_services.scope_compliance(user, year)
    return render(request, "people/training_compliance.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def people_import(request: HttpRequest) -> HttpResponse:
    if not worker_services.may_add(request.user):
        raise PermissionDenied(_("Only the enterprise's principal or safety officer imports."))
    kind = request.POST.get("kind") or request.GET.get("kind") or "workers"
    if kind not in training_importer.KINDS:
        kind = "workers"
    errors: list[dict] = []
    result = None
    filename = ""
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors, status = (
                [sheets.file_error(_("Choose the .xlsx file to import.")).as_dict()],
                422,
            )
        else:
            filename = upload.name or ""
            try:
                result = training_importer.import_people(
                    actor=_actor(request), kind=kind, source=upload, filename=filename
                )
            except sheets.ImportRejected as exc:
                errors, status = exc.as_list(), 422
            except Forbidden as exc:
                raise PermissionDenied(str(exc)) from exc
    return render(
        request,
        "people/training_import.html",
        {
            "kind": kind,
            "kinds": [
                {"key": k, "label": training_importer.SHEET_NAMES[k]}
                for k in training_importer.KINDS
            ],
            "columns": training_importer.columns(kind),
            "max_rows": training_importer.MAX_ROWS,
            "errors": errors,
            "result": result,
            "filename": filename,
            "template_url": reverse("people:import-template", args=[kind]),
        },
        status=status,
    )


@login_required
@require_GET
def people_import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in training_importer.KINDS:
        raise Http404
    response = HttpResponse(
        training_importer.build_template(kind), content_type=training_importer.CONTENT_TYPE
    )
    name = training_importer.FILENAMES[kind]
    response["Content-Disposition"] = (
        f"attachment; filename=\"people-{kind}-template.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    return response

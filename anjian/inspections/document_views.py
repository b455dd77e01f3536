"""Pages of enforcement documents (issue 12 item 8): an inspection's documents with the
kinds its inspectors may issue now, the issue form per kind (phone-friendly: one column,
typed inputs), a document's page with its number, hash and correction chain, the
correction form, and the download, which sends the stored bytes only after checking them
against the hash recorded at issue (a mismatch is an error page and an audit entry).

Scoped like the inspections: enterprise staff see their documents once the inspection is
visible to them (an unannounced one after it starts); anyone else out of scope gets 404."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from anjian.accounts.models import ENTERPRISE_ROLES, Role
from anjian.core import scoping, uploads
from anjian.core import wordoc as w
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.penalties.services import visible_penalties

from . import document_services as ds
from . import documents as pure
from . import services
from .document_models import EnforcementDocument
from .models import Finding, Inspection

CHAIN_LIMIT = 50  # corrections of one document followed at most (a chain is short)


def _require_user(user: Any) -> None:
    # 404, not 403: a user without a role in scope learns nothing, not even that it exists.
    if not (
        scoping.is_active_user(user)
        and (user.is_regulator or user.role in ENTERPRISE_ROLES or user.role == Role.PLATFORM_ADMIN)
    ):
        raise Http404(_("Not found."))


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, "web")


def _inspection(request: HttpRequest, pk: int) -> Inspection:
    _require_user(request.user)
    inspection = (
        services.visible_inspections(request.user)
        .select_related("enterprise", "lead_department")
        .prefetch_related("inspectors", "participating_departments")
        .filter(pk=pk)
        .first()
    )
    if inspection is None:
        raise Http404(_("No such inspection in your scope."))
    return inspection


def _document(request: HttpRequest, pk: int) -> EnforcementDocument:
    _require_user(request.user)
    document = (
        ds.visible_documents(request.user)
        .select_related("inspection", "enterprise", "department", "issued_by", "corrects")
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise Http404(_("No such document in your scope."))
    return document


# --- forms -------------------------------------------------------------------------------

_TEXTAREA = forms.Textarea(attrs={"rows": 3})
_CLAUSE_HELP = gettext_lazy("One provision a line, as 《law》article.")


def _clause_lines(clauses: Any) -> str:
    return "\n".join(
        f"《{c.get('law', '')}》{c.get('article', '')}"
        for c in clauses or ()
        if isinstance(c, dict)
    )


class DocumentForm(forms.Form):
    """The inputs of one kind: every inspector's certificate number, then the kind's own."""

    def __init__(
        self, kind: str, inspection: Inspection, *args: Any, correcting: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if correcting:
            self.fields["reason"] = forms.CharField(
                label=gettext_lazy("reason for correction"),
                max_length=ds.TEXT_LIMIT,
                widget=_TEXTAREA,
            )
        self.inspectors = sorted(inspection.inspectors.all(), key=lambda u: u.pk)
        for user in self.inspectors:
            self.fields[f"certificate_{user.pk}"] = forms.CharField(
                label=_("Enforcement certificate number of %(name)s") % {"name": user},
                max_length=ds.CERTIFICATE_LIMIT,
            )
        text = {"required": False, "max_length": ds.TEXT_LIMIT, "widget": _TEXTAREA}
        date = {"required": False, "widget": forms.DateInput(attrs={"type": "date"})}
        f = self.fields
        if kind == pure.CHECK_RECORD:
            f["note"] = forms.CharField(label=gettext_lazy("note"), **text)
        elif kind == pure.RECTIFICATION_ORDER:
            f["deadline"] = forms.DateField(label=gettext_lazy("rectify by"), **date)
            f["requirement"] = forms.CharField(label=gettext_lazy("requirements"), **text)
            f["basis"] = forms.CharField(
                label=gettext_lazy("legal basis"), help_text=_CLAUSE_HELP, **text
            )
        elif kind == pure.ON_SITE_DECISION:
            f["measures"] = forms.CharField(
                label=gettext_lazy("measures (one a line)"),
                max_length=ds.TEXT_LIMIT,
                widget=_TEXTAREA,
            )
            f["lift_condition"] = forms.CharField(label=gettext_lazy("lifted when"), **text)
            f["basis"] = forms.CharField(
                label=gettext_lazy("legal basis"), help_text=_CLAUSE_HELP, **text
            )
        elif kind == pure.REVIEW_OPINION:
            findings = Finding.objects.filter(inspection=inspection).order_by("recorded_at", "pk")
            f["fixed"] = forms.TypedMultipleChoiceField(
                label=gettext_lazy("rectified"),
                coerce=int,
                required=False,
                choices=[(x.pk, x.description[:80]) for x in findings],
                widget=forms.CheckboxSelectMultiple,
            )
            f["reviewed_on"] = forms.DateField(label=gettext_lazy("reviewed on"), **date)
            f["opinion"] = forms.CharField(label=gettext_lazy("opinion"), **text)

    def service_data(self) -> dict[str, Any]:
        """The cleaned input in the shape document_issue takes."""
        data = dict(self.cleaned_data)
        data.pop("reason", None)
        certificates = {u.pk: data.pop(f"certificate_{u.pk}", "") for u in self.inspectors}
        for name in ("deadline", "reviewed_on"):
            if data.get(name) is not None:
                data[name] = data[name].isoformat()
        return {**data, "certificates": certificates}


def _initial(
    kind: str, inspection: Inspection, source: EnforcementDocument | None
) -> dict[str, Any]:
    """What the form starts with: a correction the old document's facts; otherwise the
    certificate numbers the inspectors gave on this inspection's last document."""
    initial: dict[str, Any] = {}
    if kind in (pure.RECTIFICATION_ORDER, pure.ON_SITE_DECISION):
        initial["basis"] = _clause_lines(
            [{"law": c.law, "article": c.article} for c in ds.DEFAULT_BASIS]
        )
    latest = source or (
        EnforcementDocument.objects.filter(inspection=inspection)
        .order_by("-issued_at", "-pk")
        .first()
    )
    if latest is not None:
        by_name = {
            i.get("name"): i.get("certificate", "") for i in latest.facts.get("inspectors", [])
        }
        for user in inspection.inspectors.all():
            if str(user) in by_name:
                initial[f"certificate_{user.pk}"] = by_name[str(user)]
    if source is None:
        return initial
    facts = source.facts
    for name in (
        "note",
        "deadline",
        "requirement",
        "lift_condition",
        "reviewed_on",
        "opinion",
    ):
        if facts.get(name) not in (None, ""):
            initial[name] = facts[name]
    for name in ("measures",):
        if facts.get(name):
            initial[name] = "\n".join(facts[name])
    for name in ("basis",):
        if facts.get(name):
            initial[name] = _clause_lines(facts[name])
    if kind == pure.REVIEW_OPINION:
        fixed = {r.get("finding") for r in facts.get("results", []) if r.get("fixed")}
        initial["fixed"] = [
            f.pk for f in Finding.objects.filter(inspection=inspection) if f.description in fixed
        ]
    return initial


def _errors_to_form(form: DocumentForm, exc: ValidationFailed) -> None:
    for field, errs in exc.errors.items():
        for err in errs:
            form.add_error(field if field in form.fields else None, err)


# --- pages -------------------------------------------------------------------------------


@login_required
@require_GET
def document_list(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk)
    visible = ds.visible_documents(request.user).filter(inspection=inspection)
    documents = (
        visible.filter(penalty__isnull=True)
        .select_related("department", "issued_by", "corrects")
        .order_by("issued_at", "pk")
    )
    # The inspection's penalties with their documents (行政处罚告知书, 决定书): issued by
    # the penalty's workflow, after its no-double-fine check, never by the form below.
    penalties = list(
        visible_penalties(request.user)
        .filter(inspection=inspection)
        .select_related("department")
        .order_by("created_at", "pk")
    )
    by_penalty: dict[int, list[EnforcementDocument]] = {}
    for d in visible.filter(penalty__in=[p.pk for p in penalties]).order_by("issued_at", "pk"):
        by_penalty.setdefault(d.penalty_id, []).append(d)
    for penalty in penalties:
        penalty.document_list = by_penalty.get(penalty.pk, [])
    may = ds.may_issue(request.user, inspection)
    return render(
        request,
        "inspections/documents/list.html",
        {
            "inspection": inspection,
            "documents": documents,
            "kinds": ds.kinds_for(request.user, inspection) if may else [],
            "penalties": penalties,
            # Opening a case is a department officer's (penalty_draft); an inspector is one.
            "may_open_penalty": may and request.user.role == Role.DEPARTMENT_OFFICER,
        },
    )


def _issue_page(
    request: HttpRequest,
    inspection: Inspection,
    kind: str,
    source: EnforcementDocument | None,
) -> HttpResponse:
    if not ds.may_issue(request.user, inspection):
        raise PermissionDenied(
            _("Only the inspection's inspectors or its departments' officers issue documents.")
        )
    if kind in ds.PENALTY_KINDS:
        # Not the form's: the penalty issues them after its checks. Say so, and where.
        return render(
            request,
            "inspections/documents/issue.html",
            {
                "inspection": inspection,
                "kind": kind,
                "title": pure.TITLES[kind],
                "form": None,
                "source": source,
                "refusal": ds.penalty_kind_refusal()
                if source is None
                else _("A document of an administrative penalty is not corrected from this form."),
                "penalty_hint": request.user.role == Role.DEPARTMENT_OFFICER,
            },
            status=409 if request.method == "POST" else 200,
        )
    form = DocumentForm(
        kind,
        inspection,
        request.POST or None,
        initial=_initial(kind, inspection, source),
        correcting=source is not None,
    )
    status = 200
    why = "" if source is not None else ds.refusal(kind, ds.situation(inspection))
    if request.method == "POST" and form.is_valid():
        try:
            if source is None:
                document = ds.document_issue(
                    actor=_actor(request),
                    inspection_id=inspection.pk,
                    kind=kind,
                    data=form.service_data(),
                )
            else:
                document = ds.document_correct(
                    actor=_actor(request),
                    document_id=source.pk,
                    reason=form.cleaned_data["reason"],
                    data=form.service_data(),
                )
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except Forbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        except Conflict as exc:
            why, status = str(exc), 409
        except ValidationFailed as exc:
            _errors_to_form(form, exc)
            status = 400
        else:
            messages.success(
                request, _("Document %(number)s issued.") % {"number": document.number}
            )
            return redirect("enforcement_documents:detail", pk=document.pk)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "inspections/documents/issue.html",
        {
            "inspection": inspection,
            "kind": kind,
            "title": pure.TITLES[kind],
            "form": form,
            "source": source,
            "refusal": why,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_issue(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in pure.KINDS:
        raise Http404(_("No such document kind."))
    return _issue_page(request, _inspection(request, pk), kind, None)


@login_required
@require_http_methods(["GET", "POST"])
def document_correct(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    if document.inspection_id is None:
        raise Http404(_("No such document in your scope."))
    return _issue_page(
        request, _inspection(request, document.inspection_id), document.kind, document
    )


def _chain(document: EnforcementDocument, user: Any) -> list[EnforcementDocument]:
    """The correction chain the document belongs to, oldest first (one query: the
    inspection's documents of its kind)."""
    same = list(
        ds.visible_documents(user)
        .filter(
            inspection_id=document.inspection_id, penalty_id=document.penalty_id, kind=document.kind
        )
        .select_related("issued_by")
    )
    by_pk = {d.pk: d for d in same}
    by_old = {d.corrects_id: d for d in same if d.corrects_id}
    root = document
    for _step in range(CHAIN_LIMIT):
        if root.corrects_id not in by_pk:
            break
        root = by_pk[root.corrects_id]
    chain = [root]
    for _step in range(CHAIN_LIMIT):
        nxt = by_old.get(chain[-1].pk)
        if nxt is None:
            break
        chain.append(nxt)
    return chain if len(chain) > 1 else []


@login_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    chain = _chain(document, request.user)
    corrected = any(d.corrects_id == document.pk for d in chain)
    inspection = document.inspection
    may_correct = (
        inspection is not None
        and document.penalty_id is None
        and document.kind not in ds.PENALTY_KINDS
        and not corrected
        and ds.may_issue(request.user, _inspection(request, inspection.pk))
    )
    return render(
        request,
        "inspections/documents/detail.html",
        {
            "document": document,
            "chain": chain,
            "corrected": corrected,
            "may_correct": may_correct,
        },
    )


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    try:
        content = ds.document_content(actor=_actor(request), document=document)
    except ds.IntegrityFailed:
        # Never the altered bytes, never a 500: a page that says so (the audit has it).
        return render(
            request, "inspections/documents/integrity.html", {"document": document}, status=409
        )
    response = HttpResponse(content, content_type=w.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{document.title}-{document.number}.docx"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = uploads.FILE_CSP
    response["Cache-Control"] = "private, no-store"
    response["X-Document-SHA256"] = document.sha256
    return response

"""Pages of administrative penalties.

Public, without sign-in: the list of seriously untrustworthy subjects as published (name,
credit code or plate, situation, deciding department, period); an ID number is never
shown, not even masked.

Signed in (scoped by anjian.penalties.services.visible_*): the penalty list, a penalty
with its steps (the decide form shows a refused second fine with the first fine), the new
penalty form for department officers, the suspension order's steps on the penalty page,
the listing list, a listing with its steps and the proposal form. Enterprise staff see
their own penalties once noticed and their listings once notified.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anjian.accounts.models import ENTERPRISE_ROLES, Role
from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.inspections import document_services as ds
from anjian.inspections import documents as pure
from anjian.inspections import penalties as rules
from anjian.inspections import untrustworthy as ut
from anjian.inspections.services import visible_inspections

from . import services
from . import workflow as wf
from .models import Listing, ListingState, Penalty, PenaltyKind, PenaltyState, SubjectKind

PAGE_SIZE = 30


def _require_user(user: Any) -> None:
    if not (
        scoping.is_active_user(user)
        and (user.is_regulator or user.role in ENTERPRISE_ROLES or user.role == Role.PLATFORM_ADMIN)
    ):
        raise PermissionDenied(_("Your role does not use this page."))


def _is_officer(user: Any) -> bool:
    return bool(
        scoping.is_active_user(user) and user.role == Role.DEPARTMENT_OFFICER and user.department_id
    )


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, "web")


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _errors_text(exc: ValidationFailed) -> str:
    return " ".join(m for v in exc.errors.values() for m in v)


# --- public --------------------------------------------------------------------------------


@require_GET
def public_listings(request: HttpRequest) -> HttpResponse:
    qs = services.public_listings().select_related("department").order_by("-decided_on", "-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "penalties/public_listings.html", {"page": page})


# --- penalties -------------------------------------------------------------------------------


@login_required
@require_GET
def penalty_list(request: HttpRequest) -> HttpResponse:
    _require_user(request.user)
    qs = services.visible_penalties(request.user).select_related("department")
    state = request.GET.get("state", "")
    if state in wf.PENALTY_STATES:
        qs = qs.filter(state=state)
    else:
        state = ""
    page = Paginator(qs.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "penalties/list.html",
        {
            "page": page,
            "state": state,
            "states": PenaltyState.choices,
            "may_create": _is_officer(request.user),
        },
    )


class PenaltyForm(forms.Form):
    subject_kind = forms.ChoiceField(
        label=gettext_lazy("subject key kind"), choices=SubjectKind.choices
    )
    subject_value = forms.CharField(
        label=gettext_lazy("subject key"),
        max_length=40,
        help_text=gettext_lazy("Credit code, vehicle plate or ID number."),
    )
    subject_name = forms.CharField(label=gettext_lazy("subject"), max_length=200)
    responsible_person = forms.CharField(
        label=gettext_lazy("responsible person"), max_length=64, required=False
    )
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=PenaltyKind.choices)
    amount = forms.CharField(
        label=gettext_lazy("amount (yuan)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    clauses = forms.CharField(
        label=gettext_lazy("violated clauses"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One a line, e.g. 《安全生产法》第一百零一条第（二）项."),
    )
    facts_start = forms.CharField(
        label=gettext_lazy("act from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    facts_end = forms.CharField(
        label=gettext_lazy("act until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    place = forms.CharField(label=gettext_lazy("place"), max_length=255, required=False)
    location_code = forms.CharField(
        label=gettext_lazy("location code"), max_length=64, required=False
    )
    description = forms.CharField(
        label=gettext_lazy("facts"), widget=forms.Textarea(attrs={"rows": 3})
    )
    act_ref = forms.CharField(
        label=gettext_lazy("act reference"),
        max_length=64,
        required=False,
        help_text=gettext_lazy("The finding or case the act comes from, when known."),
    )
    inspection = forms.CharField(
        label=gettext_lazy("inspection"), required=False, widget=forms.HiddenInput
    )


def _new_initial(request: HttpRequest) -> dict[str, Any]:
    """A case opened from an inspection (立案处罚) starts with its enterprise as subject."""
    initial: dict[str, Any] = {"inspection": request.GET.get("inspection", "")}
    pk = initial["inspection"]
    if not str(pk).isdigit():
        return initial
    inspection = (
        visible_inspections(request.user).select_related("enterprise").filter(pk=pk).first()
    )
    if inspection is None:
        initial["inspection"] = ""
        return initial
    ent = inspection.enterprise
    initial.update(
        subject_kind=rules.USCC,
        subject_value=ent.uscc,
        subject_name=ent.name,
        place=ent.address,
    )
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def penalty_new(request: HttpRequest) -> HttpResponse:
    if not _is_officer(request.user):
        raise PermissionDenied(_("Only a department officer decides penalties."))
    form = PenaltyForm(request.POST or None, initial=_new_initial(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["inspection_id"] = data.pop("inspection") or None
        try:
            penalty = services.penalty_draft(actor=_actor(request), **data)
        except ValidationFailed as exc:
            for field, messages in exc.errors.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("penalties:detail", pk=penalty.pk)
    return render(request, "penalties/new.html", {"form": form}, status=400 if form.errors else 200)


_TEXTAREA = forms.Textarea(attrs={"rows": 3})
_CLAUSE_HELP = gettext_lazy("One provision a line, as 《law》article.")


def _clause_lines(clauses: Any) -> str:
    return "\n".join(
        f"《{c.get('law', '')}》{c.get('article', '')}"
        for c in clauses or ()
        if isinstance(c, dict)
    )


class StepForm(forms.Form):
    """The notify or decide step of a penalty: its date (and for a decision without a
    document, the number typed), and for a penalty on an enterprise what its document
    needs besides the penalty's facts: each officer's 执法证号, the evidence, the basis
    of the penalty, the measure in words (and on the decision the party's statement and
    how to pay)."""

    def __init__(self, action: str, penalty: Penalty, user: Any, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.action = action
        self.with_document = penalty.enterprise_id is not None
        f = self.fields
        date = {"required": False, "widget": forms.DateInput(attrs={"type": "date"})}
        text = {"required": False, "max_length": ds.TEXT_LIMIT, "widget": _TEXTAREA}
        if action == wf.NOTIFY:
            f["noticed_on"] = forms.DateField(label=gettext_lazy("noticed on"), **date)
        else:
            if not self.with_document:
                f["number"] = forms.CharField(label=gettext_lazy("decision number"), max_length=64)
            f["decided_on"] = forms.DateField(label=gettext_lazy("decided on"), **date)
            if penalty.kind == rules.SUSPENSION:
                f["rectify_by"] = forms.DateField(label=gettext_lazy("rectify by"), **date)
        self.officers = ds.penalty_handlers(penalty, user) if self.with_document else []
        if not self.with_document:
            return
        for officer in self.officers:
            f[f"certificate_{officer.pk}"] = forms.CharField(
                label=_("Enforcement certificate number of %(name)s") % {"name": officer},
                max_length=ds.CERTIFICATE_LIMIT,
            )
        f["evidence"] = forms.CharField(
            label=gettext_lazy("evidence (one a line)"), **{**text, "required": True}
        )
        f["penalty_basis"] = forms.CharField(
            label=gettext_lazy("basis of the penalty"),
            help_text=_CLAUSE_HELP,
            **{**text, "required": True},
        )
        if action == wf.NOTIFY:
            f["proposed"] = forms.CharField(
                label=gettext_lazy("penalty proposed"),
                help_text=gettext_lazy("Leave empty to state the kind and the fine."),
                **{**text, "widget": forms.TextInput},
            )
            f["hearing"] = forms.BooleanField(
                label=gettext_lazy("the party may ask for a hearing"), required=False
            )
        else:
            f["penalty"] = forms.CharField(
                label=gettext_lazy("penalty decided"),
                help_text=gettext_lazy("Leave empty to state the kind and the fine."),
                **{**text, "widget": forms.TextInput},
            )
            f["statement"] = forms.CharField(
                label=gettext_lazy("the party's statement and whether it was adopted"), **text
            )
            f["payment"] = forms.CharField(
                label=gettext_lazy("how to pay"), **{**text, "widget": forms.TextInput}
            )

    def step_kwargs(self) -> dict[str, Any]:
        """The cleaned input as the service takes it."""
        data = dict(self.cleaned_data)
        out: dict[str, Any] = {}
        for name in ("noticed_on", "decided_on", "rectify_by"):
            if name in self.fields:
                value = data.pop(name, None)
                out[name] = value.isoformat() if value else None
        if "number" in self.fields:
            out["number"] = data.pop("number", "")
        if self.with_document:
            certificates = {u.pk: data.pop(f"certificate_{u.pk}", "") for u in self.officers}
            if "hearing" in data:
                data["hearing"] = "1" if data["hearing"] else ""
            out["document"] = {**data, "certificates": certificates}
        return out


def _step_initial(action: str, penalty: Penalty, user: Any) -> dict[str, Any]:
    """What the step's form starts with: the officers' certificate numbers and the case's
    evidence and basis from the penalty's notice, else from its inspection's last
    document; the hearing box ticked for the measures a hearing may be asked for."""
    initial: dict[str, Any] = {}
    if penalty.enterprise_id is None:
        return initial
    source = ds.latest_penalty_notice(penalty)
    if source is None and penalty.inspection_id:
        source = (
            ds.visible_documents(user)
            .filter(inspection_id=penalty.inspection_id)
            .order_by("-issued_at", "-pk")
            .first()
        )
    if source is not None:
        by_name = {
            i.get("name"): i.get("certificate", "") for i in source.facts.get("inspectors", [])
        }
        for officer in ds.penalty_handlers(penalty, user):
            if str(officer) in by_name:
                initial[f"certificate_{officer.pk}"] = by_name[str(officer)]
        if source.penalty_id == penalty.pk:
            initial["evidence"] = "\n".join(source.facts.get("evidence") or ())
            initial["penalty_basis"] = _clause_lines(source.facts.get("penalty_basis"))
    if action == wf.NOTIFY:
        # 行政处罚法 第六十三条 (UNVERIFIED numbering): a hearing for large fines and the
        # heavier measures; the officer decides, this is only the starting value.
        initial["hearing"] = penalty.kind not in (rules.WARNING, rules.NOTICE_OF_CRITICISM)
    return initial


def _step_forms(
    request: HttpRequest, penalty: Penalty, actions: list[str], bound: StepForm | None
) -> dict[str, StepForm]:
    out = {}
    for action in actions:
        if action not in (wf.NOTIFY, wf.DECIDE):
            continue
        if bound is not None and bound.action == action:
            out[action] = bound
        else:
            out[action] = StepForm(
                action,
                penalty,
                request.user,
                initial={
                    "decided_on": timezone.localdate(),
                    **_step_initial(action, penalty, request.user),
                },
            )
    return out


def _load(request: HttpRequest, pk: int) -> Penalty:
    _require_user(request.user)
    penalty = (
        services.visible_penalties(request.user)
        .select_related("department", "enterprise", "inspection")
        .filter(pk=pk)
        .first()
    )
    if penalty is None:
        raise Http404(_("No such penalty in your scope."))
    return penalty


def _detail(
    request: HttpRequest,
    penalty: Penalty,
    *,
    refusal: str = "",
    double: services.DoublePenalty | None = None,
    bound: StepForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    suspension = getattr(penalty, "suspension", None) if penalty.kind == rules.SUSPENSION else None
    suspension_actions = (
        wf.available(
            wf.SUSPENSION_TABLE, suspension.state, services.suspension_parties(user, suspension)
        )
        if suspension is not None
        else []
    )
    labels = services.penalty_action_labels()
    actions = wf.available(wf.PENALTY_TABLE, penalty.state, services.penalty_parties(user, penalty))
    step_forms = _step_forms(request, penalty, actions, bound)
    return render(
        request,
        "penalties/detail.html",
        {
            "penalty": penalty,
            "actions": [
                {"action": a, "label": labels[a], "form": step_forms.get(a)} for a in actions
            ],
            "documents": ds.visible_documents(user)
            .filter(penalty=penalty)
            .select_related("department")
            .order_by("issued_at", "pk"),
            "titles": pure.TITLES,
            "events": penalty.events.select_related("actor"),
            "suspension": suspension,
            "suspension_events": suspension.events.all() if suspension else [],
            "suspension_actions": [
                {"action": a, "label": services.suspension_action_labels()[a]}
                for a in suspension_actions
            ],
            "listings": services.visible_listings(user).filter(penalty=penalty),
            "may_propose": penalty.state in wf.IN_FORCE
            and wf.DEPARTMENT in services.penalty_parties(user, penalty),
            "refusal": refusal,
            "double": double,
            "today": timezone.localdate(),
            "action_labels": labels,
        },
        status=status,
    )


@login_required
@require_GET
def penalty_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _load(request, pk))


@login_required
@require_POST
def penalty_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    penalty = _load(request, pk)
    common = {"actor": _actor(request), "penalty_id": pk, "expected_version": _version(request)}
    post = request.POST
    form: StepForm | None = None
    if action in (wf.NOTIFY, wf.DECIDE):
        if wf.DEPARTMENT not in services.penalty_parties(request.user, penalty):
            return _detail(
                request,
                penalty,
                refusal=_("Only an officer of the deciding department may do this."),
                status=403,
            )
        form = StepForm(action, penalty, request.user, post)
        if not form.is_valid():
            return _detail(request, penalty, bound=form, status=400)
    try:
        if action == wf.NOTIFY:
            assert form is not None
            services.penalty_notify(**common, **form.step_kwargs())
        elif action == wf.DECIDE:
            assert form is not None
            services.penalty_decide(**common, **form.step_kwargs())
        elif action == wf.EXECUTE:
            services.penalty_execute(**common, note=post.get("note", ""))
        elif action == wf.REVOKE:
            services.penalty_revoke(**common, reason=post.get("reason"))
        else:
            raise Http404(_("No such step."))
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except services.DoublePenalty as exc:
        return _detail(request, penalty, double=exc, status=409)
    except Forbidden as exc:
        return _detail(request, penalty, refusal=str(exc), status=403)
    except Conflict as exc:
        return _detail(request, penalty, refusal=str(exc), bound=form, status=409)
    except ValidationFailed as exc:
        if form is None:
            return _detail(request, penalty, refusal=_errors_text(exc), status=400)
        for field, errors in exc.errors.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        return _detail(request, penalty, bound=form, status=400)
    return redirect("penalties:detail", pk=pk)


@login_required
@require_POST
def suspension_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    penalty = _load(request, pk)
    suspension = getattr(penalty, "suspension", None)
    if suspension is None or action not in wf.SUSPENSION_ACTIONS:
        raise Http404(_("No such step."))
    try:
        services.suspension_apply(
            actor=_actor(request),
            suspension_id=suspension.pk,
            action=action,
            note=request.POST.get("note", ""),
            rectify_by=request.POST.get("rectify_by") or None,
            expected_version=_version(request),
        )
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except Forbidden as exc:
        return _detail(request, penalty, refusal=str(exc), status=403)
    except Conflict as exc:
        return _detail(request, penalty, refusal=str(exc), status=409)
    except ValidationFailed as exc:
        return _detail(request, penalty, refusal=_errors_text(exc), status=400)
    return redirect("penalties:detail", pk=pk)


# --- listings --------------------------------------------------------------------------------


@login_required
@require_GET
def listing_list(request: HttpRequest) -> HttpResponse:
    _require_user(request.user)
    qs = services.visible_listings(request.user).select_related("department")
    page = Paginator(qs.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "penalties/listings.html", {"page": page})


def _situations() -> list[tuple[str, str]]:
    return [
        (s.code, f"{s.code} {s.text}" + ("" if s.verified else " [UNVERIFIED]"))
        for s in ut.SITUATIONS
    ]


class ProposeForm(forms.Form):
    situation = forms.ChoiceField(label=gettext_lazy("situation"), choices=_situations)
    reasons = forms.CharField(
        label=gettext_lazy("reasons"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    accept_unverified_text = forms.BooleanField(
        label=gettext_lazy("I accept a situation whose text is not verified against the order"),
        required=False,
    )


@login_required
@require_http_methods(["GET", "POST"])
def listing_new(request: HttpRequest, pk: int) -> HttpResponse:
    penalty = _load(request, pk)
    if not _is_officer(request.user):
        raise PermissionDenied(
            _("Only the department that imposed the penalty decides the listing.")
        )
    form = ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            listing = services.listing_propose(
                actor=_actor(request), penalty_id=penalty.pk, **form.cleaned_data
            )
        except ValidationFailed as exc:
            for field, messages in exc.errors.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("penalties:listing", pk=listing.pk)
    return render(
        request,
        "penalties/listing_new.html",
        {"form": form, "penalty": penalty},
        status=400 if form.errors else 200,
    )


def _load_listing(request: HttpRequest, pk: int) -> Listing:
    _require_user(request.user)
    listing = (
        services.visible_listings(request.user)
        .select_related("department", "penalty", "enterprise")
        .filter(pk=pk)
        .first()
    )
    if listing is None:
        raise Http404(_("No such listing in your scope."))
    return listing


# Steps a page offers by party; the table still decides (guards may refuse).
_NOTE_ACTIONS = frozenset({ut.WITHDRAW, ut.REJECT_REPAIR, ut.RESTORE, ut.REVOKE})


def _listing_detail(
    request: HttpRequest, listing: Listing, refusal: str = "", status: int = 200
) -> HttpResponse:
    party = services.listing_party(_actor(request), listing)
    labels = services.listing_action_labels()
    actions = [
        {"action": t.action, "label": labels[t.action], "note": t.action in _NOTE_ACTIONS}
        for t in ut.TRANSITIONS
        if t.source == listing.state and party in t.parties and t.action != ut.EXPIRE
    ]
    may_state = (
        party == ut.SUBJECT
        and listing.state == ut.NOTIFIED
        and (
            listing.statement_deadline is None or timezone.localdate() <= listing.statement_deadline
        )
    )
    return render(
        request,
        "penalties/listing_detail.html",
        {
            "listing": listing,
            "actions": actions,
            "may_state": may_state,
            "events": listing.events.select_related("actor"),
            "refusal": refusal,
            "action_labels": labels,
            "states": dict(ListingState.choices),
        },
        status=status,
    )


@login_required
@require_GET
def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _listing_detail(request, _load_listing(request, pk))


@login_required
@require_POST
def listing_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    listing = _load_listing(request, pk)
    if action not in ut.ACTIONS and action != "statement":
        raise Http404(_("No such step."))
    post = request.POST
    try:
        if action == "statement":
            services.listing_state_statement(
                actor=_actor(request), listing_id=pk, statement=post.get("statement")
            )
        else:
            services.listing_apply(
                actor=_actor(request),
                listing_id=pk,
                action=action,
                note=post.get("note", ""),
                statement_reviewed=post.get("statement_reviewed") == "on",
                fraud_found=post.get("fraud_found") == "on",
                repair={k: post.get(k) == "on" for k in services.REPAIR_FIELDS},
                expected_version=_version(request),
            )
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except Forbidden as exc:
        return _listing_detail(request, listing, str(exc), status=403)
    except Conflict as exc:
        return _listing_detail(request, listing, str(exc), status=409)
    except ValidationFailed as exc:
        return _listing_detail(request, listing, _errors_text(exc), status=400)
    return redirect("penalties:listing", pk=pk)

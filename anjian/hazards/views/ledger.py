"""Ledger pages: the hazard ledger (filters, chip counts, one page of rows) and the
workflow table for newcomers (every step, who takes it, when it applies and what it asks
for).

Reads start from `scoping.visible(user, Model)` (through anjian.hazards.ledger); nothing
here writes. STEP_HELP, what each step asks for, is also shown by the step form
(views/hazard.py).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.accounts.models import ENTERPRISE_ROLES
from anjian.core import scoping
from anjian.registry.forms import EnterpriseFilterForm
from anjian.registry.models import Enterprise

from .. import explain, importer, ledger, services
from .. import workflow as wf
from ..models import Hazard, Level, Source

PAGE_SIZE = 50

# What each step asks for, in the user's language (the table's `needs` column says the
# same in English for the docs).
STEP_HELP = {
    wf.REPORT: gettext_lazy(
        "Describe the hazard, where it is, its type and category; choosing an item of a determination list makes it major."
    ),
    wf.FIX_ON_SPOT: gettext_lazy(
        "For a general hazard fixed at once: attach at least one photo after the fix; the hazard closes."
    ),
    wf.MAKE_MAJOR: gettext_lazy(
        "The officer's reason, and optionally the item of a determination list it matches. The major path starts: the principal's remediation plan at once; listing and an expert's opinion may follow in parallel."
    ),
    wf.CONFIRM_MAJOR: gettext_lazy("The expert's opinion on the determination."),
    wf.DISMISS_MAJOR: gettext_lazy("Why the hazard is not major; it becomes a general hazard."),
    wf.LIST: gettext_lazy(
        "The supervision deadline and the public notice text (挂牌督办, 16号令 第二十条). Remediation goes on; your body reviews the hazard from now on."
    ),
    wf.ORDER: gettext_lazy(
        "What the order requires (整改指令书). Your department reviews the rectification instead of the enterprise."
    ),
    wf.REPORT_TO_WORKERS: gettext_lazy(
        "The report of this major hazard to the workers' congress or its representatives (安全生产法 第四十一条)."
    ),
    wf.SET_PLAN: gettext_lazy(
        "The principal's remediation plan in six parts with the five fixes, made and carried out at once (16号令 第十五条); it completes the report to the supervising department."
    ),
    wf.SUSPEND: gettext_lazy(
        "Safety cannot be ensured meanwhile: withdraw people, move others away, set warnings and stop production or use of the affected part (16号令 第十六条). Stopped by a regulator, it is an order: production resumes only after its on-site review."
    ),
    wf.RESUME: gettext_lazy(
        "The stop the enterprise decided itself ends: why safety is ensured now."
    ),
    wf.EVALUATE: gettext_lazy(
        "The evaluation of the remedy by the enterprise's own experts or a qualified safety evaluation body (16号令 第十八条)."
    ),
    wf.APPLY_RESUME: gettext_lazy(
        "The written application to resume production; the reviewing authority reviews on site within 10 days (第二十三条)."
    ),
    wf.REOPEN: gettext_lazy(
        "Why the closed hazard is open again and the new deadline; your body reviews it from now on."
    ),
    wf.SET_FIVE_FIXES: gettext_lazy(
        "The five fixes: owner, measures, funds, deadline and contingency plan; a major hazard also needs the six parts of its remediation plan (16号令 第十五条)."
    ),
    wf.START_RECTIFICATION: gettext_lazy(
        "Rectification starts; the deadline of the five fixes runs."
    ),
    wf.SUBMIT: gettext_lazy(
        "What was done, with at least one photo after rectification (or why there is none)."
    ),
    wf.ACCEPT: gettext_lazy("Check the evidence; accepting closes the hazard (验收销号)."),
    wf.REJECT: gettext_lazy("The reasons; the hazard goes back to rectifying."),
    wf.REVIEW_PASS: gettext_lazy(
        "The findings of the on-site review; passing writes the hazard off (核销) and production resumes (16号令 第二十三条)."
    ),
    wf.REVIEW_FAIL: gettext_lazy("Why the review failed; the stop goes on."),
    wf.ACCOUNTABILITY_REVIEW: gettext_lazy(
        "The findings, the persons held accountable and the date."
    ),
}

GUARD_LABELS = {
    "always": "",
    "general": gettext_lazy("general hazards"),
    "major": gettext_lazy("major hazards"),
    "general_on_spot": gettext_lazy("general hazards fixed on the spot"),
    "major_not_reviewed": gettext_lazy("closed major hazards not yet reviewed"),
    "major_unconfirmed": gettext_lazy("major hazards no expert has confirmed yet"),
    "major_not_listed": gettext_lazy("major hazards not listed for supervision"),
    "major_without_plan": gettext_lazy("major hazards without a remediation plan"),
    "no_authority": gettext_lazy("hazards the enterprise accepts itself"),
    "self_stopped_planned": gettext_lazy(
        "stops the enterprise decided itself, once the plan is set"
    ),
    "stop_ordered_planned": gettext_lazy(
        "stops ordered by a regulator or of listed hazards, once the plan is set"
    ),
    "ordered_unlisted_planned": gettext_lazy(
        "stops ordered by a regulator of hazards not listed, once the plan is set"
    ),
    "stop_ordered": gettext_lazy("stops ordered by a regulator or of listed hazards"),
}


# --- the ledger ------------------------------------------------------------------------------


@login_required
def ledger_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not scoping.is_active_user(user):
        raise PermissionDenied(_("Your account cannot use the hazard ledger."))
    filters, errors = ledger.parse_filters(request.GET)
    qs = ledger.ledger_search(user, filters)
    counts = ledger.chip_counts(user, filters)
    page = ledger.ledger_page(
        ledger.page_rows(qs),
        request.GET.get("page"),
        PAGE_SIZE,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        # Where a chip counts the page's rows already, its figure (no second count).
        total=ledger.page_total(filters, counts),
    )
    query = request.GET.copy()
    for name in ("page", "after", "before"):
        query.pop(name, None)
    today = timezone.localdate()
    enterprise = None
    if filters.enterprise:
        enterprise = scoping.visible(user, Enterprise).filter(pk=filters.enterprise).first()
    scope_form = (
        LedgerScopeForm(request.GET, user=user) if user.role not in ENTERPRISE_ROLES else None
    )
    return render(
        request,
        "hazards/ledger.html",
        {
            "scope_form": scope_form,
            "active_filters": _active_filters(filters, enterprise, scope_form),
            "page": page,
            "rows": [(h, _row_flags(h, today)) for h in page.object_list],
            "counts": counts,
            "errors": {ledger.filter_labels().get(k, k): v for k, v in errors.items()},
            "filters": filters,
            "query": query.urlencode(),
            "params": request.GET,
            "enterprise": enterprise,
            "report_enterprise": _report_target(user, enterprise),
            "choices": ledger_choices(),
            "may_import": importer.may_import(user),
            "section": "hazards",
        },
    )


class LedgerScopeForm(forms.Form):
    """The ledger's filters on where a hazard is (township, industry, lead department,
    enterprise), offered to regulators with choices from their scope. Only renders the
    selects: ledger.parse_filters reads the values, and the query stays within
    scoping.visible whatever is sent."""

    # Past this many enterprises in scope the select is left out: the search box matches
    # enterprise names, and a select of thousands helps nobody on a phone.
    MAX_ENTERPRISE_CHOICES = 300

    division = forms.ChoiceField(label=gettext_lazy("division"), required=False)
    industry = forms.ChoiceField(label=gettext_lazy("industry"), required=False)
    department = forms.ChoiceField(label=gettext_lazy("Lead department"), required=False)
    enterprise = forms.ChoiceField(label=gettext_lazy("enterprise"), required=False)

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data, auto_id="f-%s")
        # The enterprise list's filter form knows the user's divisions, industries and
        # departments (in a fixed number of queries): the ledger offers the same.
        base = EnterpriseFilterForm(user=user)
        for name in ("division", "industry", "department"):
            self.fields[name].choices = base.fields[name].choices
        visible = scoping.visible(user, Enterprise)
        # Counted up to the limit first, in id order (an index walk that stops early):
        # sorting a county's 100,000 names to find the first 301 cost more than the rest
        # of the page on SQLite (~100 ms), only to leave the select out.
        many = (
            visible.order_by().values("pk")[: self.MAX_ENTERPRISE_CHOICES + 1].count()
            > self.MAX_ENTERPRISE_CHOICES
        )
        if many:
            del self.fields["enterprise"]
        else:
            self.fields["enterprise"].choices = [
                ("", _("All")),
                *visible.order_by("name", "pk").values_list("pk", "name"),
            ]


def _active_filters(
    filters: ledger.LedgerFilters, enterprise: Enterprise | None, scope_form: Any
) -> int:
    """How many filters in the folded panel are set (the search box stays outside it; an
    enterprise's own ledger page is not "filtered" by its enterprise unless the select
    offers it)."""
    names = set(filters.as_params()) - {"q"}
    if enterprise is not None and (scope_form is None or "enterprise" not in scope_form.fields):
        names.discard("enterprise")
    return len(names)


def ledger_choices() -> dict[str, Any]:
    from ..models import Category, Handling, HazardType, State

    return {
        "states": State.choices,
        "levels": Level.choices,
        "sources": Source.choices,
        "types": HazardType.choices,
        "categories": Category.choices,
        "handlings": Handling.choices,
    }


def _row_flags(hazard: Hazard, today) -> dict[str, Any]:
    open_ = hazard.state != wf.CLOSED
    overdue = bool(open_ and hazard.deadline and hazard.deadline < today)
    days_left = (hazard.deadline - today).days if open_ and hazard.deadline else None
    return {
        "open": open_,
        "overdue": overdue,
        "days_left": days_left,
        "days_late": -days_left if overdue and days_left is not None else 0,
    }


def _report_target(user, enterprise: Enterprise | None) -> Enterprise | None:
    """The enterprise a "report a hazard" button on the ledger reports for."""
    if enterprise is not None and services.may_report(user, enterprise):
        return enterprise
    if user.enterprise_id:
        own = scoping.visible(user, Enterprise).filter(pk=user.enterprise_id).first()
        if own is not None and services.may_report(user, own):
            return own
    return None


# --- the rules, for newcomers --------------------------------------------------------------


@login_required
def workflow_table(request: HttpRequest) -> HttpResponse:
    labels = services.party_labels()
    rows = [
        {
            "from": explain.state_label(t.source) if t.source != wf.START else _("(new)"),
            "action": explain.action_label(t.action),
            "to": explain.state_label(t.target),
            "who": _(" or ").join(labels[p] for p in sorted(t.parties)),
            "applies": str(GUARD_LABELS.get(t.guard, "")),
            "needs": str(STEP_HELP.get(t.action, "")),
            "rule": t.rule,
        }
        for t in wf.TRANSITIONS
    ]
    return render(request, "hazards/workflow.html", {"rows": rows, "section": "hazards"})

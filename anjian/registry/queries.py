"""Query pieces about enterprises that lists, figures and the home tiles share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from anjian.registry.models import DutyAssignment, DutyRole, Enterprise, EnterpriseTally
from anjian.registry.search import enterprise_search
from anjian.registry.tally import tally_scope


def lead_exists() -> Exists:
    """EXISTS(a lead duty for the outer enterprise): negate it for supervision gaps."""
    return Exists(DutyAssignment.objects.filter(enterprise_id=OuterRef("pk"), role=DutyRole.LEAD))


def two_key_one_major_q() -> Q:
    return Q(has_major_hazard=True) | Q(has_key_process=True) | Q(has_key_chemical=True)


# The list filters' key-supervision marks, on the enterprise table and on the rollup.
FLAG_FILTERS: dict[str, tuple[Any, Q]] = {
    "two_key_one_major": (
        two_key_one_major_q,
        Q(major_hazard=True) | Q(key_process=True) | Q(key_chemical=True),
    ),
    "major_hazard": (lambda: Q(has_major_hazard=True), Q(major_hazard=True)),
    "key_process": (lambda: Q(has_key_process=True), Q(key_process=True)),
    "key_chemical": (lambda: Q(has_key_chemical=True), Q(key_chemical=True)),
    "no_lead": (lambda: ~lead_exists(), Q(lead=0)),
}


@dataclass(frozen=True)
class ListFilters:
    """The enterprise list's filters once checked against the user's scope (the page's
    form and the API's query both come down to this): division and industry already
    widened to their subtrees."""

    q: str = ""
    division_ids: list[int] | None = None
    industry_ids: list[int] | None = None
    department_id: int | None = None
    flag: str = ""
    status: str = ""
    code: str = ""

    def apply(self, qs: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
        """Narrow an already scoped queryset; a filter can only ever remove rows."""
        if self.q:
            qs = qs.filter(enterprise_search(self.q))
        if self.division_ids is not None:
            qs = qs.filter(division_id__in=self.division_ids)
        if self.industry_ids is not None:
            qs = qs.filter(industry_id__in=self.industry_ids)
        if self.department_id is not None:
            supervised = DutyAssignment.objects.filter(
                enterprise_id=OuterRef("pk"), department_id=self.department_id
            )
            qs = qs.filter(Exists(supervised))
        if self.flag in FLAG_FILTERS:
            qs = qs.filter(FLAG_FILTERS[self.flag][0]())
        if self.status:
            qs = qs.filter(status=self.status)
        if self.code:
            # The same rows risks.services.colour_counts counts for the home page's figures.
            qs = qs.filter(risk_state__code_colour=self.code)
        return qs

    def tally_condition(self) -> Q | None:
        """The same filters on the enterprise rollup's rows (anjian.registry.tally), or None
        when one of them is not a rollup column (the name search)."""
        if self.q:
            return None
        condition = Q()
        if self.division_ids is not None:
            condition &= Q(division__in=self.division_ids)
        if self.industry_ids is not None:
            condition &= Q(industry__in=self.industry_ids)
        if self.department_id is not None:
            condition &= Q(duties__contains=f",{int(self.department_id)},")
        if self.flag in FLAG_FILTERS:
            condition &= FLAG_FILTERS[self.flag][1]
        if self.status:
            condition &= Q(status=self.status)
        if self.code:
            condition &= Q(code_colour=self.code)
        return condition


def list_count(user: Any, filters: ListFilters, qs: QuerySet[Enterprise]) -> int:
    """How many enterprises the list shows, exactly. From the enterprise rollup when the
    user's scope and every filter are rollup columns (a sum over a few thousand counter
    rows, where COUNT(*) reads every enterprise in scope: 100,000 for a county); else
    counted (`qs`, the filtered list), which a name search keeps small."""
    scope = tally_scope(user)
    condition = filters.tally_condition()
    if scope is None or condition is None:
        return qs.count()
    total = EnterpriseTally.objects.filter(scope, condition).aggregate(n=Sum("n"))["n"]
    return int(total or 0)

"""Re-grade stored major hazard installations with the current GB 18218 tables.

Plain functions over model classes that are passed in, so that the data migration
(risks 0004, historical models) and the service (`services.installations_regrade`, real
models) run the same code, and the tests exercise it directly.

What a re-grade changes: β of every line that came from the tables is taken again from
the tables (表3, else 表4 by the 表1 row's hazard category); a β the user gave is kept; q
and Q are kept as stored (a Q the user gave for a substance whose Q the tables lacked
stays the user's). Σ, R and the grade are recomputed with the installation's own profile
and people count; the assessment date is not moved (this is not a new 安全评估). Every
installation gets one `InstallationGrading` row with the previous and the new R and grade.

How "came from the tables" is known, line by line:
1. the stored `beta_source` (written by `installation_save` since risks 0004);
2. else the installation's latest create/change audit entry, whose changes hold every
   line's beta_source as computed then;
3. else the stored β is compared with what the tables gave before 0004 (表3 β, or 1 for
   every other named substance): equal means "from the tables"; anything else is kept
   as given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from . import major_hazard, methods

TRIGGER_GB18218_BETA = "regrade:gb18218-beta"
NOTE_GB18218_BETA = (
    "GB 18218-2018: β of a named 表1 substance from 表4 by its hazard category "
    "(it was 1 unless the substance is in 表3)"
)
INSTALLATION_TYPE = "risks.majorhazardinstallation"


@dataclass(frozen=True)
class Regraded:
    installation_id: int
    enterprise_id: int
    previous_r: str
    r: str
    previous_grade: int | None
    grade: int | None
    changed_lines: int

    @property
    def grade_changed(self) -> bool:
        return self.previous_grade != self.grade


def audited_lines(audit_model: Any, installation_ids: Iterable[int]) -> dict[int, list[dict]]:
    """The lines of each installation's latest create/change audit entry."""
    ids = [str(pk) for pk in installation_ids]
    out: dict[int, list[dict]] = {}
    for start in range(0, len(ids), 500):
        rows = (
            audit_model.objects.filter(
                object_type=INSTALLATION_TYPE,
                object_id__in=ids[start : start + 500],
                action__in=("create", "change"),
            )
            .order_by("seq")
            .values_list("object_id", "changes")
        )
        for object_id, changes in rows:  # ascending: the latest entry wins
            lines = (changes or {}).get("substances")
            if isinstance(lines, list):
                out[int(object_id)] = lines
    return out


def _from_tables_before(row: major_hazard.Substance, beta: Fraction) -> bool:
    """Whether a stored β is what the tables gave a named substance before 0004."""
    return beta == (row.beta if row.beta is not None else Fraction(1))


def _profile(name: str) -> methods.Profile:
    try:
        return methods.get_profile("major-hazard", name or None)
    except methods.RiskInputError:
        return methods.get_profile("major-hazard")


def new_beta(
    substance: Any, hint: dict | None, profile: methods.Profile
) -> tuple[Fraction, str, str]:
    """β, its source and the category for one stored line under the current tables."""
    beta = Fraction(substance.beta)
    row = major_hazard.lookup(substance.cas or substance.name)
    if (
        hint is not None
        and (hint.get("cas") or "") != (substance.cas or "")
        and (hint.get("name") != substance.name)
    ):
        hint = None  # the audit entry describes other lines
    origin = substance.beta_source or (hint or {}).get("beta_source") or ""
    category = substance.category or (hint or {}).get("category") or ""
    if row is None or origin == "given":
        return beta, origin, category
    if not origin and not _from_tables_before(row, beta):
        return beta, "given", category  # no record, and not a table value: the user's
    line = major_hazard.resolve(
        major_hazard.Item(row.cas, substance.quantity, substance.critical_quantity), profile
    )
    return line.beta, line.beta_source, line.category or ""


def regrade_installations(
    *,
    installation_model: Any,
    substance_model: Any,
    grading_model: Any,
    audit_model: Any = None,
    trigger: str = TRIGGER_GB18218_BETA,
    note: str = NOTE_GB18218_BETA,
    now: dt.datetime,
    recorded_by_id: int | None = None,
    installation_ids: Iterable[int] | None = None,
) -> list[Regraded]:
    """Re-grade the installations (all, or those listed) and write one history row each."""
    installations = installation_model.objects.order_by("pk")
    if installation_ids is not None:
        installations = installations.filter(pk__in=list(installation_ids))
    installations = list(installations)
    hints = audited_lines(audit_model, [i.pk for i in installations]) if audit_model else {}
    results = []
    for installation in installations:
        profile = _profile(installation.profile)
        substances = list(substance_model.objects.filter(installation=installation).order_by("pk"))
        audit = hints.get(installation.pk)
        if audit is not None and len(audit) != len(substances):
            audit = None
        lines, changed, total, weighted = [], [], Fraction(0), Fraction(0)
        for index, substance in enumerate(substances):
            beta, source, category = new_beta(substance, audit[index] if audit else None, profile)
            ratio = Fraction(substance.quantity) / Fraction(substance.critical_quantity)
            total += ratio
            weighted += beta * ratio
            previous_beta = Fraction(substance.beta)
            if (
                beta != previous_beta
                or source != substance.beta_source
                or category != substance.category
            ):
                substance.beta = Decimal(methods.render_decimal(beta))
                substance.beta_source = source[:128]
                substance.category = category[:16]
                changed.append(substance)
            lines.append(
                {
                    "name": substance.name,
                    "cas": substance.cas,
                    "category": category,
                    "q": methods.render_decimal(Fraction(substance.quantity)),
                    "Q": methods.render_decimal(Fraction(substance.critical_quantity)),
                    "beta": methods.render_decimal(beta),
                    "beta_source": source,
                    "previous_beta": methods.render_decimal(previous_beta),
                }
            )
        if changed:
            substance_model.objects.bulk_update(changed, ["beta", "beta_source", "category"])
        alpha = major_hazard.alpha_for_people(installation.people_500m, profile)
        is_major = bool(substances) and total >= 1
        r = alpha * weighted if is_major else None
        grade = major_hazard.grade_of(r, profile)[0] if r is not None else None
        previous_r, previous_grade = installation.r_value, installation.grade
        installation.total = methods.render_number(total) if substances else installation.total
        installation.is_major = is_major
        installation.alpha = methods.render_decimal(alpha)
        installation.r_value = "" if r is None else methods.render_number(r)
        installation.grade = grade
        installation.profile = profile.name
        installation.save(
            update_fields=["total", "is_major", "alpha", "r_value", "grade", "profile"]
        )
        grading_model.objects.create(
            installation=installation,
            trigger=trigger,
            total=installation.total,
            is_major=is_major,
            alpha=installation.alpha,
            r_value=installation.r_value,
            grade=grade,
            previous_r_value=previous_r,
            previous_grade=previous_grade,
            profile=profile.name,
            profile_version=profile.version,
            lines=lines,
            note=note[:255],
            recorded_by_id=recorded_by_id,
            recorded_at=now,
        )
        results.append(
            Regraded(
                installation_id=installation.pk,
                enterprise_id=installation.enterprise_id,
                previous_r=previous_r,
                r=installation.r_value,
                previous_grade=previous_grade,
                grade=grade,
                changed_lines=len(changed),
            )
        )
    return results

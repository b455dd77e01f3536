"""Which departments supervise an enterprise, derived from the duty rule table. Pure.

Resolution:
1. Walk the enterprise's industry up its parents (冶金 → 工贸); the first level that has
   any rule decides.
2. At that level, a rule of the nearest division (the enterprise's own chain, nearest
   first) wins over the default (division None), per department kind.
3. Each kind is then matched to the nearest department of that kind up the division chain.
A lead kind with no department there, or no lead rule at all, is a supervision gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RuleRow:
    industry_id: int
    department_kind: str
    role: str  # lead | cooperating
    division_id: int | None


@dataclass(frozen=True)
class Resolution:
    lead_department_id: int | None
    cooperating_department_ids: tuple[int, ...]
    lead_kind: str | None  # the kind the rules ask for, even when no such department exists


def resolve(
    *,
    industry_chain: Sequence[int],
    division_chain: Sequence[int],
    rules: Iterable[RuleRow],
    departments: Mapping[tuple[int, str], int],
) -> Resolution:
    """industry_chain: the industry then its ancestors. division_chain: the enterprise's
    division then its ancestors. departments: (division id, kind) → department id."""
    by_industry: dict[int, list[RuleRow]] = {}
    for rule in rules:
        by_industry.setdefault(rule.industry_id, []).append(rule)

    distance = {division_id: i for i, division_id in enumerate(division_chain)}
    chosen: dict[str, tuple[int, str]] = {}  # kind → (specificity, role)
    for industry_id in industry_chain:
        candidates = [
            r
            for r in by_industry.get(industry_id, [])
            if r.division_id is None or r.division_id in distance
        ]
        if not candidates:
            continue
        for rule in candidates:
            rank = len(division_chain) if rule.division_id is None else distance[rule.division_id]
            current = chosen.get(rule.department_kind)
            if current is None or rank < current[0]:
                chosen[rule.department_kind] = (rank, rule.role)
        break

    # A local decision may name a different lead kind than the default: keep only the
    # most specific lead.
    leads = sorted((rank, kind) for kind, (rank, role) in chosen.items() if role == "lead")
    lead_kind = leads[0][1] if leads else None

    def nearest(kind: str) -> int | None:
        for division_id in division_chain:
            found = departments.get((division_id, kind))
            if found is not None:
                return found
        return None

    lead_id = nearest(lead_kind) if lead_kind else None
    cooperating: list[int] = []
    for kind, (_rank, role) in sorted(chosen.items()):
        if kind == lead_kind:
            continue
        if role == "lead" or role == "cooperating":
            dep = nearest(kind)
            if dep is not None and dep != lead_id and dep not in cooperating:
                cooperating.append(dep)
    return Resolution(lead_id, tuple(cooperating), lead_kind)

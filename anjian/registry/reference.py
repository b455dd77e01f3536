"""Reference data shipped with anjian (industries, default duty rules), loaded by a data
migration and re-loadable with `anjian manage load_reference`. Idempotent."""

from __future__ import annotations

import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def read(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def load_reference(industry_model, rule_model) -> None:
    industries = read("industries.json")["industries"]
    by_code = {}
    for sort, row in enumerate(industries):
        obj, _ = industry_model.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "category": row["category"], "sort": sort},
        )
        by_code[row["code"]] = obj
    for row in industries:
        if row.get("parent"):
            obj = by_code[row["code"]]
            obj.parent = by_code[row["parent"]]
            obj.save(update_fields=["parent"])
    for rule in read("duty_rules.json")["rules"]:
        industry = by_code[rule["industry"]]
        if rule["lead"]:
            rule_model.objects.update_or_create(
                industry=industry,
                department_kind=rule["lead"],
                division=None,
                defaults={"role": "lead", "basis": "default table"},
            )
        for kind in rule["cooperating"]:
            rule_model.objects.update_or_create(
                industry=industry,
                department_kind=kind,
                division=None,
                defaults={"role": "cooperating", "basis": "default table"},
            )


def ensure_reference() -> None:
    """Load the reference data if it is missing (a test run that flushed the database, or
    a database restored without it). Cheap when present: two existence checks."""
    from .models import DutyRule, Industry

    if not Industry.objects.exists() or not DutyRule.objects.exists():
        load_reference(Industry, DutyRule)

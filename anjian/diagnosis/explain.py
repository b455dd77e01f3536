"""How a stored diagnosis reads: its deductions item by item, its direct-red situations
and its reason, named from the guide data it was scored by, in the active language.
Shared by the pages and the API."""

from __future__ import annotations

from typing import Any

from . import scoring
from .forms import chinese
from .models import Diagnosis


def item_rows(diagnosis: Diagnosis) -> list[dict[str, Any]]:
    """The stored deductions item by item, named from the guide data they were scored by."""
    try:
        guide = scoring.load_guide(diagnosis.guide)
    except scoring.DiagnosisInputError:
        guide = None
    zh = chinese()
    rows = []
    for code, given in diagnosis.deductions.items():
        item = guide.item(code) if guide else None
        points = item.max_deduction if item else None
        given_number = scoring.parse_points(given, code)
        counted = min(given_number, points) if points is not None else given_number
        rows.append(
            {
                "code": code,
                "category": (item.category if zh else item.category_en) if item else "",
                "name": (item.name if zh else item.name_en) if item else code,
                "max": scoring.number_text(points) if points is not None else "",
                "given": scoring.number_text(given_number),
                "counted": scoring.number_text(counted),
            }
        )
    return rows


def situation_texts(diagnosis: Diagnosis) -> list[str]:
    try:
        guide = scoring.load_guide(diagnosis.guide)
    except scoring.DiagnosisInputError:
        return list(diagnosis.direct_red)
    zh = chinese()
    texts = []
    for code in diagnosis.direct_red:
        situation = guide.situation(code)
        texts.append((situation.text if zh else situation.text_en) if situation else code)
    return texts


def reason_text(diagnosis: Diagnosis) -> str:
    """The stored Chinese reason, or the English one rebuilt from the same facts."""
    if chinese():
        return diagnosis.reason
    try:
        guide = scoring.load_guide(diagnosis.guide)
    except scoring.DiagnosisInputError:
        return diagnosis.reason
    return scoring.explain(diagnosis.score, diagnosis.score_colour, diagnosis.direct_red, guide)[1]

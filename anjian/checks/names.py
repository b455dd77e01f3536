"""Names for the authenticity evidence: the checkers and places its signals refer to by
id, read in one query each."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from anjian.risks.models import MajorHazardInstallation, RiskUnit

from . import evidence


def evidence_names(signal_lists: list[list[dict[str, Any]]]) -> evidence.Names:
    """Checker and unit names the evidence refers to (for evidence.sentences): one
    query each, whatever the number of signals. Used by the pages and the API."""
    checkers: set[str] = set()
    units: set[str] = set()
    for signals in signal_lists:
        c, u = evidence.referenced(signals)
        checkers |= c
        units |= u
    user_ids = [int(c) for c in checkers if c.isdigit()]
    unit_ids = [int(u[1:]) for u in units if u.startswith("u") and u[1:].isdigit()]
    installation_ids = [int(u[1:]) for u in units if u.startswith("i") and u[1:].isdigit()]
    checker_names = {
        str(pk): display or username
        for pk, display, username in get_user_model()
        .objects.filter(pk__in=user_ids)
        .values_list("pk", "display_name", "username")
    }
    unit_names = {
        f"u{pk}": name
        for pk, name in RiskUnit.objects.filter(pk__in=unit_ids).values_list("pk", "name")
    }
    unit_names |= {
        f"i{pk}": name
        for pk, name in MajorHazardInstallation.objects.filter(pk__in=installation_ids).values_list(
            "pk", "name"
        )
    }
    return evidence.Names(checkers=checker_names, units=unit_names)

"""Query pieces about enterprises that lists, figures and the home tiles share."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from anjian.registry.models import DutyAssignment, DutyRole


def lead_exists() -> Exists:
    """EXISTS(a lead duty for the outer enterprise): negate it for supervision gaps."""
    return Exists(DutyAssignment.objects.filter(enterprise_id=OuterRef("pk"), role=DutyRole.LEAD))


def two_key_one_major_q() -> Q:
    return Q(has_major_hazard=True) | Q(has_key_process=True) | Q(has_key_chemical=True)

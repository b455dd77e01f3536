"""Local policies that more than one capability reads (settings with a default), kept on
the ground floor so that no capability imports another's services for them."""

from __future__ import annotations

from django.conf import settings

# A hazard of the same type in the same risk unit within this many days counts as a
# recurrence (and as a possible duplicate when reported). Local policy: 16号令 sets no
# window. docs/operations.md, ANJIAN_HAZARD_RECURRENCE_DAYS.
DEFAULT_RECURRENCE_DAYS = 90


def recurrence_days() -> int:
    """The recurrence window in days (risk grading's hazard terms, duplicate detection)."""
    return int(getattr(settings, "ANJIAN_HAZARD_RECURRENCE_DAYS", DEFAULT_RECURRENCE_DAYS))


# Licences (and later certificates) that expire within this many days are flagged: on the
# home page, in lists, in the colour of the days left. Local policy.
EXPIRY_WINDOW_DAYS = 90

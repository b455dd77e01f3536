"""core.counters.counters_add: multi-row upserts that add to counter rows, create the
missing ones, and sum rows of one key given twice (on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from anjian.core import counters
from anjian.registry.models import TALLY_KEY_FIELDS, EnterpriseTally

pytestmark = pytest.mark.django_db


def key(division: int, colour: str = "") -> tuple:
    return (division, 1, 0, ",", "operating", False, False, False, colour)


def stored() -> dict[tuple, int]:
    return {
        tuple(row[:-1]): row[-1]
        for row in EnterpriseTally.objects.values_list(*TALLY_KEY_FIELDS, "n")
    }


@pytest.mark.parametrize("per_statement", [500, 2])
def test_given_rows_when_added_then_created_summed_and_added_to(monkeypatch, per_statement):
    monkeypatch.setattr(counters, "ROWS_PER_STATEMENT", per_statement)
    EnterpriseTally.objects.all().delete()
    counters.counters_add(
        EnterpriseTally,
        TALLY_KEY_FIELDS,
        ("n",),
        [(*key(1), 2), (*key(2), 1), (*key(1), 3), (*key(3, "red"), 1), (*key(2), -1)],
    )
    assert stored() == {key(1): 5, key(2): 0, key(3, "red"): 1}

    counters.counters_add(EnterpriseTally, TALLY_KEY_FIELDS, ("n",), [(*key(3, "red"), 4)])
    counters.counters_add(EnterpriseTally, TALLY_KEY_FIELDS, ("n",), [])

    assert stored() == {key(1): 5, key(2): 0, key(3, "red"): 5}

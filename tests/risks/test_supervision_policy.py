"""Every shipped supervision profile inspects higher risk at least as often as lower risk
(red ≥ orange ≥ yellow ≥ blue), and says so in both languages."""

from __future__ import annotations

import json
import re

import pytest

from anjian.risks import supervision

RAW = json.loads(supervision.DATA.read_text(encoding="utf-8"))
ORDER = ("red", "orange", "yellow", "blue")


@pytest.mark.parametrize("profile", RAW["profiles"], ids=lambda p: p["name"])
def test_given_a_shipped_profile_then_frequency_is_monotonic_in_risk(profile):
    per_year = [profile["classes"][c]["inspections_per_year"] for c in ORDER]
    assert all(isinstance(n, int) and n >= 1 for n in per_year)
    assert per_year == sorted(per_year, reverse=True), f"{profile['name']}: {per_year}"
    for colour in ORDER:
        row = profile["classes"][colour]
        assert row["measures"] and len(row["measures"]) == len(row["measures_en"])
        assert (
            supervision.requirement(colour, "", profile["name"]).inspections_per_year
            == (row["inspections_per_year"])
        )


def test_given_the_default_profile_then_its_numbers_and_words_agree():
    default = supervision.default_profile()
    got = {c: supervision.requirement(c, "", default) for c in ORDER}
    assert [got[c].inspections_per_year for c in ORDER] == [52, 12, 4, 1]
    assert "每月执法检查" in got["orange"].measures
    assert "monthly enforcement inspection" in got["orange"].measures_en
    assert "每季度抽查" in got["yellow"].measures and "年度普查" in got["blue"].measures
    # Words naming a rhythm must match the number: monthly 12, quarterly 4, annual 1.
    rhythm = {"每月": 12, "每季度": 4, "年度": 1, "每周": 52}
    for colour in ORDER:
        for word, n in rhythm.items():
            if any(m.startswith(word) for m in got[colour].measures) and word != "每周":
                assert got[colour].inspections_per_year == n
    assert re.search("red ≥ orange ≥ yellow ≥ blue", RAW["source"])

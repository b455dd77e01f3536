"""The scorer against planted fabricators: precision and recall at enterprise level."""

from __future__ import annotations

import json

import pytest

from anjian.checks.authenticity import score
from anjian.checks.synthetic import PATTERNS, generate


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_given_planted_fabricators_when_scored_then_precision_and_recall_at_least_0_9(seed):
    data = generate(enterprises=60, seed=seed)
    result = score(data.records, data.sites, data.alarms, data.findings)
    flagged = {e.enterprise for e in result.enterprises if e.flag}
    caught = flagged & data.planted
    precision = len(caught) / len(flagged) if flagged else 0.0
    recall = len(caught) / len(data.planted)
    print(
        f"\nseed {seed}: {len(data.records)} records, {len(data.planted)} planted of 60, "
        f"{len(flagged)} flagged: precision {precision:.3f}, recall {recall:.3f}"
    )
    for missed in sorted(data.planted - flagged):
        print(f"  missed {missed} ({', '.join(data.patterns[missed])})")
    for wrong in sorted(flagged - data.planted):
        print(f"  wrongly flagged {wrong}")
    assert precision >= 0.9 and recall >= 0.9
    # The ranked list explains every flag with evidence naming records.
    for enterprise in result.enterprises:
        if enterprise.flag:
            assert enterprise.signals and all(s.evidence["ids"] for s in enterprise.signals)


def test_given_the_same_seed_then_the_same_data_and_scores():
    first, second = generate(enterprises=10, seed=7), generate(enterprises=10, seed=7)
    assert list(first.lines()) == list(second.lines())
    assert first.planted == second.planted
    one = json.dumps(score(first.records, first.sites, first.alarms, first.findings).as_dict())
    two = json.dumps(score(second.records, second.sites, second.alarms, second.findings).as_dict())
    assert one == two


def test_given_a_seed_then_fabricators_mix_patterns_and_honest_ones_have_noise():
    data = generate(enterprises=60, seed=2)
    assert len(data.planted) == 18
    mixes = [data.patterns[code] for code in data.planted]
    assert {len(mix) for mix in mixes} >= {1, 2} and max(map(len, mixes)) < len(PATTERNS)
    assert set().union(*mixes) == set(PATTERNS)
    result = score(data.records, data.sites, data.alarms, data.findings)
    honest = [e for e in result.enterprises if e.enterprise not in data.planted]
    # Honest noise exists (GPS glitches, quick checkers, offline phones) but stays small.
    assert any(e.signals for e in honest)
    assert any(
        all(a == "normal" for a in r.answers) and r.enterprise not in data.planted
        for r in data.records
    )

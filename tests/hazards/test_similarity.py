"""Duplicate ranking on Chinese text: pure, no database."""

from anjian.hazards.similarity import Candidate, normalise, rank, text_score

CANDIDATES = [
    Candidate(1, "配电室门口堆放杂物", unit_id=7, hazard_type="electrical"),
    Candidate(2, "1号储罐呼吸阀堵塞未清理", unit_id=3, hazard_type="equipment"),
    Candidate(3, "2号储罐液位计失灵", unit_id=3, hazard_type="instrument"),
    Candidate(4, "灭火器压力不足", unit_id=None, hazard_type="fire"),
]


def test_given_full_width_and_punctuation_when_normalised_then_folded():
    assert normalise("１号 储罐，呼吸阀！") == "1号储罐呼吸阀"


def test_given_near_duplicate_when_ranked_then_first_with_reasons():
    found = rank("1号储罐区呼吸阀堵塞", CANDIDATES, unit_id=3, hazard_type="equipment")
    assert found[0].id == 2
    assert found[0].reasons == ("text", "unit", "type")
    assert found[0].score == 100.0
    assert 1 not in [m.id for m in found] and 4 not in [m.id for m in found]


def test_given_reordered_words_when_scored_then_still_similar():
    assert text_score("消防通道堆放杂物", "杂物堆放占用消防通道") > 70
    assert text_score("消防通道堆放杂物", "2号储罐液位计失灵") < 30


def test_given_one_character_when_scored_then_containment_does_not_count():
    assert text_score("漏", "储罐泄漏") < 55


def test_given_same_unit_only_when_ranked_then_bonus_alone_is_not_a_duplicate():
    found = rank("消防栓被遮挡", CANDIDATES, unit_id=3, hazard_type="instrument")
    assert found == []


def test_given_limit_and_ties_when_ranked_then_bounded_newest_first():
    same = [Candidate(i, "呼吸阀堵塞") for i in range(10)]
    found = rank("呼吸阀堵塞", same, limit=3)
    assert [m.id for m in found] == [9, 8, 7]


def test_given_empty_text_when_scored_then_zero():
    assert text_score("", "呼吸阀") == 0.0
    assert rank("", CANDIDATES) == []

"""一事不再罚 (issue 12 item 9): subject and clause keys, and a second fine for the same
facts by another department refused with the first shown; other measures stay possible."""

from __future__ import annotations

import ast
import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

import pytest

from anjian.inspections import penalties as p
from anjian.registry import uscc

TZ = dt.timezone(dt.timedelta(hours=8))
COMPANY = uscc.generate(random.Random(12), "330521")
OTHER_COMPANY = uscc.generate(random.Random(13), "330521")
LAW_101_2 = p.parse_clause("《安全生产法》第一百零一条第（二）项")
LAW_99_3 = p.parse_clause("《安全生产法》第九十九条第（三）项")
ROAD = p.parse_clause("《危险化学品安全管理条例》第八十八条第（一）项")


def at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 5, day, hour, tzinfo=TZ)


def facts(**overrides) -> p.Facts:
    values = {
        "start": at(10, 8),
        "end": at(10, 18),
        "location_code": "330521-U-0007",
        "place": "安澜县临港化工园区 储罐区",
        "description": "重大危险源储罐区未设置可燃气体报警装置",
    }
    values.update(overrides)
    return p.Facts(**values)


def fine(pid: str, department: str, *, subject=None, clauses=(LAW_101_2,), **overrides):
    values = {
        "id": pid,
        "department": department,
        "subject": subject or p.uscc_key(COMPANY),
        "kind": p.FINE,
        "clauses": clauses,
        "facts": facts(),
        "decided_on": dt.date(2026, 5, 20),
        "amount": Decimal("50000.00"),
    }
    values.update(overrides)
    return p.Penalty(**values)


FIRST = fine("应急-2026-031", "应急管理局", decided_on=dt.date(2026, 5, 12))


# --- subject keys ------------------------------------------------------------------------


def test_given_a_credit_code_in_lower_case_with_spaces_then_its_key_is_the_upper_case_code():
    key = p.subject_key(f"  {COMPANY.lower()} ")
    assert key == p.SubjectKey(p.USCC, COMPANY)


def test_given_a_credit_code_with_a_wrong_check_character_then_it_is_refused():
    wrong = COMPANY[:17] + ("0" if COMPANY[17] != "0" else "1")
    with pytest.raises(p.SubjectKeyError) as raised:
        p.uscc_key(wrong)
    assert raised.value.code == "check"


@pytest.mark.parametrize(
    "raw",
    ["浙E12345", "浙Ｅ１２３４５", "浙 E 1 2 3 4 5", "浙e·12345", "浙E-12345", "浙Ｅ　12345"],
)
def test_given_a_plate_written_full_width_or_with_spaces_then_it_normalises_to_one_key(raw):
    assert p.subject_key(raw) == p.SubjectKey(p.PLATE, "浙E12345")


@pytest.mark.parametrize("raw", ["浙ED12345", "浙EFA1234", "浙E12345D", "浙Ｅ　１２３４５Ｆ"])
def test_given_new_energy_plates_of_8_characters_then_they_are_accepted(raw):
    key = p.plate_key(raw)
    assert key.kind == p.PLATE and len(key.value) == 8


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "empty"),
        ("X E12345", "province"),
        ("浙E1234", "length"),
        ("浙E1234O", "format"),  # the letter O is not used in a serial
        ("浙EA12345", "format"),  # 8 characters but not a new-energy serial
        ("浙112345", "format"),  # the authority code is a letter
    ],
)
def test_given_a_malformed_plate_then_it_is_refused_with_its_reason(raw, code):
    with pytest.raises(p.SubjectKeyError) as raised:
        p.plate_key(raw)
    assert raised.value.code == code


def test_given_the_standard_example_id_number_then_its_check_digit_is_x():
    # The example of GB 11643-1999: 11010519491231002X.
    assert p.id_check_digit("11010519491231002") == "X"
    assert p.subject_key("11010519491231002x") == p.SubjectKey(p.PERSON, "11010519491231002X")


@pytest.mark.parametrize(
    ("raw", "code"),
    [("110105194912310021", "check"), ("110105194913310027", "birth_date"), ("1101", "length")],
)
def test_given_a_bad_id_number_then_it_is_refused(raw, code):
    with pytest.raises(p.SubjectKeyError) as raised:
        p.person_key(raw)
    assert raised.value.code == code


# --- clause keys -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "《安全生产法》第一百零一条第（二）项",
        "安全生产法 第101条 第2项",
        "《中华人民共和国安全生产法》第一百零一条第(二)项",
        "安全生产法第１０１条第（２）项。",
    ],
)
def test_given_a_clause_in_either_form_then_the_key_is_the_same(text):
    assert p.parse_clause(text) == p.ClauseKey("安全生产法", 101, None, 2)


def test_given_a_clause_with_a_paragraph_then_paragraph_and_item_are_kept():
    key = p.parse_clause("《安全生产法》第九十九条第一款第（三）项")
    assert (key.article, key.paragraph, key.item) == (99, 1, 3)
    assert key.label() == "《安全生产法》第九十九条第一款第（三）项"


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("一百零一", 101),
        ("一百一十", 110),
        ("一百一十四", 114),
        ("两百", 200),
        ("一千零一", 1001),
        ("一千零一十", 1010),
    ],
)
def test_given_chinese_numerals_then_they_convert_exactly_both_ways(text, n):
    assert p.chinese_to_int(text) == n
    if "两" not in text:
        assert p.int_to_chinese(n) == text


@pytest.mark.parametrize("text", ["", "一二", "一零一", "百十千", "第一", "1a"])
def test_given_malformed_numerals_then_they_are_refused(text):
    with pytest.raises(ValueError):
        p.chinese_to_int(text)


def test_given_text_that_is_not_one_clause_then_it_is_refused():
    with pytest.raises(ValueError):
        p.parse_clause("依照有关规定")


def test_given_a_clause_without_paragraph_then_it_matches_the_same_item_with_one():
    assert p.same_clause(LAW_101_2, p.parse_clause("安全生产法第一百零一条第一款第二项"))
    assert not p.same_clause(LAW_101_2, p.parse_clause("安全生产法第一百零一条第三项"))
    assert not p.same_clause(LAW_101_2, p.parse_clause("消防法第一百零一条第二项"))


# --- 一事不再罚 ----------------------------------------------------------------------------


def test_given_a_fine_for_the_same_subject_clause_and_facts_by_another_department_then_the_second_is_blocked_with_the_first_shown():
    later = fine("住建-2026-007", "住建局", decided_on=dt.date(2026, 5, 20))
    third = fine("交通-2026-002", "交通运输局", decided_on=dt.date(2026, 5, 15))
    check = p.find_double_penalty(later, [third, FIRST], window_days=30)
    assert check.blocked
    assert [e.prior_id for e in check.evidence] == ["应急-2026-031", "交通-2026-002"]
    first = check.evidence[0]
    assert first.department == "应急管理局"
    assert first.rule == p.SAME_CLAUSE
    assert first.clauses == (LAW_101_2,)
    assert any("location code" in r for r in first.reasons)
    # Other measures stay possible: a warning, a suspension, a licence measure.
    assert {p.WARNING, p.SUSPENSION, p.LICENCE_REVOCATION} <= set(check.other_measures_allowed)
    assert p.FINE not in check.other_measures_allowed


def test_given_the_same_truck_fined_twice_for_the_same_trip_then_the_second_is_blocked():
    truck = p.plate_key("浙E·12345")
    trip = {
        "location_code": "",
        "place": "G25长深高速 安澜收费站",
        "description": "超载运输危险化学品",
    }
    first = fine("交警-1", "公安交警", subject=truck, clauses=(ROAD,), facts=facts(**trip))
    second = fine(
        "交通-1",
        "交通运输局",
        subject=p.plate_key("浙Ｅ　１２３４５"),
        clauses=(p.parse_clause("危险化学品安全管理条例 第88条 第1项"),),
        facts=facts(**trip | {"place": "G25 长深高速安澜收费站"}),
    )
    check = p.find_double_penalty(second, [first], window_days=30)
    assert check.blocked and check.evidence[0].prior_id == "交警-1"


def test_given_the_prior_outside_the_window_then_the_fine_is_allowed():
    later = fine("住建-1", "住建局", decided_on=dt.date(2026, 6, 12))
    assert not p.find_double_penalty(later, [FIRST], window_days=30).blocked
    # The window is inclusive: 31 days apart is inside a 31-day window.
    assert p.find_double_penalty(later, [FIRST], window_days=31).blocked


def test_given_a_different_clause_and_a_different_act_then_the_fine_is_allowed():
    other = fine(
        "住建-2",
        "住建局",
        clauses=(LAW_99_3,),
        facts=facts(description="特种作业人员未持证上岗"),
    )
    assert not p.find_double_penalty(other, [FIRST], window_days=30).blocked


def test_given_one_act_under_several_norms_then_the_second_fine_is_blocked_and_the_amounts_shown():
    other_norm = fine(
        "消防-1",
        "消防救援大队",
        clauses=(p.parse_clause("《消防法》第六十条第一款第（一）项"),),
        amount=Decimal("80000"),
    )
    check = p.find_double_penalty(other_norm, [FIRST], window_days=30)
    assert check.blocked
    evidence = check.evidence[0]
    assert evidence.rule == p.SAME_ACT_SEVERAL_NORMS
    assert (evidence.prior_amount, evidence.candidate_amount) == (Decimal("50000.00"), 80000)
    assert evidence.candidate_higher  # 按照罚款数额高的规定处罚: for a human to settle


def test_given_the_same_act_reference_then_it_is_one_act_whatever_the_wording():
    prior = fine("应急-9", "应急管理局", facts=facts(act_ref="finding-77", description="甲"))
    candidate = fine(
        "消防-9",
        "消防救援大队",
        clauses=(p.parse_clause("消防法第六十条"),),
        facts=facts(act_ref="finding-77", description="完全不同的描述文字"),
    )
    assert p.find_double_penalty(candidate, [prior], window_days=30).blocked


def test_given_facts_that_do_not_overlap_in_time_then_the_fine_is_allowed():
    later = fine("住建-3", "住建局", facts=facts(start=at(11, 8), end=at(11, 18)))
    assert not p.find_double_penalty(later, [FIRST], window_days=30).blocked
    touching = fine("住建-4", "住建局", facts=facts(start=at(10, 18), end=at(11, 18)))
    assert p.find_double_penalty(touching, [FIRST], window_days=30).blocked


def test_given_facts_at_another_place_then_the_fine_is_allowed():
    coded = fine("住建-5", "住建局", facts=facts(location_code="330521-U-0008"))
    assert not p.find_double_penalty(coded, [FIRST], window_days=30).blocked
    uncoded_far = fine(
        "住建-6", "住建局", facts=facts(location_code="", place="安澜县城东街道 仓库")
    )
    assert not p.find_double_penalty(uncoded_far, [FIRST], window_days=30).blocked


def test_given_a_warning_or_a_suspension_instead_of_a_fine_then_it_is_allowed():
    for kind in (p.WARNING, p.SUSPENSION, p.LICENCE_SUSPENSION):
        measure = fine("住建-7", "住建局", kind=kind, amount=None)
        check = p.find_double_penalty(measure, [FIRST], window_days=30)
        assert not check.blocked and check.evidence == ()


def test_given_only_a_prior_warning_then_a_fine_is_allowed():
    warned = fine("应急-8", "应急管理局", kind=p.WARNING, amount=None)
    assert not p.find_double_penalty(fine("住建-8", "住建局"), [warned], 30).blocked


def test_given_another_subject_or_a_revoked_prior_then_the_fine_is_allowed():
    other = fine("住建-9", "住建局", subject=p.uscc_key(OTHER_COMPANY))
    assert not p.find_double_penalty(other, [FIRST], window_days=30).blocked
    revoked = fine("应急-10", "应急管理局", revoked=True)
    assert not p.find_double_penalty(fine("住建-10", "住建局"), [revoked], 30).blocked


def test_given_a_fine_on_the_principal_then_it_does_not_meet_the_company_fine():
    person = fine(
        "应急-11", "应急管理局", kind=p.PERSON_FINE, subject=p.person_key("11010519491231002X")
    )
    assert not p.find_double_penalty(person, [FIRST], window_days=30).blocked
    again = fine("住建-11", "住建局", kind=p.PERSON_FINE, subject=person.subject)
    assert p.find_double_penalty(again, [person], window_days=30).blocked


def test_given_a_fine_with_a_float_or_missing_amount_then_it_is_refused():
    with pytest.raises(TypeError):
        fine("x", "y", amount=50000.0)
    with pytest.raises(TypeError):
        fine("x", "y", amount=None)
    with pytest.raises(ValueError):
        fine("x", "y", amount=Decimal("0"))


# --- limitation (第三十六条) ---------------------------------------------------------------


def test_given_an_act_discovered_after_two_years_then_it_is_time_barred_unless_life_was_endangered():
    ended = dt.date(2024, 2, 29)
    assert not p.limitation_expired(ended, dt.date(2026, 2, 28))  # the last day
    assert p.limitation_expired(ended, dt.date(2026, 3, 1))
    assert not p.limitation_expired(ended, dt.date(2029, 2, 28), life_health_harm=True)
    assert p.limitation_expired(ended, dt.date(2029, 3, 1), life_health_harm=True)


def test_given_the_penalties_module_then_it_imports_no_django():
    path = Path(p.__file__)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = (
            [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else []
        )
        assert not any(n == "django" or n.startswith("django.") for n in names)

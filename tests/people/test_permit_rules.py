"""GB 30871-2022 rules (anjian.people.permit_rules) at their boundaries, in Decimal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from anjian.people import permit_rules as r

T0 = dt.datetime(2026, 12, 4, 8, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("height", "grade"),
    [
        ("2", "I"),
        ("5", "I"),
        ("5.01", "II"),
        ("15", "II"),
        ("15.1", "III"),
        ("30", "III"),
        ("30.01", "IV"),
    ],
)
def test_given_a_height_when_graded_then_gbt3608_band(height, grade):
    assert r.height_grade(D(height)) == grade


def test_given_below_2m_when_graded_then_not_work_at_height():
    with pytest.raises(r.RuleError):
        r.height_grade(D("1.99"))


@pytest.mark.parametrize(
    ("load", "grade"),
    [("100.001", "first"), ("100", "second"), ("40", "second"), ("39.99", "third"), ("1", "third")],
)
def test_given_a_load_when_graded_then_lifting_grade(load, grade):
    assert r.lifting_grade(D(load)) == grade


def test_given_a_zero_load_when_graded_then_refused():
    with pytest.raises(r.RuleError):
        r.lifting_grade(D("0"))


def test_validity_limits_per_hot_work_grade():
    assert r.validity_limit("hot_work", "special") == dt.timedelta(hours=8)
    assert r.validity_limit("hot_work", "first") == dt.timedelta(hours=8)
    assert r.validity_limit("hot_work", "second") == dt.timedelta(hours=72)
    assert r.validity_limit("height", "I") is None


def _a(**kw):
    return r.Analysis(sampled_at=T0, **kw)


@pytest.mark.parametrize(
    ("value", "lel", "ok"),
    [
        ("0.5", "4", True),
        ("0.501", "4", False),
        ("0.5", "3.99", False),
        ("0.2", "3.99", True),
        ("0.201", "1", False),
    ],
)
def test_given_combustible_gas_at_the_limit_when_judged_then_inclusive(value, lel, ok):
    v = r.gas_verdict(
        "hot_work", "first", _a(combustible_pct=D(value), combustible_lel_pct=D(lel)), None
    )
    assert v.passed is ok
    assert v.findings[0]["code"] == "combustible" and v.findings[0]["value"] == value


@pytest.mark.parametrize(
    ("o2", "enriched", "ok"),
    [
        ("19.5", False, True),
        ("19.49", False, False),
        ("21", False, True),
        ("21.01", False, False),
        ("23.5", True, True),
        ("23.51", True, False),
    ],
)
def test_given_oxygen_in_a_confined_space_when_judged_then_band(o2, enriched, ok):
    a = _a(
        oxygen_pct=D(o2), combustible_pct=D("0"), combustible_lel_pct=D("5"), enriched_air=enriched
    )
    assert r.gas_verdict("confined_space", "", a, None).passed is ok


def test_given_no_oxygen_in_a_confined_space_then_fails():
    a = _a(combustible_pct=D("0"), combustible_lel_pct=D("5"))
    v = r.gas_verdict("confined_space", "", a, None)
    assert not v.passed and {"code": "oxygen_missing", "ok": False} in v.findings


def test_given_no_combustible_reading_for_hot_work_then_fails():
    assert not r.gas_verdict("hot_work", "second", _a(oxygen_pct=D("20.9")), None).passed


def test_given_a_reading_without_its_lel_then_fails():
    v = r.gas_verdict("hot_work", "second", _a(combustible_pct=D("0.1")), None)
    assert not v.passed and v.findings[0]["code"] == "lel_missing"


def test_given_toxic_gas_at_and_over_its_entered_limit():
    base = {"combustible_pct": D("0"), "combustible_lel_pct": D("5"), "oxygen_pct": D("20.9")}
    at = _a(toxic=[{"name": "硫化氢", "value": "10", "limit": "10", "unit": "mg/m3"}], **base)
    over = _a(toxic=[{"name": "硫化氢", "value": "10.1", "limit": "10", "unit": "mg/m3"}], **base)
    assert r.gas_verdict("confined_space", "", at, None).passed
    assert not r.gas_verdict("confined_space", "", over, None).passed


@pytest.mark.parametrize(("minutes", "ok"), [(0, True), (30, True), (31, False), (-1, False)])
def test_given_a_sample_time_when_the_work_starts_then_30_minutes(minutes, ok):
    a = _a(combustible_pct=D("0"), combustible_lel_pct=D("5"))
    v = r.gas_verdict("hot_work", "first", a, T0 + dt.timedelta(minutes=minutes))
    assert v.passed is ok


def test_special_grade_hot_work_notes_continuous_monitoring():
    a = _a(combustible_pct=D("0"), combustible_lel_pct=D("5"))
    codes = [f["code"] for f in r.gas_verdict("hot_work", "special", a, None).findings]
    assert "continuous_monitoring" in codes


def test_certificate_categories_and_gas_requirements():
    assert r.certificate_category("hot_work") == "焊接与热切割作业"
    assert r.certificate_category("temporary_power") == "电工作业"
    assert r.certificate_category("height") == "高处作业"
    assert r.certificate_category("lifting") == ""
    assert r.needs_gas("hot_work") and r.needs_gas("confined_space") and not r.needs_gas("height")

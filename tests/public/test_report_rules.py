"""Pure rules of whistleblower reports: deadline, codes, likeness, the table, the seal."""

import datetime as dt

import pytest

from anjian.public import crypto
from anjian.public import report_rules as rules
from anjian.public import report_workflow as wf


def test_given_a_receipt_day_then_due_in_60_days_and_one_extension_of_at_most_30():
    assert rules.due_on(dt.date(2026, 1, 1)) == dt.date(2026, 3, 2)
    assert rules.extended_due(dt.date(2026, 3, 2), 30) == dt.date(2026, 4, 1)
    for bad in (0, 31, -1):
        with pytest.raises(ValueError):
            rules.extended_due(dt.date(2026, 3, 2), bad)


def test_given_a_due_day_then_reminder_7_days_before_and_overdue_after():
    due = dt.date(2026, 3, 2)
    assert rules.needs_reminder(due, dt.date(2026, 2, 23), True)
    assert not rules.needs_reminder(due, dt.date(2026, 2, 24), True)
    assert not rules.is_overdue(due, due, True)
    assert rules.is_overdue(due, due + dt.timedelta(days=1), True)
    assert not rules.is_overdue(due, due + dt.timedelta(days=1), False)


def test_given_new_codes_then_unambiguous_and_distinct():
    codes = {rules.new_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert len(code) == 12
        assert not set(code) & set("01ILOU")
    assert rules.normalise_code(" abcd-efgh ") == "ABCDEFGH"


def test_given_an_address_then_the_hash_is_keyed_and_hides_it():
    h = rules.source_hash("10.0.0.1", "k")
    assert "10.0.0.1" not in h and len(h) == 64
    assert h != rules.source_hash("10.0.0.1", "other")
    assert h == rules.source_hash("10.0.0.1", "k")


def test_given_alike_contents_then_likely_duplicate_only_at_the_same_place():
    a = "甲化工储罐区可燃气体报警器长期关闭 夜间违规动火作业"
    b = "甲化工 储罐区 可燃气体报警器长期关闭 夜间违规动火作业 请查处"
    assert rules.is_likely_duplicate(a, b, same_place=True)
    assert not rules.is_likely_duplicate(a, b, same_place=False)
    assert not rules.is_likely_duplicate(a, "乙建筑工地脚手架无防护网", same_place=True)


def test_given_the_table_then_only_listed_steps_are_allowed():
    f = wf.Facts()
    assert wf.available(wf.RECEIVED, f) == [wf.TRIAGE, wf.MARK_DUPLICATE, wf.EXTEND, wf.MESSAGE]
    assert not wf.allowed(wf.RECEIVED, wf.VERIFY, f)
    assert not wf.allowed(wf.RECEIVED, wf.CONCLUDE, f)
    assert not wf.allowed(wf.TRIAGED, wf.CONCLUDE, f)
    assert not wf.allowed(
        wf.CONCLUDED, wf.REWARD, wf.Facts(substantiated=False, rewardable_matter=True)
    )
    assert not wf.allowed(
        wf.CONCLUDED, wf.REWARD, wf.Facts(substantiated=True, rewardable_matter=False)
    )
    assert wf.allowed(wf.CONCLUDED, wf.REWARD, wf.Facts(substantiated=True, rewardable_matter=True))
    assert not wf.allowed(wf.VERIFYING, wf.EXTEND, wf.Facts(extended=True))
    for state in (wf.DUPLICATE, wf.PAID):
        assert wf.available(state, wf.Facts(True, True, True)) == []
    assert not wf.allowed(wf.CONCLUDED, wf.MARK_DUPLICATE, f)
    assert not wf.allowed(wf.REWARD_DECIDED, wf.REWARD, wf.Facts(True, True, True))


def test_given_an_identity_then_sealed_bound_to_the_code_and_not_in_clear(settings):
    identity = {"name": "王举报人", "phone": "13900001111", "id_number": "", "address": ""}
    blob, kid = crypto.seal(identity, tracking_code="ABCDEFGHJKMN")
    assert "王举报人".encode() not in blob and b"13900001111" not in blob
    assert crypto.unseal(blob, key_id=kid, tracking_code="ABCDEFGHJKMN") == identity
    with pytest.raises(crypto.SealError):
        crypto.unseal(blob, key_id=kid, tracking_code="ZZZZZZZZZZZZ")
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(crypto.SealError):
        crypto.unseal(tampered, key_id=kid, tracking_code="ABCDEFGHJKMN")
    # Two seals of the same identity differ (a fresh nonce each time).
    assert crypto.seal(identity, tracking_code="ABCDEFGHJKMN")[0] != blob


def test_given_a_rotated_key_then_old_rows_still_open(settings):
    old = settings.ANJIAN_IDENTITY_KEY
    blob, kid = crypto.seal({"name": "甲"}, tracking_code="ABCDEFGHJKMN")
    settings.ANJIAN_IDENTITY_KEY = "ff" * 32
    settings.ANJIAN_IDENTITY_KEY_ID = "k2"
    settings.ANJIAN_IDENTITY_OLD_KEYS = f"{kid}:{old}"
    assert crypto.unseal(blob, key_id=kid, tracking_code="ABCDEFGHJKMN") == {"name": "甲"}
    assert crypto.seal({"name": "甲"}, tracking_code="ABCDEFGHJKMN")[1] == "k2"

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anjian.core.chain import (
    GENESIS_HASH,
    LEGACY_VERSION,
    MAC_VERSION,
    ChainKey,
    check_against_checkpoints,
    checkpoint_line,
    checkpoint_record,
    read_checkpoints,
    row_hash,
    row_mac,
    verify_legacy_rows,
    verify_rows,
)

KEY = ChainKey.from_secret("test key")
OTHER_KEY = ChainKey.from_secret("the attacker's guess")


def make_chain(n, key=KEY):
    rows, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        row = {
            "seq": seq,
            "at": f"2026-01-01T00:00:{seq:02d}+00:00",
            "actor_id": 1,
            "actor_label": "u",
            "via": "web",
            "action": "create",
            "object_type": "x",
            "object_id": str(seq),
            "summary": "",
            "changes": {"n": seq},
            "prev_hash": prev,
            "mac_version": MAC_VERSION,
        }
        row["hash"] = row_mac(row, key)
        prev = row["hash"]
        rows.append(row)
    return rows


def reseal_from(rows, index, seal):
    """What an attacker with write access does: recompute every hash from `index` on."""
    prev = rows[index - 1]["hash"] if index else GENESIS_HASH
    for row in rows[index:]:
        row["prev_hash"] = prev
        row["hash"] = seal(row)
        prev = row["hash"]
    return prev


def test_given_intact_chain_when_verified_then_ok():
    rows = make_chain(5)
    report = verify_rows(rows, key=KEY, head_seq=5, head_hash=rows[-1]["hash"])
    assert report.ok and report.checked == 5


def test_given_altered_row_when_verified_then_that_row_is_named():
    rows = make_chain(5)
    rows[2]["changes"] = {"n": 999}
    report = verify_rows(rows, key=KEY, head_seq=5, head_hash=rows[-1]["hash"])
    assert not report.ok and report.first_broken_seq == 3 and "altered" in report.problem


def test_given_removed_row_when_verified_then_gap_is_named():
    rows = make_chain(5)
    del rows[1]
    report = verify_rows(rows, key=KEY, head_seq=5, head_hash=rows[-1]["hash"])
    assert not report.ok and report.first_broken_seq == 2 and "missing" in report.problem


def test_given_removed_newest_row_when_verified_then_head_mismatch():
    rows = make_chain(5)
    head = rows[-1]["hash"]
    report = verify_rows(rows[:-1], key=KEY, head_seq=5, head_hash=head)
    assert not report.ok and report.first_broken_seq == 5


def test_given_rehashed_forgery_when_verified_then_next_link_breaks():
    rows = make_chain(5)
    rows[1]["summary"] = "forged"
    rows[1]["hash"] = row_mac(rows[1], KEY)  # even with the key, resealing one row…
    report = verify_rows(rows, key=KEY, head_seq=5, head_hash=rows[-1]["hash"])
    assert not report.ok and report.first_broken_seq == 3  # …row 3 no longer links


@pytest.mark.parametrize(
    "seal",
    [row_hash, lambda row: row_mac(row, OTHER_KEY)],
    ids=["plain-sha256", "wrong-key"],
)
def test_given_row_edited_and_every_later_hash_and_head_recomputed_when_verified_then_that_row_is_named(
    seal,
):
    rows = make_chain(6)
    rows[2]["summary"] = "forged"
    head_hash = reseal_from(rows, 2, seal)
    report = verify_rows(rows, key=KEY, head_seq=6, head_hash=head_hash)
    assert not report.ok and report.first_broken_seq == 3 and "altered" in report.problem


def test_given_row_turned_back_to_the_unkeyed_scheme_when_verified_then_refused():
    rows = make_chain(4)
    rows[1]["mac_version"] = LEGACY_VERSION
    rows[1]["summary"] = "forged"
    head_hash = reseal_from(rows, 1, row_hash)
    report = verify_rows(rows, key=KEY, head_seq=4, head_hash=head_hash)
    assert not report.ok and report.first_broken_seq == 2 and "scheme 1" in report.problem


def test_given_wrong_key_when_verified_then_first_row_hints_at_the_key():
    rows = make_chain(3)
    report = verify_rows(rows, key=OTHER_KEY, head_seq=3, head_hash=rows[-1]["hash"])
    assert not report.ok and report.first_broken_seq == 1 and "ANJIAN_AUDIT_KEY" in report.problem


def test_given_walk_from_a_checkpoint_when_verified_then_only_later_rows_are_checked():
    rows = make_chain(6)
    report = verify_rows(
        rows[3:],
        key=KEY,
        head_seq=6,
        head_hash=rows[-1]["hash"],
        start_seq=3,
        start_hash=rows[2]["hash"],
    )
    assert report.ok and report.checked == 3


def test_given_legacy_sha256_chain_when_verified_as_legacy_then_ok():
    rows = make_chain(3)
    head = reseal_from(rows, 0, row_hash)
    assert verify_legacy_rows(rows, head_seq=3, head_hash=head).ok
    assert not verify_rows(rows, key=KEY, head_seq=3, head_hash=head).ok


def test_given_one_secret_when_derived_then_row_and_checkpoint_keys_differ():
    assert KEY.row != KEY.checkpoint
    with pytest.raises(ValueError):
        ChainKey.from_secret("")


@settings(max_examples=60, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=4),
    name=st.sampled_from(["at", "actor_id", "actor_label", "via", "action", "summary", "changes"]),
    value=st.one_of(st.text(max_size=8), st.integers(), st.none()),
)
def test_given_any_field_of_any_row_changed_when_verified_then_that_row_is_named(
    index, name, value
):
    rows = make_chain(5)
    if rows[index][name] == value:
        return
    rows[index][name] = value
    report = verify_rows(rows, key=KEY, head_seq=5, head_hash=rows[-1]["hash"])
    assert not report.ok and report.first_broken_seq == index + 1


# --- checkpoints -----------------------------------------------------------------------------


def make_checkpoints(rows, seqs, key=KEY):
    lines, prev = [], ""
    for seq in seqs:
        record = checkpoint_record(
            seq=seq,
            hash=rows[seq - 1]["hash"],
            at=f"2026-01-0{seq}T00:00:00+00:00",
            kind="scheduled",
            prev=prev,
            key=key,
        )
        prev = record["sig"]
        lines.append(checkpoint_line(record))
    return lines


def test_given_signed_checkpoints_when_read_then_all_verify():
    rows = make_chain(6)
    parsed = read_checkpoints(make_checkpoints(rows, [2, 4, 6]), key=KEY)
    assert not parsed.problem and [r["seq"] for r in parsed.records] == [2, 4, 6]
    hash_at = {r["seq"]: r["hash"] for r in rows}
    assert check_against_checkpoints(parsed.records, hash_at=hash_at, head_seq=6, checked=6) is None


@pytest.mark.parametrize(
    "forge",
    [
        lambda record: {**record, "hash": "f" * 64},  # moved to a forged chain, old signature
        lambda record: {**record, "seq": 3},
        lambda record: checkpoint_record(
            **{k: v for k, v in record.items() if k != "sig"}, key=OTHER_KEY
        ),
    ],
    ids=["edited-hash", "edited-seq", "signed-with-another-key"],
)
def test_given_forged_checkpoint_line_when_read_then_that_line_is_reported(forge):
    rows = make_chain(4)
    lines = make_checkpoints(rows, [2, 4])
    lines[1] = checkpoint_line(forge(json.loads(lines[1])))
    parsed = read_checkpoints(lines, key=KEY)
    assert parsed.bad_line == 2 and "line 2" in parsed.problem
    assert [r["seq"] for r in parsed.records] == [2]


def test_given_checkpoint_line_cut_out_when_read_then_reported():
    rows = make_chain(6)
    lines = make_checkpoints(rows, [2, 4, 6])
    del lines[1]
    parsed = read_checkpoints(lines, key=KEY)
    assert parsed.bad_line == 2 and "removed" in parsed.problem


def test_given_garbage_line_when_read_then_reported():
    parsed = read_checkpoints(["{not json\n"], key=KEY)
    assert parsed.bad_line == 1 and "JSON" in parsed.problem
    parsed = read_checkpoints(['{"seq": true}\n'], key=KEY)
    assert parsed.bad_line == 1


def test_given_newest_rows_removed_and_head_moved_back_when_checked_then_reported():
    rows = make_chain(6)
    records = read_checkpoints(make_checkpoints(rows, [3, 6]), key=KEY).records
    kept = rows[:4]
    walk = verify_rows(kept, key=KEY, head_seq=4, head_hash=kept[-1]["hash"])
    assert walk.ok  # the walk alone cannot see it…
    report = check_against_checkpoints(
        records, hash_at={r["seq"]: r["hash"] for r in kept}, head_seq=4, checked=4
    )
    assert report is not None and not report.ok  # …the checkpoint of row 6 does
    assert report.first_broken_seq == 5 and "removed" in report.problem


def test_given_chain_rewritten_with_the_key_when_checked_then_stretch_since_last_good_checkpoint_is_named():
    rows = make_chain(6)
    records = read_checkpoints(make_checkpoints(rows, [2, 4]), key=KEY).records
    rows[2]["summary"] = "forged"
    head = reseal_from(rows, 2, lambda row: row_mac(row, KEY))
    assert verify_rows(rows, key=KEY, head_seq=6, head_hash=head).ok
    report = check_against_checkpoints(
        records, hash_at={r["seq"]: r["hash"] for r in rows}, head_seq=6, checked=6
    )
    assert report is not None and report.first_broken_seq == 3 and "row 4" in report.problem

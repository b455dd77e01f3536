from anjian.core.chain import GENESIS_HASH, row_hash, verify_rows


def make_chain(n):
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
        }
        row["hash"] = row_hash(row)
        prev = row["hash"]
        rows.append(row)
    return rows


def test_given_intact_chain_when_verified_then_ok():
    rows = make_chain(5)
    report = verify_rows(rows, head_seq=5, head_hash=rows[-1]["hash"])
    assert report.ok and report.checked == 5


def test_given_altered_row_when_verified_then_that_row_is_named():
    rows = make_chain(5)
    rows[2]["changes"] = {"n": 999}
    report = verify_rows(rows, head_seq=5, head_hash=rows[-1]["hash"])
    assert not report.ok and report.first_broken_seq == 3 and "altered" in report.problem


def test_given_removed_row_when_verified_then_gap_is_named():
    rows = make_chain(5)
    del rows[1]
    report = verify_rows(rows, head_seq=5, head_hash=rows[-1]["hash"])
    assert not report.ok and report.first_broken_seq == 2 and "missing" in report.problem


def test_given_removed_newest_row_when_verified_then_head_mismatch():
    rows = make_chain(5)
    head = rows[-1]["hash"]
    report = verify_rows(rows[:-1], head_seq=5, head_hash=head)
    assert not report.ok and report.first_broken_seq == 5


def test_given_rehashed_forgery_when_verified_then_next_link_breaks():
    rows = make_chain(5)
    rows[1]["summary"] = "forged"
    rows[1]["hash"] = row_hash(rows[1])  # the forger recomputes this row's hash…
    report = verify_rows(rows, head_seq=5, head_hash=rows[-1]["hash"])
    assert not report.ok and report.first_broken_seq == 3  # …but row 3 no longer links

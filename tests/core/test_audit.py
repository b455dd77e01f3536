import contextlib
import importlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
import uuid

import pytest
from django.db import DatabaseError, connection, transaction

from anjian.core import audit
from anjian.core.audit import Actor, audit_append, audit_checkpoint, audit_verify
from anjian.core.chain import GENESIS_HASH, LEGACY_VERSION, ChainKey, row_hash, row_mac
from anjian.core.models import AuditEntry, AuditHead

triggers = importlib.import_module("anjian.core.migrations.0004_audit_append_only")
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the PostgreSQL triggers and roles"
)


@pytest.fixture(autouse=True)
def checkpoint_file(tmp_path, settings):
    settings.ANJIAN_AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"
    return settings.ANJIAN_AUDIT_CHECKPOINT_FILE


def append(n):
    for i in range(n):
        audit_append(
            actor=Actor.system("job"),
            action="create",
            object_type="x",
            object_id=str(i),
            changes={"i": i, "when": "2026-01-01"},
        )


@contextlib.contextmanager
def as_attacker():
    """Someone with the database owner's rights: the triggers are in the way, so off they
    go. Inside the test's transaction, so the rollback at the end puts them back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE core_audithead DISABLE TRIGGER USER")
        else:
            for sql in triggers.SQLITE_DROP:
                cursor.execute(sql)
        yield cursor


def stored_rows():
    return list(audit._rows(AuditEntry.objects.all()))


def rewrite_from(cursor, seq, seal):
    """Edit nothing more, but recompute every hash from row `seq` on and move the head."""
    rows = stored_rows()
    prev = rows[seq - 2]["hash"] if seq > 1 else GENESIS_HASH
    for row in rows[seq - 1 :]:
        row["prev_hash"] = prev
        prev = seal(row)
        cursor.execute(
            "UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE seq = %s",
            [row["prev_hash"], prev, row["seq"]],
        )
    cursor.execute("UPDATE core_audithead SET last_hash = %s WHERE id = 1", [prev])


def test_given_entries_when_verified_then_ok(db):
    append(3)
    report = audit_verify().as_dict()
    assert {k: report[k] for k in ("ok", "checked", "first_broken_seq", "problem")} == {
        "ok": True,
        "checked": 3,
        "first_broken_seq": None,
        "problem": "",
    }
    assert report["checkpoints"] == 0 and report["rows_after_last_checkpoint"] == 3
    assert AuditEntry.objects.get(seq=1).mac_version == 2


def test_given_row_edited_by_sql_when_verified_then_row_is_named(db):
    append(4)
    with as_attacker() as cursor:
        cursor.execute("UPDATE core_auditentry SET summary = %s WHERE seq = %s", ["tampered", 2])
    report = audit_verify()
    assert not report.ok and report.first_broken_seq == 2


def test_given_row_deleted_by_sql_when_verified_then_gap_reported(db):
    append(4)
    with as_attacker() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = 4")
    report = audit_verify()
    assert not report.ok and report.first_broken_seq == 4


def test_given_row_appended_beyond_the_head_when_verified_then_reported(db):
    append(3)
    with as_attacker() as cursor:
        row = {**stored_rows()[-1], "seq": 4, "summary": "planted"}
        row["prev_hash"] = row["hash"]
        cursor.execute(
            "INSERT INTO core_auditentry (seq, at, actor_label, via, action, object_type, "
            "object_id, summary, changes, prev_hash, hash, mac_version) "
            "SELECT 4, at, actor_label, via, action, object_type, object_id, 'planted', "
            "changes, %s, %s, 2 FROM core_auditentry WHERE seq = 3",
            [row["prev_hash"], row_hash(row)],
        )
    report = audit_verify()
    assert not report.ok and report.first_broken_seq == 4


def test_given_entries_appended_while_verifying_when_verified_then_still_ok(db, monkeypatch):
    """A live system keeps writing during the walk: that is not tampering."""
    append(3)
    real_head = audit._head
    calls = []

    def head_then_someone_appends(*args, **kwargs):
        head = real_head(*args, **kwargs)
        if not calls:
            calls.append(head)
            append(2)
        return head

    monkeypatch.setattr(audit, "_head", head_then_someone_appends)
    report = audit_verify()
    assert report.ok and report.checked == 3


@pytest.mark.parametrize(
    "seal",
    [row_hash, lambda row: row_mac(row, ChainKey.from_secret("a guess"))],
    ids=["plain-sha256", "wrong-key"],
)
def test_given_row_edited_and_later_hashes_and_head_recomputed_when_verified_then_row_is_named(
    db, seal
):
    """The attack that passed before issue 9: edit a row, recompute every later hash and
    the head. Without the audit key the recomputed hashes are not MACs."""
    append(5)
    with as_attacker() as cursor:
        cursor.execute("UPDATE core_auditentry SET actor_label = 'mallory' WHERE seq = 2")
        rewrite_from(cursor, 2, seal)
    report = audit_verify()
    assert not report.ok and report.first_broken_seq == 2 and "row 2" in report.problem


def test_given_checkpoint_when_newest_rows_deleted_and_head_moved_back_then_reported(db):
    """The other attack that passed: delete the newest rows, move the head back."""
    append(5)
    assert audit_checkpoint()["written"]
    head3 = AuditEntry.objects.get(seq=3).hash
    with as_attacker() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq > 3")
        cursor.execute("UPDATE core_audithead SET last_seq = 3, last_hash = %s", [head3])
    report = audit_verify()
    assert not report.ok and report.first_broken_seq == 4 and "removed" in report.problem
    # Nor will a new checkpoint paper over it.
    refused = audit_checkpoint()
    assert not refused["ok"] and not refused["written"]


def test_given_checkpoint_when_chain_rewritten_with_the_real_key_then_reported(db):
    """A thief of the key can rewrite rows and reseal the chain; the signed checkpoint
    written before still holds the old head."""
    append(5)
    audit_checkpoint()
    append(1)
    with as_attacker() as cursor:
        cursor.execute("UPDATE core_auditentry SET summary = 'forged' WHERE seq = 2")
        rewrite_from(cursor, 2, lambda row: row_mac(row, audit.chain_key()))
    report = audit_verify()
    assert not report.ok and report.first_broken_seq == 1 and "row 5" in report.problem


def test_given_forged_checkpoint_line_when_verified_then_reported(db, checkpoint_file):
    append(3)
    audit_checkpoint()
    record = json.loads(checkpoint_file.read_text().splitlines()[0])
    with checkpoint_file.open("a") as handle:  # a "checkpoint" that blesses a shorter chain
        handle.write(json.dumps({**record, "seq": 1, "prev": record["sig"]}) + "\n")
    report = audit_verify()
    assert not report.ok and "checkpoint line 2" in report.problem and "signed" in report.problem


def test_given_checkpoints_when_run_twice_then_one_line_and_verify_counts_them(db, checkpoint_file):
    append(2)
    first = audit_checkpoint()
    assert first["ok"] and first["written"] and first["verified"] == 2
    again = audit_checkpoint()
    assert again["ok"] and not again["written"]
    append(3)
    later = audit_checkpoint()
    assert later["written"] and later["verified"] == 3 and later["seq"] == 5  # incremental
    lines = checkpoint_file.read_text().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [2, 5]
    append(1)
    report = audit_verify().as_dict()
    assert report["ok"] and report["checkpoints"] == 2
    assert report["last_checkpoint_seq"] == 5 and report["rows_after_last_checkpoint"] == 1


def test_given_tampered_chain_when_checkpointing_then_nothing_is_signed(db, checkpoint_file):
    append(3)
    with as_attacker() as cursor:
        cursor.execute("UPDATE core_auditentry SET summary = 'x' WHERE seq = 2")
    result = audit_checkpoint()
    assert not result["ok"] and result["first_broken_seq"] == 2
    assert not checkpoint_file.exists() or checkpoint_file.read_text() == ""


def test_given_scheduled_task_when_enqueued_then_checkpoint_written(db, settings, checkpoint_file):
    from anjian.core.tasks import audit_checkpoint as task

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    append(2)
    result = task.enqueue()
    assert result.return_value["written"] and result.return_value["seq"] == 2
    assert json.loads(checkpoint_file.read_text())["kind"] == "scheduled"


def test_given_management_commands_when_chain_broken_then_exit_1(db, capsys):
    from django.core.management import call_command

    append(2)
    call_command("audit_checkpoint")
    assert json.loads(capsys.readouterr().out)["written"] is True
    call_command("audit_verify")
    assert json.loads(capsys.readouterr().out)["checkpoints"] == 1
    append(2)
    with as_attacker() as cursor:
        cursor.execute("UPDATE core_auditentry SET summary = 'x' WHERE seq = 3")
    for command in ("audit_verify", "audit_checkpoint"):
        with pytest.raises(SystemExit) as exit_:
            call_command(command)
        assert exit_.value.code == 1
        assert json.loads(capsys.readouterr().out)["first_broken_seq"] == 3


# --- re-sealing a chain written before issue 9 ---------------------------------------------


@contextlib.contextmanager
def legacy_chain(n):
    """Rows as the old code wrote them: plain SHA-256, scheme 1."""
    append(n)
    with as_attacker() as cursor:
        rows = stored_rows()
        prev = GENESIS_HASH
        for row in rows:
            row["prev_hash"] = prev
            prev = row_hash(row)
            cursor.execute(
                "UPDATE core_auditentry SET prev_hash = %s, hash = %s, mac_version = %s "
                "WHERE seq = %s",
                [row["prev_hash"], prev, LEGACY_VERSION, row["seq"]],
            )
        cursor.execute("UPDATE core_audithead SET last_hash = %s", [prev])
        yield cursor


def test_given_legacy_chain_when_resealed_then_verifies_and_first_checkpoint_is_written(
    db, checkpoint_file, django_capture_on_commit_callbacks
):
    with legacy_chain(4), django_capture_on_commit_callbacks(execute=True):
        assert not audit_verify().ok  # sha256 rows are not accepted as they are
        result = audit.audit_reseal_legacy(entry_model=AuditEntry, head_model=AuditHead)
    assert result["seq"] == 4 and result["legacy_ok"]
    report = audit_verify().as_dict()
    assert report["ok"] and report["checkpoints"] == 1 and report["last_checkpoint_seq"] == 4
    line = json.loads(checkpoint_file.read_text())
    assert line["kind"] == "reseal" and line["legacy_ok"] is True


def test_given_broken_legacy_chain_when_resealed_then_refused(db, settings):
    with legacy_chain(3) as cursor:
        cursor.execute("UPDATE core_auditentry SET summary = 'x' WHERE seq = 2")
        with pytest.raises(audit.BrokenLegacyChain, match="row 2"):
            audit.audit_reseal_legacy(entry_model=AuditEntry, head_model=AuditHead)
        settings.ANJIAN_AUDIT_RESEAL_BROKEN = True
        result = audit.audit_reseal_legacy(entry_model=AuditEntry, head_model=AuditHead)
    assert result["legacy_ok"] is False and "row 2" in result["legacy_problem"]


# --- the database refuses ------------------------------------------------------------------


def refused(sql, params=()):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_given_audit_rows_when_updated_by_sql_then_database_refuses(db):
    append(3)
    refused("UPDATE core_auditentry SET summary = 'x' WHERE seq = 2")
    refused("UPDATE core_audithead SET last_seq = 2")  # backwards
    refused("UPDATE core_audithead SET last_hash = %s", ["f" * 64])  # same seq, other hash
    assert audit_verify().ok
    append(1)  # the head still moves forward
    assert AuditHead.objects.get().last_seq == 4


@on_postgres
@pytest.mark.postgres
def test_given_postgres_when_audit_rows_deleted_or_truncated_then_database_refuses(db):
    append(3)
    refused("DELETE FROM core_auditentry WHERE seq = 3")
    refused("DELETE FROM core_audithead")
    with connection.cursor() as cursor:  # outside the test database these exist too
        for sql in triggers.POSTGRES_CREATE_WIPE:
            cursor.execute(sql)
    refused("TRUNCATE core_auditentry")
    refused("TRUNCATE core_audithead CASCADE")
    assert audit_verify().ok and AuditEntry.objects.count() == 3


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite triggers")
def test_given_sqlite_production_triggers_when_audit_rows_deleted_then_database_refuses(db):
    append(3)
    with connection.cursor() as cursor:
        for sql in triggers.SQLITE_CREATE_WIPE:
            cursor.execute(sql)
    refused("DELETE FROM core_auditentry WHERE seq = 3")
    refused("DELETE FROM core_audithead")
    assert audit_verify().ok


@on_postgres
@pytest.mark.postgres
def test_given_app_role_with_documented_grants_when_writing_then_only_appends(db):
    """The GRANT / REVOKE statements of docs/operations.md, on a throw-away role."""
    role = f"anjian_app_{uuid.uuid4().hex[:8]}"
    append(2)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
        cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON core_auditentry FROM {role}")
        cursor.execute(f"REVOKE DELETE, TRUNCATE ON core_audithead FROM {role}")
        # Without the trigger, to show that the missing privilege alone refuses.
        cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
        cursor.execute(f"SET ROLE {role}")
    try:
        append(1)  # appending works
        refused("UPDATE core_auditentry SET summary = 'x' WHERE seq = 1")  # the privilege…
        refused("DELETE FROM core_auditentry WHERE seq = 3")  # …not only the trigger
        refused("TRUNCATE core_auditentry")
        refused("ALTER TABLE core_auditentry DISABLE TRIGGER USER")  # not the owner
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert AuditEntry.objects.count() == 3


# --- the command line, as an operator runs it ----------------------------------------------


def cli(env):
    anjian = [sys.executable, "-m", "anjian.cli"]

    def run(*args):
        return subprocess.run(
            [*anjian, *args], env=env, capture_output=True, text=True, timeout=300, check=False
        )

    return run


def test_given_demo_database_when_cli_verifies_then_ok_and_after_sql_edit_fails(tmp_path):
    """The command a user runs, on a real file database, as a user would."""
    env = {
        "ANJIAN_SQLITE_PATH": str(tmp_path / "a.sqlite3"),
        "ANJIAN_VAR_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": "",
        "ANJIAN_TESTING": "1",
    }
    run = cli(env)
    assert run("manage", "migrate", "-v0").returncode == 0
    assert run("demo", "--enterprises", "30").returncode == 0
    ok = run("audit", "verify")
    assert ok.returncode == 0 and json.loads(ok.stdout)["ok"] is True
    with (
        sqlite3.connect(tmp_path / "a.sqlite3") as db,
        pytest.raises(sqlite3.IntegrityError, match="append-only"),
    ):
        db.execute("UPDATE core_auditentry SET actor_label = 'mallory' WHERE seq = 3")
    with sqlite3.connect(tmp_path / "a.sqlite3") as db:
        db.execute("DROP TRIGGER core_auditentry_no_update")  # the file's owner can
        db.execute("UPDATE core_auditentry SET actor_label = 'mallory' WHERE seq = 3")
    broken = run("audit", "verify")
    report = json.loads(broken.stdout)
    assert broken.returncode == 1 and report["first_broken_seq"] == 3
    assert "row 3" in report["problem"]


def test_given_database_of_the_old_code_when_migrated_then_sealed_with_a_generated_key(
    tmp_path,
):
    """`make demo` on an existing var/: the old chain is re-sealed once, the key file is
    made (owner-only), the first checkpoint is written, and from then on an attacker who
    deletes the newest rows and moves the head back is caught. Runs as production does
    (no test settings): the key comes from the file and the wipe triggers exist."""
    db_path = tmp_path / "a.sqlite3"
    env = {
        "ANJIAN_SQLITE_PATH": str(db_path),
        "ANJIAN_VAR_DIR": str(tmp_path),
        "ANJIAN_STATIC_MANIFEST": "0",
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": "",
    }
    run = cli(env)
    assert run("manage", "migrate", "core", "0002", "-v0").returncode == 0
    prev = GENESIS_HASH
    with sqlite3.connect(db_path) as db:
        for seq in range(1, 6):
            row = {
                "seq": seq,
                "at": f"2026-01-01T00:00:0{seq}+00:00",
                "actor_id": None,
                "actor_label": "system",
                "via": "job",
                "action": "create",
                "object_type": "x",
                "object_id": str(seq),
                "summary": "",
                "changes": {"n": seq},
                "prev_hash": prev,
            }
            digest = row_hash(row)
            db.execute(
                "INSERT INTO core_auditentry (seq, at, actor_id, actor_label, via, action, "
                "object_type, object_id, summary, changes, prev_hash, hash) "
                "VALUES (?, ?, NULL, 'system', 'job', 'create', 'x', ?, '', ?, ?, ?)",
                [seq, f"2026-01-01 00:00:0{seq}", str(seq), json.dumps({"n": seq}), prev, digest],
            )
            prev = digest
        db.execute("INSERT INTO core_audithead (id, last_seq, last_hash) VALUES (1, 5, ?)", [prev])
    migrated = run("manage", "migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    key_file = tmp_path / "audit_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    report = json.loads(run("audit", "verify").stdout)
    assert report["ok"] and report["checked"] == 5 and report["last_checkpoint_seq"] == 5
    assert json.loads((tmp_path / "audit-checkpoints.jsonl").read_text())["kind"] == "reseal"
    with sqlite3.connect(db_path) as db:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("DELETE FROM core_auditentry WHERE seq = 5")
        db.execute("DROP TRIGGER core_auditentry_no_delete")
        db.execute("DROP TRIGGER core_audithead_forward_only")
        db.execute("DELETE FROM core_auditentry WHERE seq > 3")
        db.execute(
            "UPDATE core_audithead SET last_seq = 3, "
            "last_hash = (SELECT hash FROM core_auditentry WHERE seq = 3)"
        )
    broken = run("audit", "verify")
    assert broken.returncode == 1 and json.loads(broken.stdout)["first_broken_seq"] == 4
    checkpoint = run("audit", "checkpoint")
    assert checkpoint.returncode == 1 and json.loads(checkpoint.stdout)["written"] is False

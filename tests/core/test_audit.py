import json
import subprocess
import sys

from django.db import connection

from anjian.core.audit import Actor, audit_append, audit_verify
from anjian.core.models import AuditEntry


def test_given_entries_when_verified_then_ok(db):
    for i in range(3):
        audit_append(
            actor=Actor.system("job"),
            action="create",
            object_type="x",
            object_id=str(i),
            changes={"i": i, "when": "2026-01-01"},
        )
    assert audit_verify().as_dict() == {
        "ok": True,
        "checked": 3,
        "first_broken_seq": None,
        "problem": "",
    }


def test_given_row_edited_by_sql_when_verified_then_row_is_named(db):
    for i in range(4):
        audit_append(actor=Actor.system("job"), action="create", object_type="x", object_id=str(i))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET summary = %s WHERE seq = %s", ["tampered", 2])
    report = audit_verify()
    assert not report.ok and report.first_broken_seq == 2


def test_given_row_deleted_by_sql_when_verified_then_gap_reported(db):
    for i in range(4):
        audit_append(actor=Actor.system("job"), action="create", object_type="x", object_id=str(i))
    AuditEntry.objects.filter(seq=4).delete()
    report = audit_verify()
    assert not report.ok and report.first_broken_seq == 4


def test_given_demo_database_when_cli_verifies_then_ok_and_after_sql_edit_fails(tmp_path):
    """The command a user runs, on a real file database, as a user would."""
    env = {
        "ANJIAN_SQLITE_PATH": str(tmp_path / "a.sqlite3"),
        "ANJIAN_VAR_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": "",
        "ANJIAN_TESTING": "1",
    }
    anjian = [sys.executable, "-m", "anjian.cli"]

    def run(*args):
        return subprocess.run(
            [*anjian, *args], env=env, capture_output=True, text=True, timeout=300, check=False
        )

    assert run("manage", "migrate", "-v0").returncode == 0
    assert run("demo", "--enterprises", "30").returncode == 0
    ok = run("audit", "verify")
    assert ok.returncode == 0 and json.loads(ok.stdout)["ok"] is True
    import sqlite3

    with sqlite3.connect(tmp_path / "a.sqlite3") as db:
        db.execute("UPDATE core_auditentry SET actor_label = 'mallory' WHERE seq = 3")
    broken = run("audit", "verify")
    report = json.loads(broken.stdout)
    assert broken.returncode == 1 and report["first_broken_seq"] == 3
    assert "row 3" in report["problem"]

"""The PostgreSQL connection settings the app ships (anjian/settings.py): read in a fresh
interpreter per case, since Django's settings are fixed once per process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

URL = "postgres://anjian@127.0.0.1:5432/anjian"
READ = (
    "import json, anjian.settings as s; d = s.DATABASES['default']; "
    "print(json.dumps({'options': d.get('OPTIONS', {}).get('options'), "
    "'age': d['CONN_MAX_AGE'], 'cursors': d.get('DISABLE_SERVER_SIDE_CURSORS', False)}))"
)


def read(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ANJIAN_PG", "DATABASE"))}
    return subprocess.run(
        [sys.executable, "-c", READ],
        env={**clean, "DATABASE_URL": URL, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def settings_of(**env: str) -> dict:
    done = read(**env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_given_postgresql_then_persistent_connections_without_jit_and_with_work_mem():
    assert settings_of() == {"options": "-c jit=off -c work_mem=16MB", "age": 600, "cursors": False}


@pytest.mark.parametrize(
    ("value", "options"), [("64MB", "-c jit=off -c work_mem=64MB"), ("", "-c jit=off")]
)
def test_given_a_work_mem_setting_then_it_is_passed_or_left_to_the_server(value, options):
    assert settings_of(ANJIAN_PG_WORK_MEM=value)["options"] == options


def test_given_a_malformed_work_mem_then_the_settings_refuse_it():
    done = read(ANJIAN_PG_WORK_MEM="16MB; DROP")
    assert done.returncode != 0
    assert "ANJIAN_PG_WORK_MEM must be a size" in done.stderr


def test_given_pgbouncer_then_no_startup_parameters_and_no_server_side_cursors():
    assert settings_of(ANJIAN_PGBOUNCER="1") == {"options": None, "age": 0, "cursors": True}

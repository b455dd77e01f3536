import sqlite3
import subprocess
import sys

from anjian.accounts.models import Role
from anjian.demo.generator import DEMO_USERS, build_demo
from anjian.registry.models import Enterprise
from anjian.registry.uscc import validate


def test_given_demo_when_built_then_valid_codes_one_user_per_role_and_gaps(db):
    report = build_demo(enterprises=120, seed=3)
    assert report.enterprises == Enterprise.objects.count() == 120
    assert all(validate(code).valid for code in Enterprise.objects.values_list("uscc", flat=True))
    roles = {role for _u, role, _w, _n in DEMO_USERS}
    assert roles == set(Role.values)  # at least one demo account for every role
    # New business types without a decision remain supervision gaps.
    gaps = Enterprise.objects.exclude(duties__role="lead")
    assert set(gaps.values_list("industry__code", flat=True)) <= {"NB-ESS", "NB-EVCHG"}


def _load(tmp_path, name, seed):
    env = {
        "ANJIAN_SQLITE_PATH": str(tmp_path / name),
        "ANJIAN_VAR_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": "",
        "ANJIAN_TESTING": "1",
    }
    cli = [sys.executable, "-m", "anjian.cli"]
    subprocess.run([*cli, "manage", "migrate", "-v0"], env=env, check=True, timeout=300)
    done = subprocess.run(
        [*cli, "demo", "--enterprises", "50", "--seed", str(seed)],
        env=env,
        check=True,
        timeout=300,
        capture_output=True,
        text=True,
    )
    assert "50/50" in done.stderr  # progress is shown
    with sqlite3.connect(tmp_path / name) as conn:
        enterprises = conn.execute(
            "SELECT name, uscc, address, division_id, industry_id FROM registry_enterprise"
            " ORDER BY id"
        ).fetchall()
        hazards = conn.execute(
            "SELECT number, enterprise_id, state, level, handling, description, version"
            " FROM hazards_hazard ORDER BY id"
        ).fetchall()
        events = conn.execute(
            "SELECT hazard_id, action, to_state FROM hazards_hazardevent ORDER BY id"
        ).fetchall()
    assert hazards and events  # the demo has hazards (anjian.demo.hazards)
    return enterprises, hazards, events


def test_given_same_seed_when_loaded_twice_then_identical_and_other_seed_differs(tmp_path):
    first, second = _load(tmp_path, "a.sqlite3", 11), _load(tmp_path, "b.sqlite3", 11)
    assert first == second and len(first[0]) == 50
    other = _load(tmp_path, "c.sqlite3", 12)
    assert other[0] != first[0] and other[1] != first[1]


def test_given_demo_when_built_then_townships_have_areas_and_enterprises_lie_in_theirs(db):
    from anjian.registry import geometry
    from anjian.registry.models import Division, Enterprise

    build_demo(enterprises=150, seed=5)
    towns = {
        d.pk: d.boundary["coordinates"][0][:-1] for d in Division.objects.filter(level="township")
    }
    assert towns and all(len(ring) >= 3 for ring in towns.values())
    for lon, lat, town_id in Enterprise.objects.values_list(
        "longitude", "latitude", "division__parent_id"
    ):
        assert geometry.contains(towns[town_id], (float(lon), float(lat)))

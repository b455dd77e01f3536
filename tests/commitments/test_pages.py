"""Pages of the daily commitment notice per role: the enterprise's form (prefilled from
yesterday), submission, correction and history; the regulators' board and differences;
the home tiles and the nav entry; an outsider sees nothing."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from anjian.commitments import rules
from anjian.commitments.models import DailyCommitment
from anjian.core import tiles

from .helpers import DAY, at, installation, key, risk_unit, submit


@pytest.fixture
def units(world):
    return installation(world.chem_a), risk_unit(world.chem_a)


@pytest.fixture
def frozen():
    with time_machine.travel(at(9), tick=False) as traveller:
        yield traveller


def form_post(units, **override):
    tank, workshop = units
    post = {
        "principal_name": "李四",
        "commitment": rules.DEFAULT_COMMITMENT,
        "judgement": "",
        **dict.fromkeys(rules.COUNT_FIELDS, "0"),
        f"unit_installation_{tank.pk}": "running",
        f"unit_risk_unit_{workshop.pk}": "stopped",
    }
    post.update(override)
    return post


def test_given_yesterdays_notice_when_the_form_opens_then_prefilled_with_its_states(
    world, units, client_for, frozen
):
    tank, workshop = units
    submit(
        world,
        states={key(tank): rules.MAINTENANCE, key(workshop): rules.STOPPED},
        now=at(9, day=DAY - dt.timedelta(days=1)),
        day=DAY - dt.timedelta(days=1),
    )
    html = client_for("principal_a").get(reverse("commitments:today")).content.decode()
    checked = 'name="unit_{k}_{pk}" value="{v}" id="id_unit_{k}_{pk}_{i}" required checked'
    assert checked.format(k="installation", pk=tank.pk, v="maintenance", i=2) in html
    assert checked.format(k="risk_unit", pk=workshop.pk, v="stopped", i=1) in html
    assert "特级动火作业" in html or "special-grade hot work" in html
    assert "font-size:16px" in html
    assert "2026-03-01" in html  # "prefilled with the states declared on …"


def test_given_the_principal_when_submitting_then_saved_and_shown_then_corrected(
    world, units, client_for, frozen
):
    client = client_for("principal_a")
    response = client.post(reverse("commitments:today"), form_post(units, hot_work_first="2"))
    notice = DailyCommitment.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "commitments:detail", args=[notice.pk]
    )
    assert (notice.hot_work_first, notice.late, notice.submitted_by.username) == (
        2,
        False,
        "principal_a",
    )
    today = client.get(reverse("commitments:today")).content.decode()
    assert 'id="notice"' in today and reverse("commitments:correct", args=[notice.pk]) in today
    # Correct it: a second version, the first kept.
    bad = client.post(reverse("commitments:correct", args=[notice.pk]), form_post(units))
    assert bad.status_code == 200 and DailyCommitment.objects.count() == 1  # reason missing
    ok = client.post(
        reverse("commitments:correct", args=[notice.pk]),
        form_post(units, reason="补报一处动火", hot_work_second="1"),
    )
    new = DailyCommitment.objects.get(is_current=True)
    assert ok.url == reverse("commitments:detail", args=[new.pk])
    assert (new.version, new.hot_work_second, new.correction_reason) == (2, 1, "补报一处动火")
    detail = client.get(ok.url).content.decode()
    assert 'id="versions"' in detail and "补报一处动火" in detail
    history = client.get(reverse("commitments:history", args=[world.chem_a.pk])).content
    assert history.decode().count('href="/commitments/') >= 2


def test_given_bad_input_when_submitting_then_errors_and_nothing_saved(
    world, units, client_for, frozen
):
    tank, _workshop = units
    response = client_for("safety_a").post(
        reverse("commitments:today"),
        form_post(units, lifting="-3", principal_name="", **{f"unit_installation_{tank.pk}": ""}),
    )
    assert response.status_code == 200
    assert 'class="alert alert-error"' in response.content.decode()
    assert not DailyCommitment.objects.exists()


def test_given_an_employee_when_opening_today_then_reads_but_has_no_form(
    world, units, client_for, frozen
):
    html = client_for("employee_a").get(reverse("commitments:today")).content.decode()
    assert '<form method="post" class="form cm-form"' not in html
    response = client_for("employee_a").post(reverse("commitments:today"), form_post(units))
    assert response.status_code == 200 and not DailyCommitment.objects.exists()


@pytest.mark.parametrize("persona", ["coordinator_x", "expert_x", "platform_admin", "outsider"])
def test_given_a_non_enterprise_role_when_opening_today_then_forbidden(world, client_for, persona):
    assert client_for(persona).get(reverse("commitments:today")).status_code == 403


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("principal_a", 200),
        ("employee_a", 200),
        ("coordinator_x", 200),
        ("grid_x1", 200),
        ("officer_emergency_x", 200),
        ("platform_admin", 200),
        ("coordinator_y", 404),
        ("principal_c", 404),
        ("officer_housing_x", 404),
        ("outsider", 404),
        ("audit_admin", 404),
    ],
)
def test_given_a_notice_when_each_role_opens_it_then_only_its_scope_sees_it(
    world, units, client_for, frozen, persona, status
):
    notice = submit(world, states={key(u): rules.RUNNING for u in units}, now=at(9))
    response = client_for(persona).get(reverse("commitments:detail", args=[notice.pk]))
    assert response.status_code == status
    history = client_for(persona).get(reverse("commitments:history", args=[world.chem_a.pk]))
    assert history.status_code in ((200,) if status == 200 else (403, 404))


def test_given_notices_when_a_regulator_opens_the_board_then_statuses_and_filters(
    world, units, client_for
):
    installation(world.chem_c)
    ess_major = installation(world.ess_d, name="储能电站")
    submit(world, states={key(u): rules.RUNNING for u in units}, now=at(10, 20))
    with time_machine.travel(at(11), tick=False):
        client = client_for("coordinator_x")
        html = client.get(reverse("commitments:board")).content.decode()
        assert world.chem_a.name in html and world.ess_d.name in html
        assert world.chem_c.name not in html  # county Y
        assert 'data-status="late"' in html and 'data-status="missing"' in html
        missing = client.get(reverse("commitments:board"), {"status": "missing"}).content.decode()
        assert world.ess_d.name in missing and world.chem_a.name not in missing
        by_name = client.get(reverse("commitments:board"), {"q": "丁储能"}).content.decode()
        assert world.ess_d.name in by_name and world.chem_a.name not in by_name
        earlier = client.get(reverse("commitments:board"), {"date": "2026-03-01"}).content
        assert earlier.decode().count('data-status="missing"') == 2
        assert ess_major.enterprise_id == world.ess_d.pk


@pytest.mark.parametrize("persona", ["principal_a", "outsider", "security_admin"])
def test_given_a_non_regulator_when_opening_the_board_then_forbidden(world, client_for, persona):
    assert client_for(persona).get(reverse("commitments:board")).status_code == 403
    assert client_for(persona).get(reverse("commitments:differences")).status_code == 403


def test_given_units_without_points_when_differences_open_then_none_listed(
    world, units, client_for, frozen
):
    submit(world, states={key(u): rules.STOPPED for u in units}, now=at(9))
    html = client_for("coordinator_x").get(reverse("commitments:differences")).content.decode()
    assert 'data-kind="' not in html and 'id="not-observed"' not in html


def test_given_personas_when_home_tiles_built_then_notice_tiles_for_owing_staff_and_regulators(
    world, units, client_for, frozen
):
    shown = {
        name: {t.name for t in tiles.tiles_for(world.user(name))}
        for name in ["safety_a", "employee_a", "principal_c", "coordinator_x", "outsider"]
    }
    assert "commitments.today" in shown["safety_a"] and "commitments.today" in shown["employee_a"]
    assert "commitments.today" not in shown["principal_c"]  # chem_c owes nothing
    assert "commitments.board" in shown["coordinator_x"]
    assert not {"commitments.today", "commitments.board"} & shown["outsider"]
    home = client_for("safety_a").get(reverse("home")).content.decode()
    assert 'id="home-commitment"' in home and reverse("commitments:today") in home
    board = client_for("coordinator_x").get(reverse("home")).content.decode()
    assert 'id="home-commitments"' in board


def test_given_roles_when_the_nav_renders_then_the_entry_where_it_is_used(world, client_for):
    assert (
        reverse("commitments:today") in client_for("safety_a").get(reverse("home")).content.decode()
    )
    assert reverse("commitments:today") not in (
        client_for("principal_c").get(reverse("home")).content.decode()
    )
    assert reverse("commitments:board") in (
        client_for("grid_x1").get(reverse("home")).content.decode()
    )
    assert reverse("commitments:board") not in (
        client_for("outsider").get(reverse("home")).content.decode()
    )

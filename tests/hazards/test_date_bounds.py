"""Dates bounded by policy: a deadline in the year 9999 (never overdue) or a date in the
year 0001 is refused with a field message on every path (services, extensions, the web
form, the Excel import); the daily commands refuse a --date they cannot compute with."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from anjian.core.errors import ValidationFailed
from anjian.hazards import extensions, services
from anjian.hazards.deadlines import Policy
from anjian.hazards.models import DeadlineExtension, Hazard, HazardEvent
from tests.world import PASSWORD

from .helpers import act, actor, bring, five_fixes, report


def latest() -> dt.date:
    return services.latest_deadline(timezone.localdate())


def test_given_the_shipped_policy_then_the_latest_deadline_is_three_years_ahead():
    today = timezone.localdate()
    assert latest() == today + dt.timedelta(days=1096)
    with pytest.raises(ValueError):
        Policy(max_deadline_days=0)
    with pytest.raises(ValueError):
        Policy(max_deadline_days=100_000)


@pytest.mark.parametrize("deadline", ["9999-12-31", "LATEST+1"])
def test_given_a_deadline_beyond_the_policy_when_setting_five_fixes_then_refused(world, deadline):
    hazard = report(world)
    if deadline == "LATEST+1":
        deadline = (latest() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationFailed) as caught:
        act(world, "safety_a", hazard, "set_five_fixes", five_fixes(deadline=deadline))
    assert set(caught.value.errors) == {"deadline"}
    assert Hazard.objects.get(pk=hazard.pk).deadline is None
    assert not HazardEvent.objects.filter(hazard=hazard, action="set_five_fixes").exists()


def test_given_the_latest_allowed_deadline_when_setting_five_fixes_then_accepted(world):
    hazard = report(world)
    hazard = act(
        world, "safety_a", hazard, "set_five_fixes", five_fixes(deadline=latest().isoformat())
    )
    assert hazard.deadline == latest()


def test_given_a_year_one_date_when_reporting_to_the_workers_then_refused(world):
    hazard = bring(world, "major_reported")
    with pytest.raises(ValidationFailed) as caught:
        act(
            world,
            "principal_a",
            hazard,
            "report_to_workers",
            {"body": "congress", "reported_on": "0001-01-01", "note": "通报"},
        )
    assert "reported_on" in caught.value.errors


def test_given_a_supervision_deadline_in_9999_when_listing_then_refused(world):
    hazard = bring(world, "major_reported")
    with pytest.raises(ValidationFailed) as caught:
        act(world, "coordinator_x", hazard, "list", {"deadline": "9999-12-31", "notice": "督办"})
    assert set(caught.value.errors) == {"deadline"}


def test_given_an_extension_to_9999_when_asked_then_refused_and_nothing_written(world):
    hazard = bring(world, "general_rectifying")
    with pytest.raises(ValidationFailed) as caught:
        extensions.deadline_extension_request(
            actor=actor(world, "safety_a"),
            hazard_id=hazard.pk,
            new_deadline="9999-12-31",
            reason="设备到货延迟",
        )
    assert set(caught.value.errors) == {"new_deadline"}
    assert not DeadlineExtension.objects.exists()


def test_given_the_five_fixes_page_when_deadline_9999_then_field_error_not_500(world):
    hazard = report(world)
    c = Client()
    assert c.login(username="safety_a", password=PASSWORD)
    url = f"/hazards/{hazard.pk}/steps/set_five_fixes/"
    data = {k: v for k, v in five_fixes(deadline="9999-12-31").items() if k != "plan"}
    response = c.post(url, data)
    assert response.status_code == 422  # the form again, with the field's message
    assert latest().isoformat() in response.content.decode()
    assert Hazard.objects.get(pk=hazard.pk).deadline is None


@pytest.mark.parametrize("command", ["hazard_deadlines", "hazard_rechecks"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "tomorrow"])
def test_given_a_date_the_rules_cannot_use_when_running_a_job_command_then_refused(
    world, command, day
):
    with pytest.raises(CommandError, match="--date"):
        call_command(command, "--date", day)


def test_given_the_latest_day_when_running_the_deadline_command_then_it_runs(world, capsys):
    bring(world, "general_rectifying")
    call_command("hazard_deadlines", "--date", latest().isoformat())
    assert '"overdue": 1' in capsys.readouterr().out


def test_given_an_import_row_with_deadline_9999_and_found_in_year_one_then_both_cells_named(world):
    from .test_import import letter, rejected, row, xlsx

    errors = rejected(
        world,
        xlsx(
            [
                row(
                    world,
                    state="整改中",
                    found_on=dt.date(1, 1, 1),
                    deadline=dt.date(9999, 12, 31),
                    acceptor="",
                    accepted_on=None,
                    accept_comment="",
                )
            ]
        ),
    )
    cells = {(e.row, e.column) for e in errors}
    assert (2, letter("found_on")) in cells and (2, letter("deadline")) in cells

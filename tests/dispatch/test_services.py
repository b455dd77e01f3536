"""Opening a month, saving, submitting and returning forms, with a frozen clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry, Notification
from anjian.dispatch import policy, services
from anjian.dispatch.models import DispatchEvent, DispatchForm

from .conftest import FULL, NOV, actor, at, dept_form, submit, town_form


def test_given_the_county_office_when_it_opens_the_month_then_every_township_and_department_gets_a_draft(
    opened,
):
    forms = DispatchForm.objects.filter(month=NOV, county=opened.county_x)
    assert {f.division_id for f in forms if f.division_id} == {
        opened.town_x.pk,
        opened.town_x2.pk,
    }
    assert {f.department.name for f in forms if f.department_id} == {
        "东县应急管理局",
        "东县住房和城乡建设局",
        "东县消防救援大队",
        "东县公安局",
    }
    assert all(f.state == "draft" and f.due_on == dt.date(2026, 11, 25) for f in forms)
    assert not DispatchForm.objects.filter(county=opened.county_y).exists()
    assert DispatchEvent.objects.filter(action="open").count() == 6
    assert AuditEntry.objects.filter(action="dispatch.open").count() == 1


def test_given_an_open_month_when_opened_again_then_nothing_new_but_new_respondents(opened):
    with time_machine.travel(at(6), tick=False):
        again = services.dispatch_open_month(actor=actor(opened, "coordinator_x"), month="2026-11")
        assert (again["created"], again["total"]) == (0, 6)
        from tests.world import division

        division("330101003", "北镇", "township", opened.county_x)
        third = services.dispatch_open_month(
            actor=actor(opened, "coordinator_x"), month=dt.date(2026, 11, 17)
        )
    assert (third["created"], third["total"]) == (1, 7)
    assert DispatchForm.objects.filter(month=NOV).count() == 7


def test_given_a_city_coordinator_then_it_opens_a_county_below_it(dworld):
    with time_machine.travel(at(5), tick=False):
        out = services.dispatch_open_month(
            actor=actor(dworld, "coordinator_city"), month="2026-11", county_id=dworld.county_y.pk
        )
    assert out["created"] == 2  # 西镇 and 西县应急管理局


@pytest.mark.parametrize(
    "who,error",
    [
        # The county is visible to those below it (an ancestor), so refused by role.
        ("town_coord_x", Forbidden),
        ("officer_emergency_x", Forbidden),
        ("grid_x1", Forbidden),
        ("principal_a", Forbidden),
        ("coordinator_y", NotFound),
        ("outsider", NotFound),
    ],
)
def test_given_anyone_but_the_county_office_when_opening_then_refused(dworld, who, error):
    with time_machine.travel(at(5), tick=False), pytest.raises(error):
        services.dispatch_open_month(
            actor=actor(dworld, who), month="2026-11", county_id=dworld.county_x.pk
        )
    assert not DispatchForm.objects.exists()


def test_given_a_future_or_bad_month_when_opening_then_field_message(dworld):
    with time_machine.travel(at(5), tick=False):
        with pytest.raises(ValidationFailed) as exc:
            services.dispatch_open_month(actor=actor(dworld, "coordinator_x"), month="2026-12")
        assert "month" in exc.value.errors
        with pytest.raises(ValidationFailed):
            services.dispatch_open_month(actor=actor(dworld, "coordinator_x"), month="2026/11")


# --- save and submit ------------------------------------------------------------------------


def test_given_the_township_office_when_it_saves_a_partial_draft_then_kept_and_version_moves(
    opened,
):
    form = town_form(opened)
    saved = services.dispatch_save(
        actor=actor(opened, "town_coord_x"),
        form_id=form.pk,
        version=form.version,
        data={"meetings": "2", "investment": "", "notes": "草稿"},
    )
    assert (saved.meetings, saved.investment, saved.notes) == (2, None, "草稿")
    assert saved.state == "draft" and saved.version == form.version + 1
    with pytest.raises(Conflict):  # the version read before the save is stale
        services.dispatch_save(
            actor=actor(opened, "town_coord_x"),
            form_id=form.pk,
            version=form.version,
            data={"meetings": "3"},
        )


def test_given_a_full_form_when_submitted_on_the_due_day_then_on_time_and_signed(opened):
    form = submit(opened, "town_coord_x", town_form(opened), day=25)
    assert form.state == "submitted" and not form.is_late
    assert (form.meetings, form.investment, form.trained_persons) == (3, Decimal("125000.50"), 260)
    assert form.signed_name == "town_coord_x"
    assert form.submitted_by == opened.user("town_coord_x")
    assert form.signature == policy.signature(services.signed_content(form, "town_coord_x"))
    event = DispatchEvent.objects.get(form=form, action="submit")
    assert event.signature == form.signature and event.figures["investment"] == "125000.50"
    audit = AuditEntry.objects.get(action="dispatch.submit")
    assert audit.changes["signature"] == form.signature and audit.changes["late"] is False


def test_given_the_day_after_the_due_date_when_submitted_then_late(opened):
    form = submit(opened, "officer_emergency_x", dept_form(opened), day=26)
    assert form.is_late


def test_given_the_same_figures_then_the_same_signature_and_other_figures_another(opened):
    a = submit(opened, "town_coord_x", town_form(opened))
    with time_machine.travel(at(21), tick=False):
        a = services.dispatch_return(
            actor=actor(opened, "coordinator_x"), form_id=a.pk, reason="核对投入"
        )
    same = submit(opened, "town_coord_x", a, day=22)
    assert same.signature == a.signature
    services.dispatch_return(actor=actor(opened, "coordinator_x"), form_id=a.pk, reason="再核对")
    changed = submit(
        opened, "town_coord_x", DispatchForm.objects.get(pk=a.pk), investment="125000.51"
    )
    assert changed.signature != a.signature


@pytest.mark.parametrize(
    "field,value",
    [
        ("meetings", "-1"),
        ("meetings", "1.5"),
        ("meetings", "三"),
        ("meetings", True),
        ("meetings", "²"),
        ("meetings", -1),
        ("trained_persons", "100000001"),
        ("investment", "-0.01"),
        ("investment", "1.005"),
        ("investment", "abc"),
        ("investment", "NaN"),
        ("investment", "Infinity"),
        ("notes", "x\x00y"),
    ],
)
def test_given_a_bad_value_when_submitting_then_a_field_message_and_nothing_written(
    opened, field, value
):
    form = town_form(opened)
    with pytest.raises(ValidationFailed) as exc:
        submit(opened, "town_coord_x", form, **{field: value})
    assert list(exc.value.errors) == [field]
    form.refresh_from_db()
    assert form.state == "draft" and form.meetings is None
    assert not DispatchEvent.objects.filter(action="submit").exists()


def test_given_full_width_digits_then_read_as_numbers(opened):
    done = submit(opened, "town_coord_x", town_form(opened), meetings="１２", trainings=7)
    assert (done.meetings, done.trainings) == (12, 7)


def test_given_missing_items_when_submitting_then_each_named(opened):
    form = town_form(opened)
    with pytest.raises(ValidationFailed) as exc:
        submit(opened, "town_coord_x", form, campaigns="", investment="")
    assert set(exc.value.errors) == {"campaigns", "investment"}
    # 0 is an answer.
    done = submit(opened, "town_coord_x", form, campaigns="0", investment="0")
    assert (done.campaigns, done.investment) == (0, Decimal("0.00"))


def test_given_a_draft_saved_whole_when_submitted_without_data_then_submitted(opened):
    form = town_form(opened)
    saved = services.dispatch_save(
        actor=actor(opened, "town_coord_x"), form_id=form.pk, version=form.version, data=FULL
    )
    done = services.dispatch_submit(actor=actor(opened, "town_coord_x"), form_id=saved.pk)
    assert done.state == "submitted"


@pytest.mark.parametrize(
    "who,form_of,error",
    [
        ("coordinator_x", "town", Forbidden),  # oversees, does not fill
        ("officer_emergency_x", "town", NotFound),
        ("town_coord_y", "town", NotFound),
        ("grid_x1", "town", NotFound),
        ("principal_a", "town", NotFound),
        ("outsider", "town", NotFound),
        ("officer_housing_x", "dept", NotFound),
        ("town_coord_x", "dept", NotFound),
        ("coordinator_x", "dept", Forbidden),
        ("coordinator_city", "dept", Forbidden),
    ],
)
def test_given_anyone_but_the_respondent_when_saving_or_submitting_then_refused(
    opened, who, form_of, error
):
    form = town_form(opened) if form_of == "town" else dept_form(opened)
    with pytest.raises(error):
        submit(opened, who, form)
    with pytest.raises(error):
        services.dispatch_save(actor=actor(opened, who), form_id=form.pk, data={"meetings": 1})
    form.refresh_from_db()
    assert form.state == "draft" and form.meetings is None


# --- the transitions -------------------------------------------------------------------------


def test_given_a_submitted_form_then_saving_and_submitting_again_are_conflicts(opened):
    form = submit(opened, "town_coord_x", town_form(opened))
    with pytest.raises(Conflict):
        services.dispatch_save(
            actor=actor(opened, "town_coord_x"), form_id=form.pk, data={"meetings": "9"}
        )
    with pytest.raises(Conflict):
        submit(opened, "town_coord_x", form)
    form.refresh_from_db()
    assert form.meetings == 3


@pytest.mark.parametrize("state", ["draft", "returned"])
def test_given_a_form_not_submitted_when_returned_then_conflict(opened, state):
    form = town_form(opened)
    if state == "returned":
        form = submit(opened, "town_coord_x", form)
        services.dispatch_return(actor=actor(opened, "coordinator_x"), form_id=form.pk, reason="r")
    with pytest.raises(Conflict):
        services.dispatch_return(actor=actor(opened, "coordinator_x"), form_id=form.pk, reason="r")


def test_given_a_submitted_form_when_returned_then_corrected_and_submitted_again_stays_on_time(
    opened,
):
    form = submit(opened, "town_coord_x", town_form(opened), day=24)
    first = form.first_submitted_at
    with pytest.raises(ValidationFailed) as exc:
        services.dispatch_return(actor=actor(opened, "coordinator_x"), form_id=form.pk, reason=" ")
    assert "reason" in exc.value.errors
    with time_machine.travel(at(27), tick=False):
        back = services.dispatch_return(
            actor=actor(opened, "coordinator_x"), form_id=form.pk, reason="培训人数与台账不符"
        )
    assert back.state == "returned" and back.return_reason == "培训人数与台账不符"
    told = Notification.objects.get(recipient=opened.user("town_coord_x"))
    assert told.kind == "decision" and "2026-11" in told.title
    saved = services.dispatch_save(
        actor=actor(opened, "town_coord_x"), form_id=back.pk, data={"trained_persons": "250"}
    )
    assert saved.state == "returned"
    again = submit(opened, "town_coord_x", saved, day=28, trained_persons="250")
    assert again.state == "submitted" and again.return_reason == ""
    assert again.first_submitted_at == first and again.submitted_at == at(28)
    assert not again.is_late  # first submitted on time
    actions = list(DispatchEvent.objects.filter(form=form).values_list("action", "to_state"))
    assert actions == [
        ("open", "draft"),
        ("submit", "submitted"),
        ("return", "returned"),
        ("save", "returned"),
        ("submit", "submitted"),
    ]


@pytest.mark.parametrize(
    "who,error",
    [
        ("town_coord_x", Forbidden),
        ("officer_emergency_x", NotFound),
        ("coordinator_y", NotFound),
        ("outsider", NotFound),
    ],
)
def test_given_anyone_but_the_county_office_when_returning_then_refused(opened, who, error):
    form = submit(opened, "town_coord_x", town_form(opened))
    with pytest.raises(error):
        services.dispatch_return(actor=actor(opened, who), form_id=form.pk, reason="r")
    form.refresh_from_db()
    assert form.state == "submitted"


def test_given_a_stale_version_when_returning_then_conflict(opened):
    form = submit(opened, "town_coord_x", town_form(opened))
    with pytest.raises(Conflict):
        services.dispatch_return(
            actor=actor(opened, "coordinator_x"), form_id=form.pk, reason="r", version=1
        )


def test_given_history_rows_then_never_changed_or_deleted(opened):
    event = DispatchEvent.objects.first()
    event.reason = "changed"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()

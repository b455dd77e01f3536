"""Enforcement inspections (issue 12 items 5–7) through their services: the stored,
reproducible double-random draw and its verification; the workflow table (every
illegal step refused, two inspectors at least); unannounced inspections hidden from the
enterprise until they start; findings as hazards linked both ways; resubmissions that do
not write twice; first-inspector-leads; scope."""

from __future__ import annotations

import json

import pytest

from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.hazards.models import Source
from anjian.inspections import services
from anjian.inspections import workflow as wf
from anjian.inspections.models import (
    Draw,
    Finding,
    Inspection,
    InspectionEvent,
    Kind,
    Signature,
)
from tests.inspections.helpers import (
    actor,
    add_chemicals,
    add_roster,
    conclude,
    plan,
    png,
    token,
)


@pytest.fixture
def county(world):
    add_roster(world)
    add_chemicals(world)
    return world


def run(world, seed="2026-12 东县应急管理局 第1批", **extra):
    return services.draw_run(
        actor=actor(world.user("officer_emergency_x")),
        department_id=world.emergency_x.pk,
        seed=seed,
        sample_size=extra.pop("sample_size", 3),
        **extra,
    )


def selection(draw: Draw) -> list[tuple[str, list[str]]]:
    record = json.loads(draw.canonical)
    return [(row[0], row[5]) for row in record["selections"]]


# --- the draw ----------------------------------------------------------------------------


def test_given_the_same_seed_and_data_when_drawn_twice_then_the_selection_is_the_same(county):
    first = run(county)
    second = run(county)
    assert first.digest == second.digest
    assert selection(first) == selection(second)
    assert len(selection(first)) == 3
    # One planned double-random inspection per selection, with the drawn inspectors.
    inspections = Inspection.objects.filter(draw=first).prefetch_related("inspectors")
    assert inspections.count() == 3
    drawn = dict(selection(first))
    for inspection in inspections:
        assert inspection.kind == Kind.DOUBLE_RANDOM and inspection.state == wf.PLANNED
        codes = sorted(services.inspector_code(u.pk) for u in inspection.inspectors.all())
        assert codes == drawn[inspection.enterprise.uscc]
        assert len(codes) >= wf.MIN_INSPECTORS


def test_given_another_seed_then_the_draw_differs_but_verifies(county):
    a = run(county, seed="seed A")
    b = run(county, seed="seed B")
    assert a.digest != b.digest
    assert services.draw_verify(a).ok and services.draw_verify(b).ok


def test_given_no_seed_then_one_is_generated_and_published(county):
    draw = run(county, seed=None)
    assert draw.seed and draw.published and draw.published_at
    assert json.loads(draw.canonical)["parameters"]["seed"] == draw.seed


def test_given_the_candidates_then_they_are_the_departments_duty_only(county):
    record = json.loads(run(county).canonical)
    codes = {row[0] for row in record["candidates"]}
    assert county.chem_a.uscc in codes
    assert county.build_b.uscc not in codes  # housing's
    assert county.chem_c.uscc not in codes  # the other county's
    roster = {row[0] for row in record["inspectors"]}
    assert roster == {
        services.inspector_code(county.user(n).pk)
        for n in ("officer_emergency_x", "insp1", "insp2", "insp3")
    }


def test_given_a_tampered_snapshot_then_verify_says_mismatch(county):
    draw = run(county)
    assert services.draw_verify(draw).ok
    record = json.loads(draw.canonical)
    record["candidates"] = record["candidates"][1:]  # an enterprise quietly left out
    draw.canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    check = services.draw_verify(draw)
    assert not check.ok and check.recomputed != draw.digest


def test_given_only_the_published_result_altered_then_verify_says_mismatch(county):
    draw = run(county)
    draw.canonical = draw.canonical.replace('"drawn"', '"forced"', 1)
    assert not services.draw_verify(draw).ok


def test_given_a_too_small_roster_then_the_draw_is_refused_and_nothing_stored(world):
    add_chemicals(world, 2)
    with pytest.raises(ValidationFailed):
        run(world, sample_size=2)  # officer_emergency_x alone
    assert not Draw.objects.exists() and not Inspection.objects.exists()


def test_given_an_officer_of_another_department_then_the_draw_is_forbidden(county):
    with pytest.raises(Forbidden):
        services.draw_run(
            actor=actor(county.user("officer_housing_x")),
            department_id=county.emergency_x.pk,
            sample_size=1,
        )


# --- the workflow ------------------------------------------------------------------------


def test_given_one_inspector_then_the_plan_is_refused(county):
    with pytest.raises(ValidationFailed) as exc:
        plan(county, inspectors=("insp1",))
    assert "inspectors" in exc.value.errors


def test_given_an_inspector_of_another_department_then_the_plan_is_refused(county):
    with pytest.raises(ValidationFailed):
        plan(county, inspectors=("insp1", "officer_housing_x"))


def test_given_fewer_than_two_inspectors_left_then_start_is_refused(county):
    inspection = plan(county)
    inspection.inspectors.remove(county.user("insp2"))
    with pytest.raises(Conflict):
        services.inspection_start(actor=actor(county.user("insp1")), inspection_id=inspection.pk)


def _to(world, state: str) -> Inspection:
    inspection = plan(world)
    if state == wf.IN_PROGRESS:
        services.inspection_start(actor=actor(world.user("insp1")), inspection_id=inspection.pk)
    elif state == wf.CONCLUDED:
        services.inspection_start(actor=actor(world.user("insp1")), inspection_id=inspection.pk)
        conclude(world, inspection)
    elif state == wf.CANCELLED:
        services.inspection_cancel(
            actor=actor(world.user("insp1")), inspection_id=inspection.pk, reason="改期"
        )
    inspection.refresh_from_db()
    assert inspection.state == state
    return inspection


def _act(world, action: str, inspection: Inspection, by: str = "insp1"):
    a = actor(world.user(by))
    if action == wf.START:
        return services.inspection_start(actor=a, inspection_id=inspection.pk)
    if action == wf.CANCEL:
        return services.inspection_cancel(actor=a, inspection_id=inspection.pk, reason="x")
    return conclude(world, inspection, by=by)


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (s, a)
        for s in (wf.PLANNED, wf.IN_PROGRESS, wf.CONCLUDED, wf.CANCELLED)
        for a in wf.ACTIONS
        if (s, a) not in wf.TABLE
    ],
)
def test_given_a_step_the_table_lacks_then_it_is_refused(county, state, action):
    inspection = _to(county, state)
    events = InspectionEvent.objects.filter(inspection=inspection).count()
    with pytest.raises(Conflict):
        _act(county, action, inspection)
    inspection.refresh_from_db()
    assert inspection.state == state
    assert InspectionEvent.objects.filter(inspection=inspection).count() == events


def test_given_an_officer_who_is_not_an_inspector_then_he_may_cancel_but_not_start(county):
    inspection = plan(county)
    with pytest.raises(Forbidden):
        _act(county, wf.START, inspection, by="insp3")
    _act(county, wf.CANCEL, inspection, by="insp3")
    inspection.refresh_from_db()
    assert inspection.state == wf.CANCELLED


def test_given_another_department_then_its_officer_cannot_touch_the_inspection(county):
    inspection = plan(county)
    with pytest.raises(NotFound):
        _act(county, wf.CANCEL, inspection, by="officer_housing_x")


def test_given_a_conclusion_then_signatures_are_stored_with_their_hashes(county):
    inspection = _to(county, wf.CONCLUDED)
    sigs = list(Signature.objects.filter(inspection=inspection))
    assert {s.kind for s in sigs} == {"inspector", "representative"}
    assert len(sigs) == 3
    for sig in sigs:
        with sig.image.open("rb") as handle:
            content = handle.read()
        import hashlib

        assert hashlib.sha256(content).hexdigest() == sig.sha256
        assert content.startswith(b"\x89PNG")


def test_given_a_missing_signature_then_the_conclusion_is_refused(county):
    inspection = _to(county, wf.IN_PROGRESS)
    with pytest.raises(ValidationFailed) as exc:
        services.inspection_conclude(
            actor=actor(county.user("insp1")),
            inspection_id=inspection.pk,
            client_token=token(),
            conclusion="结论",
            signatures=[{"kind": "representative", "name": "李四", "image": png()}],
        )
    assert "signatures" in exc.value.errors
    inspection.refresh_from_db()
    assert inspection.state == wf.IN_PROGRESS


def test_given_the_same_conclusion_token_twice_then_it_concludes_once(county):
    inspection = _to(county, wf.IN_PROGRESS)
    conclude(county, inspection, tok="same")
    conclude(county, inspection, tok="same")
    assert InspectionEvent.objects.filter(inspection=inspection, action=wf.CONCLUDE).count() == 1
    assert Signature.objects.filter(inspection=inspection).count() == 3
    with pytest.raises(Conflict):  # another token: a second conclusion, refused
        conclude(county, inspection, tok="other")


def test_given_events_then_they_are_never_changed(county):
    inspection = plan(county)
    event = InspectionEvent.objects.get(inspection=inspection)
    event.note = "changed"
    with pytest.raises(ValueError):
        event.save()


# --- unannounced -------------------------------------------------------------------------


def test_given_an_unannounced_inspection_then_the_enterprise_sees_it_only_once_started(county):
    inspection = plan(county, kind=Kind.UNANNOUNCED)
    routine = plan(county)
    staff = county.user("principal_a")
    assert not inspection.visible_to_enterprise
    assert list(services.visible_inspections(staff)) == [routine]
    assert services.visible_inspections(county.user("officer_emergency_x")).count() == 2
    services.inspection_start(actor=actor(county.user("insp1")), inspection_id=inspection.pk)
    inspection.refresh_from_db()
    assert inspection.visible_to_enterprise
    assert set(services.visible_inspections(staff)) == {routine, inspection}


def test_given_an_unannounced_inspection_when_read_through_scoping_then_hidden_with_its_rows(
    county,
):
    # Any reader, not only the inspections pages: the API, exports, the enterprise's
    # other pages all go through scoping.visible.
    from anjian.core import scoping
    from anjian.inspections.models import InspectionEvent

    inspection = plan(county, kind=Kind.UNANNOUNCED)
    staff = county.user("principal_a")
    officer = county.user("officer_emergency_x")
    assert not scoping.visible(staff, Inspection).exists()
    assert not scoping.visible(staff, InspectionEvent).exists()
    assert scoping.visible(officer, InspectionEvent).filter(inspection=inspection).exists()
    services.inspection_start(actor=actor(county.user("insp1")), inspection_id=inspection.pk)
    assert scoping.visible(staff, Inspection).get() == inspection
    assert scoping.visible(staff, InspectionEvent).filter(inspection=inspection).count() == 2


# --- findings ----------------------------------------------------------------------------


def _finding(world, inspection, tok, **data):
    return services.finding_record(
        actor=actor(world.user("insp1")),
        inspection_id=inspection.pk,
        client_token=tok,
        data={"description": "储罐区静电接地线断开", "location": "储罐区", **data},
        photos=[],
    )


def test_given_a_finding_then_it_opens_a_government_inspection_hazard_linked_both_ways(county):
    inspection = _to(county, wf.IN_PROGRESS)
    finding = _finding(county, inspection, "f-1", item="防雷防静电", latitude="30.5")
    hazard = finding.hazard
    assert hazard.source == Source.GOVERNMENT_INSPECTION
    assert hazard.enterprise_id == county.chem_a.pk
    assert hazard.inspection_finding == finding
    # Found by the department: its close-out is that department's review (整改复查).
    assert hazard.review_department_id == county.emergency_x.pk
    report = hazard.events.get(action="report")
    assert report.data["inspection_id"] == inspection.pk
    assert report.data["finding_token"] == "f-1"
    assert InspectionEvent.objects.filter(inspection=inspection, action=wf.FINDING).count() == 1


def test_given_the_same_finding_token_twice_then_one_finding_and_one_hazard(county):
    inspection = _to(county, wf.IN_PROGRESS)
    first = _finding(county, inspection, "f-same")
    again = _finding(county, inspection, "f-same")
    assert first.pk == again.pk
    assert Finding.objects.filter(inspection=inspection).count() == 1
    assert type(first.hazard).objects.filter(enterprise=county.chem_a).count() == 1


def test_given_a_planned_inspection_then_a_finding_is_refused(county):
    inspection = plan(county)
    with pytest.raises(Conflict):
        _finding(county, inspection, "f-2")


def test_given_a_finding_without_description_then_it_is_refused(county):
    inspection = _to(county, wf.IN_PROGRESS)
    with pytest.raises(ValidationFailed):
        _finding(county, inspection, "f-3", description="")
    assert not Finding.objects.exists()


# --- first inspector leads ---------------------------------------------------------------


def test_given_a_first_start_then_that_department_leads_the_matter(county):
    inspection = plan(county)
    assert services.first_lead(county.chem_a.pk, inspection.matter) is None
    services.inspection_start(actor=actor(county.user("insp1")), inspection_id=inspection.pk)
    lead = services.first_lead(county.chem_a.pk, inspection.matter)
    assert lead is not None and lead.department == county.emergency_x
    # A later start by the same or another department does not replace it.
    other = plan(county)
    services.inspection_start(actor=actor(county.user("insp1")), inspection_id=other.pk)
    assert services.first_lead(county.chem_a.pk, inspection.matter).inspection_id == inspection.pk


# --- scope -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["outsider", "officer_housing_x", "principal_c", "coordinator_y", "audit_admin"]
)
def test_given_someone_outside_then_they_see_no_inspection(county, persona):
    plan(county)
    run(county)
    assert not services.visible_inspections(county.user(persona)).exists()


def test_given_an_overdue_enterprise_then_it_is_forced_in_without_its_last_inspectors(county):
    import datetime as dt

    from django.utils import timezone

    last = _to(county, wf.CONCLUDED)  # chem_a by insp1 and insp2
    # Yellow class (no risk data): 4 inspections a year, one every 92 days at least.
    Inspection.objects.filter(pk=last.pk).update(
        concluded_at=timezone.now() - dt.timedelta(days=100)
    )
    draw = run(county, sample_size=0)
    record = json.loads(draw.canonical)
    chosen = {row[0]: row for row in record["selections"]}
    assert set(chosen) == {county.chem_a.uscc}
    code, _stratum, reason, forced_reason, _key, inspectors = chosen[county.chem_a.uscc]
    assert (reason, forced_reason) == ("forced", "overdue")
    assert not {services.inspector_code(county.user(n).pk) for n in ("insp1", "insp2")} & set(
        inspectors
    )
    assert dict(record["last_inspectors"])[code] == sorted(
        services.inspector_code(county.user(n).pk) for n in ("insp1", "insp2")
    )


def test_given_a_recent_inspection_then_the_enterprise_is_not_forced(county):
    _to(county, wf.CONCLUDED)
    draw = run(county, sample_size=0)
    assert json.loads(draw.canonical)["selections"] == []

"""The phase summary (issue 13 item 7): the Word document opened with python-docx, every
figure in its appendix checked against a fresh count of the database made here in
Python over the rows (not the report's SQL), the parts without a data source saying so,
year on year, and scoping of the page, the download and the command."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation
from docx import Document

from anjian.accidents.models import Accident
from anjian.checks.models import CheckRecord
from anjian.core import scoping
from anjian.core.models import AuditEntry
from anjian.dispatch.models import DispatchForm
from anjian.hazards.models import Hazard, Recheck
from anjian.inspections.document_models import DocumentKind, EnforcementDocument
from anjian.inspections.models import Inspection
from anjian.monitoring.models import Alarm, Point
from anjian.penalties.models import Listing, Penalty
from anjian.penalties.services import DoublePenalty
from anjian.registry.models import DisputeStatus, Division, DutyDispute, Enterprise
from anjian.reports import hazard_figures as hf
from anjian.reports import indicators as ind
from anjian.reports import queries
from anjian.reports.phase_summary import build_phase_summary, summary_docx
from anjian.reports.tally_services import hazard_tally_rebuild
from tests.accidents import accident_helpers
from tests.monitoring.test_alarms import make_point
from tests.penalties.helpers import add_fire_officer, decide, decided_penalty, draft
from tests.world import PASSWORD

# --- the world -----------------------------------------------------------------------------------


def _inspection(world, enterprise, kind, concluded_at, state="concluded"):
    return Inspection.objects.create(
        enterprise=enterprise,
        kind=kind,
        state=state,
        lead_department=world.emergency_x,
        matter="hazchem",
        planned_on=concluded_at.date(),
        created_by=world.user("officer_emergency_x"),
        started_at=concluded_at - dt.timedelta(hours=1),
        concluded_at=concluded_at if state == "concluded" else None,
    )


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def rich(dataset, world):
    """The reports dataset (hazards of county X and Y in the current quarter) with rows of
    the other tables: inspections, alarms (one handled in time, one late, one offline
    point), an accident in X and one in Y, and a hazard found this quarter last year."""
    now = timezone.now()
    start = timezone.make_aware(dt.datetime.combine(dataset.period.start, dt.time(8)))
    when = max(start, now - dt.timedelta(hours=3))
    _inspection(world, world.chem_a, "double_random", when)
    _inspection(world, world.build_b, "joint", when)
    _inspection(world, world.chem_a, "unannounced", when)
    _inspection(world, world.chem_a, "routine", when, state="planned")
    _inspection(world, world.chem_c, "double_random", when)  # county Y
    point = make_point(world.chem_a)
    Alarm.objects.create(
        point=point,
        enterprise=world.chem_a,
        condition="threshold:high",
        level="red",
        raised_at=when,
        handled_at=when + dt.timedelta(minutes=5),
        state="handled",
    )
    Alarm.objects.create(
        point=point,
        enterprise=world.chem_a,
        condition="threshold:high",
        level="red",
        raised_at=when + dt.timedelta(seconds=1),
        handled_at=when + dt.timedelta(hours=2),
        state="handled",
    )
    other = make_point(world.chem_a, code="GT-102")
    Alarm.objects.create(
        point=other, enterprise=world.chem_a, condition="offline", level="yellow", raised_at=when
    )
    learned = when + dt.timedelta(minutes=10)
    accident_helpers.report(
        world,
        occurred_at=when,
        learned_at=learned,
        deaths=3,
        serious_injuries=1,
        minor_injuries=2,
        direct_loss_yuan="120000.50",
    )
    accident_helpers.report(world, "principal_c", occurred_at=when, learned_at=learned, deaths=1)
    # A fine on chem_a, and a second fine for the same act refused (an audit entry).
    add_fire_officer(world)
    decided_penalty(world)
    second = draft(world, "officer_fire_x", amount="50000")
    with pytest.raises(DoublePenalty):
        decide(world, second, "officer_fire_x", decided_on=dt.date(2026, 12, 1))
    # A hazard found in the same quarter last year (a copy of d1, dated back).
    old = Hazard.objects.get(pk=dataset.hazards["d1"].pk)
    old.pk, old.number, old.uuid = None, "LASTYEAR-1", uuid.uuid4()
    old.reported_at = when.replace(year=when.year - 1)
    old.save()
    hazard_tally_rebuild()  # a row written past the services: count the rollup again
    return dataset


# --- fresh counts, in Python over the rows ------------------------------------------------------


def _local(value):
    return timezone.localdate(value) if value else None


def fresh(division: Division, period, today) -> dict[str, str]:
    """Every figure of the registry counted again here, row by row."""
    ids = set(scoping.subtree_ids(division))
    start, end = period.start, period.end
    on = hf.as_of(start, end, today)

    def within(day):
        return day is not None and start <= day <= end

    out: dict[str, object] = {}
    ents = [e for e in Enterprise.objects.all() if e.division_id in ids and e.status != "closed"]
    out["enterprises"] = len(ents)
    out["major_installation_enterprises"] = sum(1 for e in ents if e.has_major_hazard)
    out["supervision_gaps"] = sum(1 for e in ents if not e.duties.filter(role="lead").exists())
    out["open_duty_disputes"] = sum(
        1
        for d in DutyDispute.objects.filter(status=DisputeStatus.OPEN)
        if d.jurisdiction_id in ids or (d.enterprise and d.enterprise.division_id in ids)
    )
    # Hazards: the pure per-row definitions of the statistics tables (hazard_figures.count).
    b = queries.Bounds.of(period, today)
    hz = Hazard.objects.filter(enterprise__division_id__in=ids)
    c = hf.count(queries.hazard_rows(hz, b), start, end, on)
    out |= {
        "hazards_found": c.found,
        "hazards_fixed": c.fixed,
        "hazards_fixed_on_time": c.on_time,
        "hazards_on_time_rate": hf.percent(c.on_time, c.fixed),
        "hazards_rectification_rate": hf.percent(c.found_fixed, c.found),
        "major_hazards_found": c.major_found,
        "major_hazards_fixed": c.major_fixed,
        "major_hazards_open": c.major_open,
        "major_hazards_cleared_rate": hf.percent(c.major_fixed, c.major_fixed + c.major_open),
        "hazards_overdue_open": c.overdue_open,
        "rectification_funds": c.funds,
        "hazards_listed": sum(1 for h in hz if within(_local(h.listed_at))),
    }
    rechecks = [
        r
        for r in Recheck.objects.all()
        if r.hazard.enterprise.division_id in ids
        and r.state == "done"
        and within(_local(r.done_at))
    ]
    out["rechecks_done"] = len(rechecks)
    out["rechecks_relapsed"] = sum(1 for r in rechecks if r.result == "relapsed")
    ins = [
        i
        for i in Inspection.objects.all()
        if i.enterprise.division_id in ids
        and i.state == "concluded"
        and within(_local(i.concluded_at))
    ]
    out["inspections_done"] = len(ins)
    out["enterprises_inspected"] = len({i.enterprise_id for i in ins})
    out["inspection_coverage"] = hf.percent(len({i.enterprise_id for i in ins}), len(ents))
    out["double_random_inspections"] = sum(1 for i in ins if i.kind == "double_random")
    out["double_random_share"] = hf.percent(out["double_random_inspections"], len(ins))
    out["unannounced_inspections"] = sum(1 for i in ins if i.kind == "unannounced")
    out["joint_inspections"] = sum(1 for i in ins if i.kind == "joint")
    docs = [
        d
        for d in EnforcementDocument.objects.all()
        if d.enterprise.division_id in ids and within(d.issued_on) and d.corrects_id is None
    ]
    for kind in DocumentKind.values:
        out[f"documents_{kind}"] = sum(1 for d in docs if d.kind == kind)
    out["documents_total"] = len(docs)
    pens = [
        p
        for p in Penalty.objects.all()
        if p.enterprise_id
        and p.enterprise.division_id in ids
        and p.state in ("decided", "executed")
        and within(p.decided_on)
    ]
    fines = [p for p in pens if p.kind in ("fine", "person_fine")]
    out["fines"] = len(fines)
    out["fines_amount"] = sum((p.amount or Decimal(0) for p in fines), Decimal("0.00"))
    out["suspensions"] = sum(1 for p in pens if p.kind == "suspension")
    out["double_fines_refused"] = len(
        {
            e.object_id
            for e in AuditEntry.objects.filter(action="penalty_double_refused")
            if within(_local(e.at))
            and (p := Penalty.objects.get(pk=int(e.object_id))).enterprise_id
            and p.enterprise.division_id in ids
        }
    )
    out["untrustworthy_listings"] = sum(
        1
        for item in Listing.objects.all()
        if item.enterprise_id
        and item.enterprise.division_id in ids
        and within(item.decided_on)
        and item.state not in ("revoked", "withdrawn")
    )
    recs = [
        r
        for r in CheckRecord.objects.all()
        if r.enterprise.division_id in ids
        and r.state == "submitted"
        and within(_local(r.submitted_at))
    ]
    out["self_checks_submitted"] = len(recs)
    out["self_checks_flagged"] = sum(1 for r in recs if r.authenticity_flags.exists())
    out["self_check_flagged_share"] = hf.percent(out["self_checks_flagged"], len(recs))
    out["enterprises_flagged_self_checks"] = len(
        {
            a.enterprise_id
            for e in ents
            for a in e.check_authenticity.filter(flag=True)
            if start <= a.run.day <= on
        }
    )
    alarms = [
        a
        for a in Alarm.objects.all()
        if a.enterprise.division_id in ids and within(_local(a.raised_at))
    ]
    raised = [a for a in alarms if a.condition != "offline"]
    in_time = [
        a for a in raised if a.handled_at and a.handled_at - a.raised_at <= dt.timedelta(minutes=30)
    ]
    out["alarms_raised"] = len(raised)
    out["alarms_handled_in_time"] = len(in_time)
    out["alarms_handled_in_time_rate"] = hf.percent(len(in_time), len(raised))
    out["alarms_not_handled_in_time"] = len(raised) - len(in_time)
    out["monitoring_points"] = sum(
        1 for p in Point.objects.all() if p.enterprise.division_id in ids and p.is_active
    )
    out["sensors_offline"] = len(
        {
            a.point_id
            for a in Alarm.objects.filter(condition="offline")
            if a.enterprise.division_id in ids
            and _local(a.raised_at) <= on
            and (a.cleared_at is None or _local(a.cleared_at) > on)
        }
    )
    accs = [
        a
        for a in Accident.objects.all()
        if a.division_id in ids and a.state != "withdrawn" and within(_local(a.occurred_at))
    ]
    out["accidents"] = len(accs)
    out["deaths"] = sum(a.deaths for a in accs)
    out["serious_injuries"] = sum(a.serious_injuries for a in accs)
    out["minor_injuries"] = sum(a.minor_injuries for a in accs)
    out["direct_loss"] = sum((a.direct_loss_yuan for a in accs), Decimal("0.00"))
    out["larger_accidents"] = sum(1 for a in accs if a.grade != "general")
    forms = [
        f
        for f in DispatchForm.objects.filter(state="submitted")
        if start <= f.month <= end
        and (f.division_id in ids or (f.department_id and f.department.division_id in ids))
    ]
    out["safety_investment"] = sum((f.investment or Decimal(0) for f in forms), Decimal("0.00"))
    out["persons_trained"] = sum(f.trained_persons or 0 for f in forms)
    return {k: "—" if v is None else str(v) for k, v in out.items()}


def appendix(content: bytes) -> dict[str, list[str]]:
    """The appendix table of the document: key → [label, value, unit, last year, source]."""
    doc = Document(io.BytesIO(content))
    table = doc.tables[-1]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0][0] in ("Key", "编号", "键")
    return {r[0]: r[1:] for r in rows[1:]}


def text_of(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    return "\n".join(p.text for p in doc.paragraphs)


# --- the document ---------------------------------------------------------------------------------


def test_given_a_county_with_records_when_the_summary_is_generated_then_every_number_in_the_docx_equals_a_fresh_count(
    rich, world
):
    summary = build_phase_summary(world.county_x, rich.period, today=rich.today)
    content = summary_docx(summary)
    rows = appendix(content)
    expected = fresh(world.county_x, rich.period, rich.today)
    assert set(rows) == set(expected)
    for key, want in expected.items():
        assert rows[key][1] == want, key
    # The world is not empty: the comparison means something.
    assert expected["hazards_found"] == "7"
    assert expected["inspections_done"] == "3"
    assert expected["accidents"] == "1" and expected["deaths"] == "3"
    assert expected["alarms_handled_in_time"] == "1"
    assert expected["sensors_offline"] == "1"
    assert expected["double_fines_refused"] == "1"
    # The figures tables of 一、主要成效 say the same as the appendix.
    doc = Document(io.BytesIO(content))
    for table in doc.tables[:-1]:
        for row in table.rows[1:]:
            key, _label, value = (c.text for c in row.cells[:3])
            assert value == expected[key], key


def test_given_last_year_when_generated_then_year_on_year_is_the_same_quarter_a_year_ago(
    rich, world
):
    summary = build_phase_summary(world.county_x, rich.period, today=rich.today)
    rows = appendix(summary_docx(summary))
    last = rich.period.__class__(rich.period.year - 1, rich.period.quarter)
    expected = fresh(world.county_x, last, rich.today)
    assert rows["hazards_found"][3] == expected["hazards_found"] == "1"
    assert rows["accidents"][3] == "0"
    assert summary.figure("hazards_found").change == Decimal("600.0")
    assert summary.figure("accidents").change is None  # no base last year: no percent
    hazards = next(s for s in summary.sections if s.key == "hazards")
    texts = [p.text for p in hazards.paragraphs]
    assert "Hazards found: 7 items (+600.0% year on year)" in texts
    accidents = next(s for s in summary.sections if s.key == "accidents")
    assert "Accidents: 1 cases (same period last year: 0)" in [p.text for p in accidents.paragraphs]


def test_given_no_dispatch_when_generated_then_those_parts_say_no_data_source(
    rich, world, monkeypatch
):
    monkeypatch.setattr(ind, "dispatch_model", lambda: None)
    summary = build_phase_summary(world.county_x, rich.period, today=rich.today)
    content = summary_docx(summary)
    text = text_of(content)
    rows = appendix(content)
    assert "No data source for this part" in text  # investment and training
    assert "Without a data source on the platform" in text
    for key in ("safety_investment", "persons_trained"):
        assert rows[key][1].startswith("no data source"), key
    assert [s.key for s in summary.sections if s.no_source] == ["dispatch"]


def test_given_the_accidents_app_absent_when_generated_then_the_accident_part_says_no_data_source(
    rich, world, monkeypatch
):
    monkeypatch.setattr(ind, "accident_model", lambda: None)
    summary = build_phase_summary(world.county_x, rich.period, today=rich.today)
    part = next(s for s in summary.sections if s.key == "accidents")
    assert part.no_source and "No data source for this part" in part.paragraphs[0].text
    rows = appendix(summary_docx(summary))
    assert rows["deaths"][1].startswith("no data source")


def test_given_the_data_signals_when_generated_then_problems_and_next_steps_follow_them(
    rich, world
):
    summary = build_phase_summary(world.county_x, rich.period, today=rich.today)
    kinds = [p.kind for p in summary.problems]
    assert kinds == [
        "overdue_hazards",
        "major_open",
        "supervision_gaps",
        "double_fines",
        "alarms_late",
        "offline_sensors",
    ]
    steps = next(s for s in summary.sections if s.key == "next_steps")
    assert [p.figures for p in steps.paragraphs] == [[p.figure] for p in summary.problems]
    practices = next(s for s in summary.sections if s.key == "practices")
    assert [p.figures[0] for p in practices.paragraphs] == [
        "double_random_inspections",
        "joint_inspections",
        "unannounced_inspections",
        # the penalty's notice and decision, dated in November 2026 by the helpers
        *(["documents_total"] if rich.period.contains(dt.date(2026, 11, 10)) else []),
    ]
    assert "33.3%" in practices.paragraphs[0].text


def test_given_the_same_data_when_generated_twice_then_the_bytes_are_the_same(rich, world):
    one = summary_docx(build_phase_summary(world.county_x, rich.period, today=rich.today))
    two = summary_docx(build_phase_summary(world.county_x, rich.period, today=rich.today))
    assert one == two


def test_given_county_y_when_generated_then_only_its_rows_count(rich, world):
    rows = appendix(
        summary_docx(build_phase_summary(world.county_y, rich.period, today=rich.today))
    )
    expected = fresh(world.county_y, rich.period, rich.today)
    for key, want in expected.items():
        assert rows[key][1] == want, key
    assert expected["hazards_found"] == "2" and expected["inspections_done"] == "1"


# --- the page, the download, the command ---------------------------------------------------------


def _client(client, world, name):
    assert client.login(username=name, password=PASSWORD)
    return client


def test_given_a_coordinator_when_the_page_is_asked_for_their_county_then_the_summary_and_the_word_file(
    rich, world, client
):
    _client(client, world, "coordinator_x")
    query = {"period": rich.period.key, "division": world.county_x.pk}
    page = client.get(reverse("reports:phase-summary"), query)
    assert page.status_code == 200
    assert page.context["summary"].division == world.county_x
    response = client.get(reverse("reports:phase-summary-docx"), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = appendix(response.content)
    assert rows["hazards_found"][1] == "7"


def test_given_the_page_without_a_choice_when_opened_then_the_form_only(world, client):
    _client(client, world, "coordinator_x")
    page = client.get(reverse("reports:phase-summary"))
    assert page.status_code == 200 and page.context["summary"] is None
    divisions = list(page.context["form"].fields["division"].queryset)
    assert world.county_x in divisions and world.city not in divisions
    assert world.county_y not in divisions


@pytest.mark.parametrize("division", ["county_y", "city"])
def test_given_a_coordinator_of_x_when_asking_another_or_a_parent_division_then_404(
    rich, world, client, division
):
    _client(client, world, "coordinator_x")
    query = {"period": rich.period.key, "division": getattr(world, division).pk}
    assert client.get(reverse("reports:phase-summary"), query).status_code == 404
    assert client.get(reverse("reports:phase-summary-docx"), query).status_code == 404


def test_given_an_officer_of_county_y_when_asking_for_county_x_then_404(rich, world, client):
    _client(client, world, "coordinator_y")
    query = {"period": rich.period.key, "division": world.county_x.pk}
    assert client.get(reverse("reports:phase-summary-docx"), query).status_code == 404


@pytest.mark.parametrize("name", ["outsider", "safety_a"])
def test_given_an_outsider_or_enterprise_staff_when_asking_then_403(rich, world, client, name):
    _client(client, world, name)
    query = {"period": rich.period.key, "division": world.county_x.pk}
    assert client.get(reverse("reports:phase-summary"), query).status_code == 403
    assert client.get(reverse("reports:phase-summary-docx"), query).status_code == 403


def test_given_anonymous_when_asking_then_sent_to_sign_in(world, client):
    response = client.get(reverse("reports:phase-summary"))
    assert response.status_code == 302


def test_given_a_department_officer_when_generated_then_only_their_enterprises_count(
    rich, world, client
):
    _client(client, world, "officer_emergency_x")
    query = {"period": rich.period.key, "division": world.county_x.pk}
    response = client.get(reverse("reports:phase-summary-docx"), query)
    assert response.status_code == 200
    rows = appendix(response.content)
    # emergency leads chem_a only: its 5 hazards found this quarter (g1, g2, g4, m1; old
    # was found last quarter) and its 2 inspections of the quarter.
    chem_a = Hazard.objects.filter(enterprise=world.chem_a)
    want = sum(1 for h in chem_a if rich.period.contains(timezone.localdate(h.reported_at)))
    assert rows["hazards_found"][1] == str(want)
    assert rows["enterprises"][1] == "1"


def test_given_the_command_when_run_then_it_writes_the_word_file(rich, world, tmp_path, capsys):
    out = tmp_path / "summary.docx"
    call_command(
        "phase_summary",
        "--division",
        world.county_x.code,
        "--period",
        rich.period.key,
        "--out",
        str(out),
        "--today",
        rich.today.isoformat(),
        "--language",
        "en",
    )
    rows = appendix(out.read_bytes())
    assert rows["hazards_found"][1] == "7"
    assert '"no_data_source"' in capsys.readouterr().out


@pytest.mark.parametrize(
    "args",
    [
        ["--division", "999999", "--period", "2026Q3"],
        ["--division", "330101", "--period", "2026Q5"],
        ["--division", "330101", "--period", "last year"],
    ],
)
def test_given_bad_input_when_the_command_runs_then_it_fails_with_a_message(world, tmp_path, args):
    with pytest.raises(CommandError):
        call_command("phase_summary", *args, "--out", str(tmp_path / "x.docx"))

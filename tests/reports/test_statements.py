"""The enterprise's statistics table: prepared by the principal or the safety officer,
signed by the principal only (16号令 第十四条), immutable once signed, late when submitted
after the due date, visible to the regulators in scope."""

import datetime as dt
import io

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from anjian.core import scoping
from anjian.core.audit import Actor, audit_verify
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.reports import documents, queries, services
from anjian.reports.models import HazardStatement
from anjian.reports.periods import Period

ANALYSIS = "本季度共排查隐患4项，整改3项；1项逾期，原因是备件未到。"


def act(world, name):
    return Actor.for_user(world.user(name), "web")


DEFAULT = object()


def prepare(world, who="safety_a", period=DEFAULT, today=None, enterprise=None, **kw):
    if period is DEFAULT:
        period = Period(timezone.localdate().year - 2, 1)
    return services.hazard_statement_prepare(
        actor=act(world, who),
        enterprise_id=(enterprise or world.chem_a).pk,
        period=period,
        analysis=kw.pop("analysis", ANALYSIS),
        today=today,
        **kw,
    )


def sign(world, statement, who="principal_a", **kw):
    return services.hazard_statement_sign(actor=act(world, who), statement_id=statement.pk, **kw)


# --- prepare ---------------------------------------------------------------------------------


def test_given_dataset_when_safety_officer_prepares_then_figures_from_the_ledger(world, dataset):
    today = dataset.period.end + dt.timedelta(days=1)
    s = prepare(world, period=dataset.period, today=today)
    assert (s.version, s.revision, s.period_kind, s.quarter) == (
        1,
        1,
        "quarter",
        dataset.period.quarter,
    )
    assert s.due_on == dataset.period.due
    f = s.figures
    assert (f["found"], f["fixed"], f["on_time"], f["on_time_rate"]) == (4, 3, 2, "66.7")
    assert (f["overdue_open"], f["major_found"], f["major_open"], f["funds"]) == (
        1,
        1,
        1,
        "4500.00",
    )
    assert f["by_level"] == {"general": 3, "major": 1}
    assert f["as_of"] == dataset.period.end.isoformat()
    assert s.prepared_by == world.user("safety_a") and not s.is_signed
    entry = AuditEntry.objects.get(action="hazard_statement.prepare")
    assert entry.object_id == str(s.pk) and entry.changes["figures"]["found"] == 4


def test_given_principal_when_prepares_then_allowed(world):
    assert prepare(world, who="principal_a").prepared_by == world.user("principal_a")


@pytest.mark.parametrize(
    "persona", ["coordinator_x", "officer_emergency_x", "grid_x1", "expert_x", "employee_a"]
)
def test_given_regulator_or_employee_when_prepares_then_forbidden(world, persona):
    with pytest.raises(Forbidden):
        prepare(world, who=persona)
    assert not HazardStatement.objects.exists()


@pytest.mark.parametrize(
    "persona", ["outsider", "principal_c", "coordinator_y", "platform_admin_inactive"]
)
def test_given_out_of_scope_when_prepares_then_not_found(world, persona):
    if persona == "platform_admin_inactive":
        user = world.user("safety_a")
        user.is_active = False
        user.save()
        persona = "safety_a"
    with pytest.raises(NotFound):
        prepare(world, who=persona)


def test_given_platform_admin_when_prepares_then_forbidden(world):
    with pytest.raises(Forbidden):
        prepare(world, who="platform_admin")


def test_given_running_period_when_prepared_then_refused(world):
    running = Period(2026, 2)
    with pytest.raises(ValidationFailed) as exc:
        prepare(world, period=running, today=dt.date(2026, 6, 30))
    assert "period" in exc.value.errors
    assert prepare(world, period=running, today=dt.date(2026, 7, 1)).due_on == dt.date(2026, 7, 15)


@pytest.mark.parametrize("period", ["2026Q5", "abc", "", None, "2007"])
def test_given_bad_period_when_prepared_then_field_error(world, period):
    with pytest.raises(ValidationFailed) as exc:
        prepare(world, period=period)
    assert list(exc.value.errors) == ["period"]


def test_given_control_characters_in_analysis_then_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        prepare(world, analysis="a\x00b")
    assert "analysis" in exc.value.errors


def test_given_a_draft_when_prepared_again_then_same_row_new_revision(world):
    first = prepare(world, analysis="初稿")
    again = prepare(world, who="principal_a", analysis="修改稿")
    assert again.pk == first.pk and again.revision == 2 and again.analysis == "修改稿"
    assert HazardStatement.objects.count() == 1
    assert AuditEntry.objects.filter(action="hazard_statement.prepare_again").count() == 1


def test_given_an_annual_period_then_due_31_january(world):
    year = timezone.localdate().year - 1
    s = prepare(world, period=str(year))
    assert (s.period_kind, s.quarter, s.due_on) == ("year", 0, dt.date(year + 1, 1, 31))


# --- sign ---------------------------------------------------------------------------------------


def test_given_draft_when_principal_signs_then_signed_submitted_and_audited(world):
    period = Period(timezone.localdate().year + 1, 1)  # prepared "after" it ends, due later
    s = prepare(world, period=period, today=period.end + dt.timedelta(days=1))
    signed = sign(world, s, revision=1)
    assert signed.signed_by == world.user("principal_a")
    assert signed.signed_at == signed.submitted_at is not None
    assert not signed.is_late
    assert AuditEntry.objects.get(action="hazard_statement.sign").changes["late"] is False
    assert audit_verify().ok


def test_given_due_date_passed_when_signed_then_marked_late(world):
    s = sign(world, prepare(world))  # two years ago: long overdue
    assert s.is_late
    assert AuditEntry.objects.get(action="hazard_statement.sign").changes["late"] is True


@pytest.mark.parametrize(
    "persona",
    [
        "safety_a",
        "employee_a",
        "coordinator_x",
        "officer_emergency_x",
        "grid_x1",
        "expert_x",
        "platform_admin",
    ],
)
def test_given_anyone_but_the_principal_when_signs_then_forbidden(world, persona):
    s = prepare(world)
    with pytest.raises(Forbidden) as exc:
        sign(world, s, who=persona)
    assert "16号令" in str(exc.value)
    s.refresh_from_db()
    assert not s.is_signed


@pytest.mark.parametrize(
    "persona", ["outsider", "principal_c", "coordinator_y", "officer_housing_x"]
)
def test_given_out_of_scope_when_signs_then_not_found(world, persona):
    s = prepare(world)
    with pytest.raises(NotFound):
        sign(world, s, who=persona)


def test_given_signed_when_signed_again_then_conflict(world):
    s = sign(world, prepare(world))
    with pytest.raises(Conflict):
        sign(world, s)


def test_given_stale_revision_when_signed_then_conflict(world):
    s = prepare(world)
    prepare(world, analysis="改过了")
    with pytest.raises(Conflict):
        sign(world, s, revision=1)
    assert sign(world, s, revision=2).is_signed


def test_given_empty_analysis_when_signed_then_refused(world):
    s = prepare(world, analysis="  ")
    with pytest.raises(ValidationFailed) as exc:
        sign(world, s)
    assert list(exc.value.errors) == ["analysis"]


def test_given_lost_race_when_signed_then_conflict(world, monkeypatch):
    s = prepare(world)
    stale = HazardStatement.objects.get(pk=s.pk)  # read before somebody else signs
    sign(world, s)

    class Stale:
        def select_related(self, *args):
            return self

        def filter(self, **kwargs):
            return self

        def first(self):
            return stale

    monkeypatch.setattr(services.scoping, "visible", lambda user, model: Stale())
    with pytest.raises(Conflict) as exc, translation.override("en"):
        sign(world, s)
    assert "first" in str(exc.value)
    assert AuditEntry.objects.filter(action="hazard_statement.sign").count() == 1


# --- immutable, corrections ----------------------------------------------------------------------


def test_given_signed_then_save_and_delete_refused(world):
    s = sign(world, prepare(world))
    s.analysis = "改"
    with pytest.raises(RuntimeError):
        s.save()
    with pytest.raises(RuntimeError):
        s.delete()
    s.refresh_from_db()
    assert s.analysis == ANALYSIS


def test_given_signed_when_prepared_without_reason_then_refused(world):
    sign(world, prepare(world))
    with pytest.raises(ValidationFailed) as exc:
        prepare(world)
    assert list(exc.value.errors) == ["reason"]


def test_given_signed_when_corrected_then_new_version_pointing_at_the_old(world):
    v1 = sign(world, prepare(world))
    v2 = prepare(world, analysis="更正后的分析", reason="漏报一项隐患")
    assert (v2.version, v2.corrects_id, v2.correction_reason) == (2, v1.pk, "漏报一项隐患")
    assert not v2.is_signed
    v2 = sign(world, v2)
    v1.refresh_from_db()
    assert v1.analysis == ANALYSIS and v1.is_signed
    assert AuditEntry.objects.filter(action="hazard_statement.correct").count() == 1


# --- regulators: who has submitted --------------------------------------------------------------


def test_given_statements_then_regulators_see_in_scope_and_who_is_missing(world):
    period = Period(timezone.localdate().year - 2, 1)
    sign(world, prepare(world, period=period))  # chem_a: late
    prepare(world, who="principal_c", enterprise=world.chem_c, period=period)  # draft only
    today = timezone.localdate()
    x = {e.name: e for e in queries.statements_due(world.user("coordinator_x"), period)}
    assert set(x) == {world.chem_a.name, world.build_b.name, world.ess_d.name}
    assert (
        queries.statement_status(x[world.chem_a.name].first_submitted_at, period, today) == "late"
    )
    assert (
        queries.statement_status(x[world.build_b.name].first_submitted_at, period, today)
        == "missing"
    )
    assert queries.statements_summary(world.user("coordinator_x"), period, today) == {
        "total": 3,
        "submitted": 0,
        "late": 1,
        "missing": 2,
        "pending": 0,
    }
    y = queries.statements_due(world.user("coordinator_y"), period, "missing", today)
    assert [(e.name, e.has_draft) for e in y] == [(world.chem_c.name, True)]
    assert not queries.statements_due(world.user("outsider"), period).exists()
    assert set(scoping.visible(world.user("coordinator_x"), HazardStatement)) == set(
        HazardStatement.objects.filter(enterprise=world.chem_a)
    )
    assert (
        not scoping.visible(world.user("coordinator_y"), HazardStatement)
        .filter(enterprise=world.chem_a)
        .exists()
    )


def test_given_a_correction_then_submission_date_is_the_first_signature(world):
    period = Period(timezone.localdate().year - 2, 1)
    v1 = sign(world, prepare(world, period=period))
    sign(world, prepare(world, period=period, reason="更正"))
    row = queries.statements_due(world.user("coordinator_x"), period).get(pk=world.chem_a.pk)
    assert row.first_submitted_at == v1.submitted_at
    assert row.latest_statement_id != v1.pk


def test_given_current_quarter_then_unsubmitted_are_pending_not_missing(world):
    period = Period(timezone.localdate().year + 1, 1)  # not due yet
    today = timezone.localdate()
    assert queries.statements_summary(world.user("coordinator_x"), period, today)["pending"] == 3
    assert not queries.statements_due(
        world.user("coordinator_x"), period, "missing", today
    ).exists()


# --- the document ----------------------------------------------------------------------------------


def test_given_signed_statement_then_workbook_opens_with_figures_and_signature(world, dataset):
    today = dataset.period.end + dt.timedelta(days=1)
    s = sign(world, prepare(world, period=dataset.period, today=today))
    with translation.override("en"):  # the labels below are the English msgids
        wb = load_workbook(io.BytesIO(documents.statement_xlsx(s)))
    ws = wb.active
    values = {row[0]: row[1] for row in ws.iter_rows(values_only=True) if row and row[0]}
    assert values["Enterprise"] == world.chem_a.name
    assert values["Hazards found"] == 4
    assert values["On-time rate"] == "66.7%"
    assert values["Rectification funds (yuan)"] == "4500.00"
    assert values["Signed by the principal"] == str(world.user("principal_a"))
    assert values["Analysis"] == ANALYSIS

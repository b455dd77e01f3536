"""Re-grading stored installations with the GB 18218-2018 β of named substances (risks
migration 0004 and services.installations_regrade), and the grading history."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from anjian.core.audit import Actor, audit_append, audit_verify
from anjian.core.models import AuditEntry
from anjian.risks import regrade, services
from anjian.risks.models import (
    HazardousSubstance,
    InstallationGrading,
    MajorHazardInstallation,
    RiskState,
)

PERSONS = {"principal_person": "甲", "technical_person": "乙", "operational_person": "丙"}


def actor(world, name="safety_a"):
    return Actor.for_user(world.user(name), "web")


def stored_before_0004(world, lines, *, people=100, r="80", grade=2, audit_sources=None):
    """An installation as the code before 0004 stored it: β 1 for every named substance
    not in 表3, no category, no β source; with its audit entry when sources are given."""
    installation = MajorHazardInstallation.objects.create(
        enterprise=world.chem_a,
        name="液化石油气储罐区",
        unit_kind="storage",
        people_500m=people,
        total="40",
        r_value=r,
        alpha="2",
        is_major=True,
        grade=grade,
        profile="gb18218-2018",
        assessed_on=timezone.localdate(),
        **PERSONS,
    )
    for name, cas, q, big_q, beta in lines:
        HazardousSubstance.objects.create(
            installation=installation,
            name=name,
            cas=cas,
            quantity=Decimal(q),
            critical_quantity=Decimal(big_q),
            beta=Decimal(beta),
        )
    if audit_sources is not None:
        audit_append(
            actor=actor(world),
            action="create",
            obj=installation,
            summary=installation.name,
            changes={
                "substances": [
                    {"name": name, "cas": cas, "beta_source": source, "category": None}
                    for (name, cas, *_rest), source in zip(lines, audit_sources, strict=True)
                ]
            },
        )
    return installation


def run_regrade(**kwargs):
    return regrade.regrade_installations(
        installation_model=MajorHazardInstallation,
        substance_model=HazardousSubstance,
        grading_model=InstallationGrading,
        audit_model=AuditEntry,
        now=timezone.now(),
        **kwargs,
    )


LPG = ("液化石油气", "68476-85-7", "2000", "50", "1")


def test_given_a_stored_lpg_installation_when_regraded_then_first_grade_with_history(world):
    installation = stored_before_0004(world, [LPG], audit_sources=["default"])
    (result,) = run_regrade()
    assert (result.previous_grade, result.grade, result.previous_r, result.r) == (2, 1, "80", "120")
    installation.refresh_from_db()
    assert (installation.r_value, installation.grade, installation.total) == ("120", 1, "40")
    substance = installation.substances.get()
    assert (substance.beta, substance.category) == (Decimal("1.5"), "W2")
    assert substance.beta_source.startswith("表4 W2")
    history = InstallationGrading.objects.get(installation=installation)
    assert (history.trigger, history.previous_grade, history.grade) == (
        regrade.TRIGGER_GB18218_BETA,
        2,
        1,
    )
    assert (history.previous_r_value, history.r_value, history.profile_version) == (
        "80",
        "120",
        "2",
    )
    assert history.lines[0]["previous_beta"] == "1" and history.lines[0]["beta"] == "1.5"
    assert history.grade_changed and history.note
    # The assessment date does not move: a re-grade is not a new 安全评估.
    assert installation.assessed_on == timezone.localdate()


def test_given_a_beta_the_user_gave_when_regraded_then_kept_and_history_still_written(world):
    installation = stored_before_0004(world, [LPG], audit_sources=["given"])
    (result,) = run_regrade()
    assert (result.grade, result.r, result.changed_lines) == (2, "80", 1)  # source recorded
    substance = installation.substances.get()
    assert (substance.beta, substance.beta_source) == (Decimal("1"), "given")
    assert InstallationGrading.objects.get(installation=installation).grade == 2


def test_given_no_audit_entry_when_regraded_then_table_values_recomputed_others_kept(world):
    lines = [
        LPG,
        ("氢", "1333-74-0", "1", "5", "1.2"),  # not a table value before 0004: the user's
        ("氨", "7664-41-7", "10", "10", "2"),  # 表3: unchanged
        ("某溶剂", "", "100", "1000", "1"),  # in no table: kept
    ]
    installation = stored_before_0004(world, lines)
    run_regrade()
    betas = dict(installation.substances.values_list("name", "beta"))
    assert betas == {
        "液化石油气": Decimal("1.5"),
        "氢": Decimal("1.2"),
        "氨": Decimal("2"),
        "某溶剂": Decimal("1"),
    }
    sources = dict(installation.substances.values_list("name", "beta_source"))
    assert sources["氢"] == "given" and sources["氨"].startswith("表3")
    installation.refresh_from_db()
    # α 2 × (1.5·40 + 1.2·0.2 + 2·1 + 1·0.1) = 2 × 62.34
    assert (installation.r_value, installation.grade) == ("3117/25", 1)


def test_given_the_migration_when_its_function_runs_then_every_installation_regraded(world):
    stored_before_0004(world, [LPG], audit_sources=["default"])
    migration = importlib.import_module("anjian.risks.migrations.0004_regrade_gb18218_beta")
    migration.forwards(apps, None)
    installation = MajorHazardInstallation.objects.get()
    assert installation.grade == 1 and installation.gradings.count() == 1
    assert audit_verify().ok


def test_given_the_service_when_a_grade_changes_then_audit_and_safety_code_recomputed(
    world, django_capture_on_commit_callbacks
):
    installation = stored_before_0004(world, [LPG], audit_sources=["default"])
    with django_capture_on_commit_callbacks(execute=True):
        results = services.installations_regrade(actor=Actor.system("cli", "regrade"))
    assert [r.grade for r in results] == [1]
    entry = AuditEntry.objects.filter(
        object_type="risks.majorhazardinstallation", object_id=str(installation.pk)
    ).last()
    assert entry.changes["grade"] == [2, 1] and entry.changes["R"] == ["80", "120"]
    state = RiskState.objects.get(enterprise=world.chem_a)
    terms = {t["key"]: t for t in state.code.terms}
    assert terms["installation_grade"]["value"] == "1"
    assert state.code.trigger == "installation-regrade"


def test_given_an_installation_saved_twice_then_two_history_rows_never_edited(world):
    data = {
        "name": "液化石油气储罐区",
        "unit_kind": "storage",
        "people_500m": 100,
        **PERSONS,
        "substances": [{"substance": "液化石油气", "quantity": "2000"}],
    }
    made = services.installation_save(actor=actor(world), enterprise_id=world.chem_a.pk, data=data)
    assert (made.r_value, made.grade) == ("120", 1)
    substance = made.substances.get()
    assert (substance.category, substance.beta_source[:5]) == ("W2", "表4 W2")
    data["substances"] = [{"substance": "液化石油气", "quantity": "1000"}]
    services.installation_save(
        actor=actor(world), enterprise_id=world.chem_a.pk, data=data, installation_id=made.pk
    )
    latest, first = InstallationGrading.objects.filter(installation=made)
    assert (first.trigger, first.grade, first.recorded_by_id) == (
        "create",
        1,
        world.user("safety_a").pk,
    )
    assert (latest.trigger, latest.previous_r_value, latest.r_value) == ("change", "120", "60")
    assert (latest.previous_grade, latest.grade) == (1, 2)
    assert latest.lines[0]["beta_source"].startswith("表4 W2")
    with pytest.raises(ValueError):
        latest.save()
    with pytest.raises(ValueError):
        latest.delete()


def test_given_a_regraded_installation_when_listed_then_its_history_is_shown(world, client):
    installation = stored_before_0004(world, [LPG], audit_sources=["default"])
    run_regrade()
    client.force_login(world.user("safety_a"))
    page = client.get(reverse("risks:installation-list", args=[world.chem_a.pk]))
    html = page.content.decode()
    assert "data-grading-history" in html and "80 → 120" in html and "二级 → 一级" in html
    assert page.context["installations"][0].history[0].installation_id == installation.pk
    # The edit form leaves the table β blank: the installation keeps following the tables.
    form = client.get(reverse("risks:installation-edit", args=[world.chem_a.pk, installation.pk]))
    assert form.context["formset"].initial[0]["beta"] == ""

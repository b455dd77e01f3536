"""Risk pages for every persona of the world: the enterprise's risk page, units with
their assessments, events and measures, the four-colour map, major hazard installations,
the safety code with its public verification page and QR code, and the regulators'
jurisdiction map and supervision list."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from anjian.core.audit import Actor
from anjian.core.sections import may_use
from anjian.registry.models import Enterprise
from anjian.risks import safety_code, services, supervision
from anjian.risks import views as risk_views
from anjian.risks.models import (
    Assessment,
    CheckTask,
    ControlMeasure,
    MajorHazardInstallation,
    ReassessmentProposal,
    RiskEvent,
    RiskObject,
    RiskState,
    RiskUnit,
    SafetyCode,
    SitePlan,
)
from anjian.risks.templatetags.risks_ui import profile_label
from tests.web.conftest import PERSONAS
from tests.world import EXPECTED_ENTERPRISES, enterprise

MANAGERS_OF_A = {"principal_a", "safety_a", "expert_x"}
REGULATORS = {"coordinator_x", "coordinator_y", "officer_emergency_x", "officer_housing_x"} | {
    "grid_x1",
    "expert_x",
    "platform_admin",
}


def visible_text(html: str) -> str:
    """The page's text as read: no tags, scripts or styles (attributes hold codes)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def actor(world, name: str) -> Actor:
    return Actor.for_user(world.user(name), "web")


def png_bytes(width: int = 200, height: int = 120) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (240, 240, 240)).save(out, format="PNG")
    return out.getvalue()


def unit_data(obj: RiskObject, name: str = "1号储罐区", factors=()) -> dict:
    return {
        "name": name,
        "risk_object_id": obj.pk,
        "responsible_department": "储运车间",
        "responsible_person": "王工",
        "control_level": "workshop",
        "hazard_factors": list(factors),
    }


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded site plans go to a temporary directory, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def risky(world, django_capture_on_commit_callbacks):
    """chem_a with one assessed unit (LEC 3·6·7 = 126, yellow), an event with a measure,
    a site plan and the computed safety code; chem_c with a unit of its own."""
    a = actor(world, "safety_a")
    with django_capture_on_commit_callbacks(execute=True):
        obj = services.risk_object_create(
            actor=a, enterprise_id=world.chem_a.pk, kind="area", name="罐区"
        )
        unit = services.risk_unit_create(
            actor=a, enterprise_id=world.chem_a.pk, data=unit_data(obj, factors=["hot_work"])
        )
        services.risk_unit_assess(
            actor=a, unit_id=unit.pk, method="lec", inputs={"L": 3, "E": 6, "C": 7}
        )
        event = services.risk_event_create(actor=a, unit_id=unit.pk, name="储罐泄漏火灾")
        services.control_measure_create(
            actor=a,
            event_id=event.pk,
            data={
                "description": "设置可燃气体检测报警仪",
                "classification": "engineering",
                "check_content": "检查报警仪是否完好",
                "cycle": 1,
                "cycle_unit": "day",
                "responsible_person": "当班班长",
            },
        )
        services.site_plan_upload(
            actor=a,
            enterprise_id=world.chem_a.pk,
            upload=SimpleUploadedFile("plan.png", png_bytes(), content_type="image/png"),
        )
        c = actor(world, "principal_c")
        obj_c = services.risk_object_create(
            actor=c, enterprise_id=world.chem_c.pk, kind="device", name="反应釜"
        )
        unit_c = services.risk_unit_create(
            actor=c, enterprise_id=world.chem_c.pk, data=unit_data(obj_c, "西县反应釜")
        )
        services.risk_unit_assess(
            actor=c, unit_id=unit_c.pk, method="lec", inputs={"L": 6, "E": 6, "C": 15}
        )
    unit.refresh_from_db()
    return SimpleNamespace(obj=obj, unit=unit, event=event, unit_c=unit_c, obj_c=obj_c)


def expected_code(enterprise) -> safety_code.CodeResult:
    """What the default policy makes of the enterprise's current inputs (the tests do not
    hard-code the policy's weights and thresholds)."""
    return safety_code.compute(services.gather_inputs([enterprise.pk])[enterprise.pk])


def code_word(colour: str) -> str:
    return safety_code.COLOUR_NAMES[colour][0]


def expected_status(world, persona: str, attr: str) -> int:
    if not may_use(world.user(persona), "enterprises"):
        return 403
    return 200 if attr in EXPECTED_ENTERPRISES[persona] else 404


# --- who sees what ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_given_persona_when_opening_risk_pages_then_in_scope_200_else_404(
    world, risky, client_for, persona
):
    client = client_for(persona)
    for attr, unit in (("chem_a", risky.unit), ("chem_c", risky.unit_c)):
        ent = getattr(world, attr)
        want = expected_status(world, persona, attr)
        for url in (
            reverse("risks:enterprise", args=[ent.pk]),
            reverse("risks:site-map", args=[ent.pk]),
            reverse("risks:installation-list", args=[ent.pk]),
            reverse("risks:unit-detail", args=[unit.pk]),
        ):
            response = client.get(url)
            assert response.status_code == want, (persona, url)
            if want != 200:
                assert unit.name not in response.content.decode()
        image = client.get(reverse("risks:siteplan-image", args=[ent.pk]))
        # chem_c has no plan: 404 even in scope.
        assert image.status_code == (want if attr == "chem_a" else (403 if want == 403 else 404))


@pytest.mark.parametrize("persona", PERSONAS)
def test_given_persona_when_opening_write_forms_then_managers_200_readers_403(
    world, risky, client_for, persona
):
    client = client_for(persona)
    a = world.chem_a.pk
    urls = [
        reverse("risks:unit-create", args=[a]),
        reverse("risks:object-create", args=[a]),
        reverse("risks:siteplan-upload", args=[a]),
        reverse("risks:installation-create", args=[a]),
        reverse("risks:unit-edit", args=[risky.unit.pk]),
    ]
    want = expected_status(world, persona, "chem_a")
    if want == 200 and persona not in MANAGERS_OF_A:
        want = 403
    for url in urls:
        assert client.get(url).status_code == want, (persona, url)


WRITES = [
    ("risks:unit-assess", "unit", {"method": "lec", "lec_L": "6", "lec_E": "6", "lec_C": "15"}),
    ("risks:event-create", "unit", {"name": "新事件"}),
    ("risks:unit-area", "unit", {"area": "0.1, 0.1\n0.5, 0.1\n0.5, 0.5"}),
    ("risks:unit-edit", "unit", {"name": "改名"}),
    ("risks:measure-create", "event", {}),
    ("risks:unit-create", "enterprise", {"name": "新单元"}),
    ("risks:object-create", "enterprise", {"kind": "area", "name": "新对象"}),
    ("risks:code-recompute", "enterprise", {}),
    ("risks:installation-create", "enterprise", {"name": "新罐区"}),
]


def write_counts() -> tuple:
    return (
        RiskUnit.objects.count(),
        RiskObject.objects.count(),
        Assessment.objects.count(),
        RiskEvent.objects.count(),
        ControlMeasure.objects.count(),
        MajorHazardInstallation.objects.count(),
        SafetyCode.objects.count(),
        tuple(RiskUnit.objects.order_by("pk").values_list("name", "version")),
    )


@pytest.mark.parametrize(
    "persona, status",
    [
        ("coordinator_x", 403),
        ("officer_emergency_x", 403),
        ("grid_x1", 403),
        ("employee_a", 403),
        ("platform_admin", 403),
        ("principal_c", 404),
        ("coordinator_y", 404),
        ("officer_housing_x", 404),
        ("outsider", 403),
    ],
)
def test_given_reader_or_outsider_when_posting_any_write_then_refused_and_nothing_written(
    world, risky, client_for, persona, status
):
    client = client_for(persona)
    before = write_counts()
    targets = {"unit": risky.unit.pk, "event": risky.event.pk, "enterprise": world.chem_a.pk}
    for name, target, data in WRITES:
        response = client.post(reverse(name, args=[targets[target]]), data)
        assert response.status_code == status, (persona, name)
    upload = client.post(
        reverse("risks:siteplan-upload", args=[world.chem_a.pk]),
        {"image": SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")},
    )
    assert upload.status_code == status
    assert write_counts() == before


def test_given_expert_in_county_when_assessing_then_allowed(world, risky, client_for):
    response = client_for("expert_x").post(
        reverse("risks:unit-assess", args=[risky.unit.pk]),
        {"method": "ls", "ls_L": "3", "ls_S": "3", "ls_profile": "ls-v2"},
    )
    assert response.status_code == 302
    latest = Assessment.objects.filter(unit=risky.unit).first()
    assert (latest.method, latest.score, latest.profile, latest.colour) == (
        "ls",
        "9",
        "ls-v2",
        "yellow",
    )


# --- creating and assessing from the pages -----------------------------------------------------


def test_given_safety_officer_when_creating_unit_and_assessing_lec_then_red_with_profile(
    world, client_for
):
    client = client_for("safety_a")
    a = world.chem_a.pk
    response = client.post(
        reverse("risks:object-create", args=[a]), {"kind": "device", "name": "反应釜"}
    )
    obj = RiskObject.objects.get(enterprise_id=a, name="反应釜")
    assert response.status_code == 302
    assert response["Location"].endswith(f"?object={obj.pk}")
    form = client.get(response["Location"])
    assert form.context["form"]["risk_object_id"].value() == str(obj.pk)
    assert "可燃性粉尘" in form.content.decode()  # hazard factors by their Chinese names

    response = client.post(
        reverse("risks:unit-create", args=[a]),
        {
            "name": "氯化反应釜",
            "risk_object_id": obj.pk,
            "responsible_department": "合成车间",
            "responsible_person": "赵工",
            "control_level": "workshop",
            "hazard_factors": ["toxic_gas", "pressure_vessel"],
        },
    )
    unit = RiskUnit.objects.get(name="氯化反应釜")
    assert response.status_code == 302
    assert unit.hazard_factors == ["pressure_vessel", "toxic_gas"]

    page = client.get(reverse("risks:unit-detail", args=[unit.pk]))
    html = page.content.decode()
    assert "6 — 相当可能" in html  # L=6 with its meaning (standards.md A1.1)
    assert "15 — 非常严重，一人死亡" in html
    assert page.context["assess_form"]["lec_profile"].value() == "lec-5class-db"

    response = client.post(
        reverse("risks:unit-assess", args=[unit.pk]),
        {
            "method": "lec",
            "lec_L": "6",
            "lec_E": "6",
            "lec_C": "15",
            "lec_profile": "lec-5class-db",
        },
        follow=True,
    )
    unit.refresh_from_db()
    assert (unit.colour, unit.inherent_colour) == ("red", "red")
    html = response.content.decode()
    assert "540" in html and "lec-5class-db" in html and "重大风险" in html

    risk_page = client.get(reverse("risks:enterprise", args=[a])).content.decode()
    assert "LEC 540" in risk_page and "lec-5class-db" in risk_page


def test_given_event_and_measure_when_added_then_check_task_shown(world, risky, client_for):
    client = client_for("safety_a")
    response = client.post(
        reverse("risks:event-create", args=[risky.unit.pk]), {"name": "静电引燃"}
    )
    event = RiskEvent.objects.get(name="静电引燃")
    assert response.status_code == 302
    response = client.post(
        reverse("risks:measure-create", args=[event.pk]),
        {
            f"m{event.pk}-description": "储罐静电接地",
            f"m{event.pk}-classification": "engineering",
            f"m{event.pk}-check_content": "检查静电接地电阻",
            f"m{event.pk}-cycle": "1",
            f"m{event.pk}-cycle_unit": "month",
            f"m{event.pk}-responsible_person": "电工班",
        },
        follow=True,
    )
    task = CheckTask.objects.get(measure__event=event)
    assert (task.content, task.cycle, task.cycle_unit) == ("检查静电接地电阻", 1, "month")
    assert "检查静电接地电阻" in response.content.decode()
    risk_page = client.get(reverse("risks:enterprise", args=[world.chem_a.pk]))
    assert task in risk_page.context["tasks"]


def test_given_plan_when_area_drawn_then_polygon_on_four_colour_map(world, risky, client_for):
    client = client_for("safety_a")
    response = client.post(
        reverse("risks:unit-area", args=[risky.unit.pk]),
        {"area": "0.1, 0.2\n0.5, 0.2\n0.5, 0.6"},
    )
    assert response.status_code == 302
    risky.unit.refresh_from_db()
    assert risky.unit.area == [[0.1, 0.2], [0.5, 0.2], [0.5, 0.6]]
    page = client_for("coordinator_x").get(reverse("risks:site-map", args=[world.chem_a.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    # 200 × 120 px plan: the polygon is drawn in image pixels, in the unit's colour.
    assert 'points="20.0,24.0 100.0,24.0 100.0,72.0"' in html
    assert "plan-area risk-yellow" in html
    assert "重大风险" in html and "低风险" in html  # the legend
    assert "risks/risks.css" in html  # with its @media print layout
    # Typed as JSON also works; an empty field removes the area.
    client.post(reverse("risks:unit-area", args=[risky.unit.pk]), {"area": "[]"})
    risky.unit.refresh_from_db()
    assert risky.unit.area == []


def test_given_site_plan_when_uploaded_then_image_served_to_scope_only(world, client_for):
    client = client_for("principal_a")
    response = client.post(
        reverse("risks:siteplan-upload", args=[world.chem_a.pk]),
        {"image": SimpleUploadedFile("plan.png", png_bytes(300, 200), content_type="image/png")},
    )
    assert response.status_code == 302
    plan = SitePlan.objects.get(enterprise=world.chem_a)
    assert (plan.width, plan.height) == (300, 200)
    image = client_for("grid_x1").get(reverse("risks:siteplan-image", args=[world.chem_a.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")
    assert (
        client_for("coordinator_y")
        .get(reverse("risks:siteplan-image", args=[world.chem_a.pk]))
        .status_code
        == 404
    )


def test_given_installation_form_when_ammonia_chlorine_hydrogen_then_exactly_one_and_graded(
    world, client_for
):
    client = client_for("safety_a")
    data = {
        "name": "液氨液氯罐区",
        "code": "BA-001",
        "unit_kind": "storage",
        "people_500m": "35",
        "principal_person": "周平",
        "technical_person": "技术总监",
        "operational_person": "储运班长",
        "substances-TOTAL_FORMS": "5",
        "substances-INITIAL_FORMS": "0",
        "substances-MIN_NUM_FORMS": "0",
        "substances-MAX_NUM_FORMS": "50",
        "substances-0-substance": "液氨",
        "substances-0-quantity": "7",
        "substances-1-substance": "7782-50-5",
        "substances-1-quantity": "1",
        "substances-2-substance": "氢",
        "substances-2-quantity": "0.5",
    }
    response = client.post(reverse("risks:installation-create", args=[world.chem_a.pk]), data)
    assert response.status_code == 302
    installation = MajorHazardInstallation.objects.get(name="液氨液氯罐区")
    # 7/10 + 1/5 + 1/10 is exactly 1 (a float sum would be 0.9999999999999999).
    assert (installation.total, installation.is_major, installation.grade) == ("1", True, 4)
    assert installation.tasks.count() == 3
    page = client.get(reverse("risks:installation-list", args=[world.chem_a.pk]))
    html = page.content.decode()
    # R = 1.2 × (2·7/10 + 4·1/5 + 1.5·1/10) = 141/50: hydrogen is W2, β 1.5 (表4). The
    # page shows decimals; the exact value stays in the record (and in data-exact).
    text = visible_text(html)
    assert "四级" in text and "2.82" in text and "0.7" in text
    assert not re.search(r"\b\d+/\d+\b", text), re.findall(r"\b\d+/\d+\b", text)
    assert 'data-exact="141/50"' in html
    assert "周平" in html and "主要负责人包保检查" in html
    assert installation.reassess_by.isoformat() in html

    # Edit: the rows come back filled; a fourth substance changes the sum.
    edit_url = reverse("risks:installation-edit", args=[world.chem_a.pk, installation.pk])
    form = client.get(edit_url)
    first = form.context["formset"].initial[0]
    # Q and β of a listed substance stay blank: the edit keeps following the tables.
    assert (first["substance"], first["quantity"], first["critical_quantity"]) == (
        "7664-41-7",
        "7",
        "",
    )
    data.update(
        {
            "substances-TOTAL_FORMS": "5",
            "substances-INITIAL_FORMS": "3",
            "substances-0-substance": "7664-41-7",
            "substances-1-substance": "7782-50-5",
            "substances-2-substance": "1333-74-0",
            "substances-3-substance": "甲醇",
            "substances-3-quantity": "100",
        }
    )
    assert client.post(edit_url, data).status_code == 302
    installation.refresh_from_db()
    assert installation.total == "6/5"


def test_given_overdue_reassessment_when_listing_installations_then_highlighted(world, client_for):
    installation = services.installation_save(
        actor=actor(world, "safety_a"),
        enterprise_id=world.chem_a.pk,
        data={
            "name": "氯气库",
            "unit_kind": "storage",
            "people_500m": 0,
            "principal_person": "甲",
            "technical_person": "甲",  # one person in two roles
            "operational_person": "丙",
            "substances": [{"substance": "氯", "quantity": "10"}],
        },
    )
    MajorHazardInstallation.objects.filter(pk=installation.pk).update(
        reassess_by=timezone.localdate() - dt.timedelta(days=1)
    )
    page = client_for("coordinator_x").get(
        reverse("risks:installation-list", args=[world.chem_a.pk])
    )
    assert page.context["installations"][0].overdue
    guarantors = page.context["installations"][0].guarantors
    assert [g["name"] for g in guarantors] == ["甲", "甲", "丙"]
    assert len({g["task"].pk for g in guarantors}) == 3
    assert 'class="card overdue"' in page.content.decode()
    risk_page = client_for("coordinator_x").get(reverse("risks:enterprise", args=[world.chem_a.pk]))
    assert risk_page.context["installations"][0].overdue


# --- bad input re-renders with messages and writes nothing --------------------------------------


def test_given_blank_unit_form_when_saving_then_every_field_says_required_and_nothing_saved(
    world, risky, client_for
):
    before = RiskUnit.objects.count()
    response = client_for("safety_a").post(
        reverse("risks:unit-create", args=[world.chem_a.pk]), {"name": ""}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    for name in ("name", "risk_object_id", "responsible_person", "control_level"):
        assert name in errors, name
    assert "field-error" in response.content.decode()
    assert RiskUnit.objects.count() == before


def test_given_other_enterprises_object_when_creating_unit_then_refused(world, risky, client_for):
    response = client_for("safety_a").post(
        reverse("risks:unit-create", args=[world.chem_a.pk]),
        unit_data(risky.obj_c, "偷梁换柱") | {"hazard_factors": []},
    )
    assert response.status_code == 200
    assert "risk_object_id" in response.context["form"].errors
    assert not RiskUnit.objects.filter(name="偷梁换柱").exists()


def test_given_missing_factor_when_assessing_then_field_error_and_no_assessment(
    world, risky, client_for
):
    before = Assessment.objects.count()
    response = client_for("safety_a").post(
        reverse("risks:unit-assess", args=[risky.unit.pk]),
        {"method": "lec", "lec_L": "6", "lec_E": "", "lec_C": "15"},
    )
    assert response.status_code == 200
    form = response.context["assess_form"]
    assert "lec_E" in form.errors and "lec_L" not in form.errors
    assert Assessment.objects.count() == before
    # A value outside the table is refused by the form's choices.
    response = client_for("safety_a").post(
        reverse("risks:unit-assess", args=[risky.unit.pk]),
        {"method": "lec", "lec_L": "5", "lec_E": "6", "lec_C": "15"},
    )
    assert "lec_L" in response.context["assess_form"].errors
    assert Assessment.objects.count() == before


def test_given_bad_cycle_when_adding_measure_then_error_on_cycle_and_nothing_saved(
    world, risky, client_for
):
    event = risky.event
    before = (ControlMeasure.objects.count(), CheckTask.objects.count())
    response = client_for("safety_a").post(
        reverse("risks:measure-create", args=[event.pk]),
        {
            f"m{event.pk}-description": "巡检",
            f"m{event.pk}-classification": "operation",
            f"m{event.pk}-check_content": "巡检记录",
            f"m{event.pk}-cycle": "每天",
            f"m{event.pk}-cycle_unit": "day",
            f"m{event.pk}-responsible_person": "",
        },
    )
    assert response.status_code == 200
    bound = next(e.measure_form for e in response.context["events"] if e.pk == event.pk)
    assert "cycle" in bound.errors and "responsible_person" in bound.errors
    assert (ControlMeasure.objects.count(), CheckTask.objects.count()) == before
    assert 'details class="no-print" open' in response.content.decode()


@pytest.mark.parametrize("text", ["0.1, 0.1\n0.2, 0.2", "0.1, 0.1\n1.5, 0.2\n0.3, 0.3", "nonsense"])
def test_given_bad_points_when_saving_area_then_error_and_area_unchanged(
    world, risky, client_for, text
):
    response = client_for("safety_a").post(
        reverse("risks:unit-area", args=[risky.unit.pk]), {"area": text}
    )
    assert response.status_code == 200
    assert "area" in response.context["area_form"].errors
    risky.unit.refresh_from_db()
    assert risky.unit.area == []


def test_given_unknown_substance_when_saving_installation_then_message_and_nothing_saved(
    world, client_for
):
    client = client_for("safety_a")
    data = {
        "name": "未知品库",
        "unit_kind": "storage",
        "people_500m": "0",
        "principal_person": "甲",
        "technical_person": "乙",
        "operational_person": "丙",
        "substances-TOTAL_FORMS": "2",
        "substances-INITIAL_FORMS": "0",
        "substances-0-substance": "神秘物质",
        "substances-0-quantity": "3",
    }
    url = reverse("risks:installation-create", args=[world.chem_a.pk])
    response = client.post(url, data)
    assert response.status_code == 200
    # The service's message names the substance and asks for its Q.
    assert any("神秘物质" in e for e in response.context["substance_errors"])
    # A quantity without a substance is caught on its row before the service is asked.
    response = client.post(url, data | {"substances-1-quantity": "5"})
    assert "substance" in response.context["formset"].forms[1].errors
    assert 'id="substances"' in response.content.decode()
    assert not MajorHazardInstallation.objects.exists()


def test_given_text_file_when_uploading_site_plan_then_error_and_no_plan(world, client_for):
    response = client_for("safety_a").post(
        reverse("risks:siteplan-upload", args=[world.chem_a.pk]),
        {"image": SimpleUploadedFile("plan.png", b"not an image", content_type="image/png")},
    )
    assert response.status_code == 200
    assert "image" in response.context["form"].errors
    assert not SitePlan.objects.exists()


def test_given_stale_version_when_editing_unit_then_conflict_and_unchanged(
    world, risky, client_for
):
    data = unit_data(risky.obj, "改过的名字") | {"version": risky.unit.version - 1}
    response = client_for("safety_a").post(reverse("risks:unit-edit", args=[risky.unit.pk]), data)
    assert response.status_code == 409
    risky.unit.refresh_from_db()
    assert risky.unit.name == "1号储罐区"


def test_given_factors_changed_when_risk_page_then_proposal_highlighted_until_reassessed(
    world, risky, client_for
):
    client = client_for("safety_a")
    data = unit_data(risky.obj, factors=["hot_work", "flammable_gas"]) | {
        "version": risky.unit.version
    }
    assert client.post(reverse("risks:unit-edit", args=[risky.unit.pk]), data).status_code == 302
    page = client.get(reverse("risks:enterprise", args=[world.chem_a.pk]))
    html = page.content.decode()
    assert [p.unit_id for p in page.context["proposals"]] == [risky.unit.pk]
    assert 'class="proposed"' in html
    unit = next(u for u in page.context["units"] if u.pk == risky.unit.pk)
    assert (unit.inherent_colour, unit.colour) == ("yellow", "orange")  # 易燃气体+动火
    assert "易燃气体+动火" in html
    client.post(
        reverse("risks:unit-assess", args=[risky.unit.pk]),
        {"method": "lec", "lec_L": "1", "lec_E": "6", "lec_C": "3"},
    )
    page = client.get(reverse("risks:enterprise", args=[world.chem_a.pk]))
    assert page.context["proposals"] == []
    assert not ReassessmentProposal.objects.filter(resolved_at__isnull=True).exists()


# --- the safety code, its public page and its QR code -------------------------------------------


def test_given_code_when_risk_page_then_terms_explanation_qr_and_history(
    world, risky, client_for, django_capture_on_commit_callbacks
):
    client = client_for("coordinator_x")
    url = reverse("risks:enterprise", args=[world.chem_a.pk])
    page = client.get(url)
    code = page.context["code"]
    expected = expected_code(world.chem_a)
    assert code is not None and (code.colour, code.score) == (expected.colour, str(expected.score))
    html = page.content.decode()
    assert code_word(code.colour) in html
    assert "最高风险单元等级" in html and "生产安全事故（12个月）" in html
    assert 'class="untracked"' in html  # terms without a data source are greyed
    policy = safety_code.get_policy()
    assert code.score in page.context["explanation"]["reason"]
    assert str(policy.yellow) in page.context["explanation"]["rules"]
    assert f"/code/{code.token}/" in page.context["public_url"]
    assert page.context["public_url"].startswith("http://testserver/")
    assert "<svg" in html and "qr-svg" in html
    assert page.context["status"]["key"] == "valid"
    assert page.context["requirement"].enterprise_class == supervision.enterprise_class(
        "yellow", code.colour
    )
    assert page.context["can_manage"] is False
    assert page.context["history"] == []

    with django_capture_on_commit_callbacks(execute=True):
        services.risk_unit_assess(
            actor=actor(world, "safety_a"),
            unit_id=risky.unit.pk,
            method="lec",
            inputs={"L": 6, "E": 6, "C": 15},
        )
    page = client.get(url)
    expected = expected_code(world.chem_a)
    assert (page.context["code"].colour, page.context["code"].score) == (
        expected.colour,
        str(expected.score),
    )
    assert [h.pk for h in page.context["history"]] == [code.pk]
    assert page.context["requirement"].enterprise_class == "red"
    assert 'id="code-history"' in page.content.decode()


def test_given_public_code_when_colour_changes_then_valid_then_superseded(
    world, risky, django_capture_on_commit_callbacks
):
    state = RiskState.objects.select_related("code").get(enterprise=world.chem_a)
    old = state.code
    anonymous = Client()
    page = anonymous.get(reverse("risks:code-verify", args=[old.token]))
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["status"]["key"] == "valid"
    assert "有效" in html
    assert world.chem_a.name in html
    masked = world.chem_a.uscc[:6] + "********" + world.chem_a.uscc[-4:]
    assert masked in html and world.chem_a.uscc not in html
    assert world.chem_a.principal not in html and "王工" not in html  # no personal data
    assert profile_label(old.policy) in html  # named in words, with its version

    with django_capture_on_commit_callbacks(execute=True):
        services.risk_unit_assess(
            actor=actor(world, "safety_a"),
            unit_id=risky.unit.pk,
            method="lec",
            inputs={"L": 6, "E": 6, "C": 15},
        )
    state.refresh_from_db()
    # A red unit instead of a yellow one: a new code (with the default policy a blue code
    # turns yellow).
    assert state.code_id != old.pk
    assert (state.code.colour, state.code.score) != (old.colour, old.score)
    assert state.code.colour == expected_code(world.chem_a).colour
    page = anonymous.get(reverse("risks:code-verify", args=[old.token]))
    assert page.context["status"]["key"] == "superseded"
    assert page.context["status"]["superseded_at"] == state.code.computed_at
    assert "已被取代" in page.content.decode()
    new = anonymous.get(reverse("risks:code-verify", args=[state.code.token]))
    assert new.context["status"]["key"] == "valid"
    assert code_word(state.code.colour) in new.content.decode()


def test_given_validity_passed_when_public_page_then_expired(world, risky):
    state = RiskState.objects.get(enterprise=world.chem_a)
    RiskState.objects.filter(pk=state.pk).update(valid_until=timezone.now() - dt.timedelta(hours=1))
    page = Client().get(reverse("risks:code-verify", args=[state.code.token]))
    assert page.context["status"]["key"] == "expired"
    assert "已过期" in page.content.decode()


def test_given_qr_endpoints_when_fetched_without_login_then_png_and_svg(world, risky):
    token = RiskState.objects.get(enterprise=world.chem_a).code.token
    client = Client()
    png = client.get(reverse("risks:code-qr", args=[token, "png"]))
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    svg = client.get(reverse("risks:code-qr", args=[token, "svg"]))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert client.get(reverse("risks:code-qr", args=[token, "gif"])).status_code == 404
    assert client.get(reverse("risks:code-verify", args=["no-such-token"])).status_code == 404


def test_given_manager_when_recompute_posted_then_code_computed(world, client_for):
    assert not RiskState.objects.filter(enterprise=world.build_b).exists()
    response = client_for("expert_x").post(reverse("risks:code-recompute", args=[world.build_b.pk]))
    assert response.status_code == 302
    state = RiskState.objects.get(enterprise=world.build_b)
    assert state.code.terms[0]["value"] == "none"


# --- regulators ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_given_persona_when_opening_regulator_pages_then_regulators_only(
    world, risky, client_for, persona
):
    client = client_for(persona)
    want = 200 if persona in REGULATORS else 403
    for name in ("risks:jurisdiction-map", "risks:jurisdiction-map-data", "risks:supervision"):
        assert client.get(reverse(name)).status_code == want, (persona, name)


def locate(*enterprises):
    for i, ent in enumerate(enterprises):
        Enterprise.objects.filter(pk=ent.pk).update(longitude=f"120.{i}1", latitude=f"30.{i}2")


def test_given_coordinator_x_when_map_data_then_only_county_x_coloured(world, risky, client_for):
    locate(world.chem_a, world.build_b, world.ess_d, world.chem_c)
    data = client_for("coordinator_x").get(reverse("risks:jurisdiction-map-data")).json()
    assert data["mode"] == "points" and data["total"] == 3
    colours = {p[4]: p[2] for p in data["points"]}
    assert colours == {
        world.chem_a.name: "yellow",
        world.build_b.name: "none",
        world.ess_d.name: "none",
    }
    assert world.chem_c.name not in json.dumps(data, ensure_ascii=False)
    assert data["detail_url"] == "/enterprises/{id}/risks/"
    page = client_for("coordinator_x").get(reverse("risks:jurisdiction-map"))
    legend = {row["colour"]: row["count"] for row in page.context["legend"]}
    assert legend == {"red": 0, "orange": 0, "yellow": 1, "blue": 0, "none": 2}
    assert "vendor/echarts/echarts.min.js" in page.content.decode()


def test_given_more_than_the_cap_when_map_data_then_aggregated_and_said_so(
    world, risky, client_for, monkeypatch
):
    locate(world.chem_a, world.build_b, world.ess_d)
    monkeypatch.setattr(risk_views, "MAX_POINTS", 2)
    data = client_for("coordinator_x").get(reverse("risks:jurisdiction-map-data")).json()
    assert data["mode"] == "aggregated"
    assert len(data["points"]) <= 2
    assert sum(p[3] for p in data["points"]) <= 3
    assert data["note"]


def test_given_classes_when_supervision_list_then_requirements_and_filter(world, risky, client_for):
    client = client_for("coordinator_x")
    page = client.get(reverse("risks:supervision"))
    rows = {r["enterprise"].pk: r for r in page.context["page"].object_list}
    assert set(rows) == {world.chem_a.pk, world.build_b.pk, world.ess_d.pk}
    # chem_a: the higher of its yellow unit and its code; no state → yellow (unknown risk
    # is not low risk).
    chem_a_class = supervision.enterprise_class("yellow", expected_code(world.chem_a).colour)
    assert rows[world.chem_a.pk]["requirement"].enterprise_class == chem_a_class
    assert rows[world.chem_a.pk]["requirement"] == supervision.requirement(chem_a_class, "")
    assert rows[world.build_b.pk]["state"] is None
    assert rows[world.build_b.pk]["requirement"].enterprise_class == "yellow"
    counts = {c["colour"]: c["count"] for c in page.context["classes"]}
    assert counts["yellow"] == 2 + (chem_a_class == "yellow")

    services.risk_unit_assess(
        actor=actor(world, "safety_a"),
        unit_id=risky.unit.pk,
        method="lec",
        inputs={"L": 6, "E": 6, "C": 15},
    )
    services.safety_code_recompute(enterprise_id=world.chem_a.pk, trigger="test")
    red = client.get(reverse("risks:supervision"), {"cls": "red"})
    assert [r["enterprise"].pk for r in red.context["page"].object_list] == [world.chem_a.pk]
    assert red.context["page"].object_list[0]["requirement"].inspections_per_year == 52
    shandong = client.get(reverse("risks:supervision"), {"cls": "red", "profile": "shandong-2021"})
    assert shandong.context["page"].object_list[0]["requirement"].inspections_per_year == 12
    blue = client.get(reverse("risks:supervision"), {"cls": "blue"})
    assert list(blue.context["page"].object_list) == []


def test_given_home_and_enterprise_detail_when_rendered_then_risk_links(world, risky, client_for):
    home = client_for("coordinator_x").get(reverse("home"))
    html = home.content.decode()
    assert 'id="safety-code-summary"' in html and reverse("risks:supervision") in html
    detail = client_for("safety_a").get(reverse("enterprise-detail", args=[world.chem_a.pk]))
    assert reverse("risks:enterprise", args=[world.chem_a.pk]) in detail.content.decode()
    assert code_word(expected_code(world.chem_a).colour) in detail.content.decode()
    staff_home = client_for("employee_a").get(reverse("home")).content.decode()
    assert reverse("risks:enterprise", args=[world.chem_a.pk]) in staff_home
    assert reverse("risks:jurisdiction-map") not in staff_home


# --- query counts stay flat ----------------------------------------------------------------------


def add_units(world, obj, count: int, start: int) -> None:
    a = actor(world, "safety_a")
    for i in range(count):
        unit = services.risk_unit_create(
            actor=a, enterprise_id=world.chem_a.pk, data=unit_data(obj, f"单元{start + i:03d}")
        )
        services.risk_unit_assess(
            actor=a, unit_id=unit.pk, method="lec", inputs={"L": 3, "E": 6, "C": 7}
        )
        event = services.risk_event_create(actor=a, unit_id=unit.pk, name=f"事件{i}")
        services.control_measure_create(
            actor=a,
            event_id=event.pk,
            data={
                "description": "措施",
                "classification": "operation",
                "check_content": "检查",
                "cycle": 1,
                "cycle_unit": "day",
                "responsible_person": "班长",
            },
        )


def queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_given_2_or_14_units_when_risk_page_then_query_count_flat(world, risky, client_for):
    client = client_for("safety_a")
    url = reverse("risks:enterprise", args=[world.chem_a.pk])
    add_units(world, risky.obj, 1, 0)
    small = queries(client, url)
    add_units(world, risky.obj, 12, 100)
    assert queries(client, url) == small


def test_given_many_events_when_unit_page_then_query_count_flat(world, risky, client_for):
    client = client_for("safety_a")
    url = reverse("risks:unit-detail", args=[risky.unit.pk])
    small = queries(client, url)
    a = actor(world, "safety_a")
    for i in range(6):
        event = services.risk_event_create(actor=a, unit_id=risky.unit.pk, name=f"事件{i}")
        services.control_measure_create(
            actor=a,
            event_id=event.pk,
            data={
                "description": "措施",
                "classification": "operation",
                "check_content": "检查",
                "cycle": 2,
                "cycle_unit": "day",
                "responsible_person": "班长",
            },
        )
        services.risk_unit_assess(
            actor=a, unit_id=risky.unit.pk, method="lec", inputs={"L": 1, "E": 6, "C": 7}
        )
    assert queries(client, url) == small


@pytest.mark.parametrize("persona", ["coordinator_x", "officer_emergency_x", "platform_admin"])
def test_given_5_or_45_enterprises_when_supervision_list_then_query_count_flat(
    world, risky, client_for, persona
):
    client = client_for(persona)
    url = reverse("risks:supervision")
    small = queries(client, url)
    for i in range(40):
        enterprise(3000 + i, f"东县监管企业{i:03d}", world.grid_x1, "HR-HAZCHEM")
    services.safety_codes_recompute_all(trigger="test")
    assert queries(client, url) == small
    assert queries(client, url, {"page": 2, "cls": "yellow"}) <= small
    assert queries(client, reverse("risks:jurisdiction-map")) <= small
    data_small = queries(client, reverse("risks:jurisdiction-map-data"))
    for i in range(10):
        enterprise(4000 + i, f"东县地图企业{i:03d}", world.grid_x2, "HR-CONSTR")
    assert queries(client, reverse("risks:jurisdiction-map-data")) == data_small


def test_given_township_areas_when_coordinator_opens_the_map_then_own_townships_drawn_with_names(
    world, risky, client_for
):
    from anjian.registry import geometry
    from anjian.registry.models import Division

    box = (120.0, 30.0, 120.4, 30.3)
    cells = geometry.voronoi_cells([(120.1, 30.1), (120.3, 30.2)], box)
    Division.objects.filter(pk=world.town_x.pk).update(boundary=geometry.as_geojson(cells[0]))
    Division.objects.filter(pk=world.town_y.pk).update(boundary=geometry.as_geojson(cells[1]))
    page = client_for("coordinator_x").get(reverse("risks:jurisdiction-map"))
    names = [a["name"] for a in page.context["areas"]]
    assert names == ["东镇"]  # 西镇 lies in the other county
    area = page.context["areas"][0]
    assert geometry.contains(area["ring"][:-1], tuple(area["label"]))
    html = page.content.decode()
    assert 'id="map-areas"' in html and "map-symbol-red" in html
    grid = client_for("grid_x1").get(reverse("risks:jurisdiction-map"))
    assert [a["name"] for a in grid.context["areas"]] == ["东镇"]  # the grid's own township


def test_given_a_broken_boundary_when_the_map_opens_then_left_off_not_500(world, risky, client_for):
    from anjian.registry.models import Division

    Division.objects.filter(pk=world.town_x.pk).update(boundary={"type": "Point"})
    page = client_for("coordinator_x").get(reverse("risks:jurisdiction-map"))
    assert page.status_code == 200 and page.context["areas"] == []

"""Diagnosis pages: the scoring form (items by category with their points, Chinese, field
errors by field, never a 500), the history list and one diagnosis, who sees the form, and
the link from the enterprise's risk page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from anjian.diagnosis import scoring
from anjian.diagnosis.models import Diagnosis
from tests.diagnosis.conftest import deductions_for, today

GUIDE = scoring.load_guide()


def form_data(score: str = "80", **extra) -> dict[str, str]:
    data = {"diagnosed_on": today().isoformat(), "notes": ""}
    data.update({f"d_{code}": value for code, value in deductions_for(score).items()})
    data.update(extra)
    return data


def test_given_an_expert_when_opening_the_form_then_every_scored_item_with_its_points(
    world, client_for
):
    page = client_for("expert_x").get(reverse("diagnosis:new", args=[world.chem_a.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "新建诊断" in html or "企业安全风险评估诊断" in html
    for item in GUIDE.scored_items:
        assert f'name="d_{item.code}"' in html and item.name in html
        assert f'data-max="{scoring.number_text(item.max_deduction)}"' in html
    for situation in GUIDE.verified_situations:
        assert f'name="r_{situation.code}"' in html
    assert "加分项，不计分" in html  # bonus rules shown, marked as not counted
    assert "固有危险性" in html and "人员资质" in html


def test_given_bad_values_when_posting_the_form_then_each_error_under_its_field_in_chinese(
    world, client_for
):
    data = form_data(
        d_major_hazard="12",
        d_equipment="-1",
        d_personnel="很多",
        d_accidents="1.234",
        diagnosed_on="2999-01-01",
    )
    page = client_for("expert_x").post(reverse("diagnosis:new", args=[world.chem_a.pk]), data)
    assert page.status_code == 200
    form = page.context["form"]
    assert set(form.errors) == {
        "d_major_hazard",
        "d_equipment",
        "d_personnel",
        "d_accidents",
        "diagnosed_on",
    }
    assert form.errors["d_major_hazard"] == ["本项最多扣 10 分。"]
    assert form.errors["d_equipment"] == ["扣分不能为负数。"]
    assert form.errors["d_personnel"] == ["请输入扣分数值，如 2 或 0.5。"]
    assert form.errors["d_accidents"] == ["最多保留 2 位小数。"]
    html = page.content.decode()
    assert "本项最多扣 10 分。" in html and 'class="diag-item has-error"' in html
    assert not Diagnosis.objects.exists()


@pytest.mark.parametrize("junk", ["1e999", "NaN", "-0.5", "0x10", "' OR 1=1 --", "9" * 40])
def test_given_junk_in_a_deduction_when_posting_then_a_field_error_never_a_500(
    world, client_for, junk
):
    page = client_for("expert_x").post(
        reverse("diagnosis:new", args=[world.chem_a.pk]), form_data(d_major_hazard=junk)
    )
    assert page.status_code == 200
    assert list(page.context["form"].errors) == ["d_major_hazard"]
    assert not Diagnosis.objects.exists()


def test_given_full_width_digits_when_posting_then_read_as_the_number(world, client_for):
    response = client_for("expert_x").post(
        reverse("diagnosis:new", args=[world.chem_a.pk]), form_data("100", d_major_hazard="１０")
    )
    assert response.status_code == 302
    assert Diagnosis.objects.get().deductions["major_hazard"] == "10"


def test_given_good_values_when_posting_then_recorded_and_shown_item_by_item(world, client_for):
    client = client_for("expert_x")
    data = form_data("59.5", r_undesigned_unit="on", notes="现场检查")
    response = client.post(reverse("diagnosis:new", args=[world.chem_a.pk]), data)
    diagnosis = Diagnosis.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("diagnosis:detail", args=[world.chem_a.pk, diagnosis.pk])
    assert (diagnosis.score_text, diagnosis.colour, diagnosis.direct_red) == (
        "59.5",
        "red",
        ["undesigned_unit"],
    )
    detail = client.get(response["Location"])
    html = detail.content.decode()
    assert "59.5" in html and "在役化工装置未经正规设计且未进行安全设计诊断" in html
    assert "计入监管分级" in html and "现场检查" in html
    listing = client.get(reverse("diagnosis:list", args=[world.chem_a.pk]))
    assert listing.context["current"] == diagnosis
    assert [d.pk for d in listing.context["page"].object_list] == [diagnosis.pk]


def test_given_enterprise_staff_when_recording_then_a_self_assessment_said_on_the_form(
    world, client_for
):
    client = client_for("principal_a")
    form = client.get(reverse("diagnosis:new", args=[world.chem_a.pk]))
    assert "新建自评" in form.content.decode()
    client.post(reverse("diagnosis:new", args=[world.chem_a.pk]), form_data("91"))
    assert Diagnosis.objects.get().self_assessment is True
    listing = client.get(reverse("diagnosis:list", args=[world.chem_a.pk])).content.decode()
    assert "自评" in listing


@pytest.mark.parametrize(
    ("persona", "status"),
    [("employee_a", 403), ("platform_admin", 403), ("coordinator_y", 404), ("outsider", 403)],
)
def test_given_someone_who_may_not_record_when_opening_the_form_then_refused(
    world, client_for, persona, status
):
    page = client_for(persona).get(reverse("diagnosis:new", args=[world.chem_a.pk]))
    assert page.status_code == status
    posted = client_for(persona).post(reverse("diagnosis:new", args=[world.chem_a.pk]), form_data())
    assert posted.status_code == status
    assert not Diagnosis.objects.exists()


def test_given_an_employee_when_reading_the_history_then_allowed_without_the_new_button(
    world, client_for
):
    page = client_for("employee_a").get(reverse("diagnosis:list", args=[world.chem_a.pk]))
    assert page.status_code == 200
    assert reverse("diagnosis:new", args=[world.chem_a.pk]) not in page.content.decode()


def test_given_another_countys_diagnosis_when_opened_then_404(world, client_for):
    from anjian.core.audit import Actor
    from anjian.diagnosis import services

    theirs = services.diagnosis_record(
        actor=Actor.for_user(world.user("coordinator_y"), "test"),
        enterprise=world.chem_c,
        diagnosed_on=today(),
        deductions={},
    )
    url = reverse("diagnosis:detail", args=[world.chem_c.pk, theirs.pk])
    assert client_for("coordinator_x").get(url).status_code == 404
    wrong_pair = reverse("diagnosis:detail", args=[world.chem_a.pk, theirs.pk])
    assert client_for("coordinator_y").get(wrong_pair).status_code == 404


def test_given_the_enterprise_risk_page_then_it_links_the_diagnosis_and_shows_the_term(
    world, client_for
):
    client = client_for("expert_x")
    client.post(reverse("diagnosis:new", args=[world.chem_a.pk]), form_data("70"))
    page = client.get(reverse("risks:enterprise", args=[world.chem_a.pk]))
    html = page.content.decode()
    assert reverse("diagnosis:list", args=[world.chem_a.pk]) in html
    assert 'id="supervision-terms"' in html and "企业安全风险评估诊断" in html
    assert page.context["requirement"].enterprise_class == "orange"


def test_given_english_when_opening_the_form_then_english_labels(world, client_for):
    client = client_for("expert_x")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("diagnosis:new", args=[world.chem_a.pk]))
    html = page.content.decode()
    assert "Major hazard installations" in html and "Deducted" in html
    assert "重大危险源" not in html.split('id="diagnosis-form"')[1].split("<ul")[0]

"""Plan pages through the test client: the enterprise drafts, edits, signs and submits;
the emergency department files from its desk; the steps offered follow the party; other
counties and outsiders see nothing; refusals come back as 400/403/404/409."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from anjian.emergency import plan_workflow as wf
from anjian.emergency.models import Plan
from tests.emergency.plan_helpers import draft, issued, submitted
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, name):
    assert client.login(username=name, password=PASSWORD)
    return client


def act(client, plan, action, **data):
    return client.post(reverse("emergency:plan-act", args=[plan.pk, action]), data)


def test_given_the_safety_officer_when_drafting_on_the_page_then_the_plan_is_saved(client, world):
    login(client, "safety_a")
    assert client.get(reverse("emergency:plan-new")).status_code == 200
    response = client.post(
        reverse("emergency:plan-new"),
        {
            "kind": "special",
            "title": "储罐区火灾专项应急预案",
            "summary": "适用于储罐区火灾",
            "accident_types": ["08", "18"],
            "response_levels": "Ⅰ级 | 火势蔓延至相邻储罐 | 全厂撤离并请求外部救援\nⅡ级 | 单罐火灾",
            "roles": "总指挥 | 李四 | 13800000000\n现场指挥 | 王五",
        },
    )
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "emergency:plan", args=[plan.pk]
    )
    assert plan.accident_types == ["08", "18"]
    assert plan.response_levels[0] == {
        "level": "Ⅰ级",
        "condition": "火势蔓延至相邻储罐",
        "actions": "全厂撤离并请求外部救援",
    }
    assert plan.roles[1] == {"role": "现场指挥", "name": "王五", "phone": ""}
    page = client.get(reverse("emergency:plan", args=[plan.pk])).content.decode()
    assert "储罐区火灾专项应急预案" in page and "13800000000" in page and 'id="plan-edit"' in page


def test_given_a_card_without_a_post_on_the_page_then_400_with_the_field_error(client, world):
    login(client, "safety_a")
    response = client.post(reverse("emergency:plan-new"), {"kind": "card", "title": "处置卡"})
    assert response.status_code == 400 and not Plan.objects.exists()
    assert response.context["form"].errors["post"]


@pytest.mark.parametrize("name", ["employee_a", "coordinator_x", "outsider"])
def test_given_someone_not_of_the_unit_when_opening_new_then_403(client, world, name):
    login(client, name)
    assert client.get(reverse("emergency:plan-new")).status_code == 403


def test_given_a_draft_when_edited_on_the_page_then_saved_and_after_signing_no_edit(client, world):
    plan = draft(world)
    login(client, "principal_a")
    url = reverse("emergency:plan-edit", args=[plan.pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url, {"kind": "comprehensive", "title": "新标题", "roles": "总指挥 | 李四"}
    )
    assert response.status_code == 302
    assert Plan.objects.get(pk=plan.pk).title == "新标题"
    assert act(client, plan, wf.SIGN).status_code == 302
    assert client.get(url).status_code == 403


def test_the_whole_filing_through_the_pages(client, world):
    plan = draft(world)
    login(client, "principal_a")
    page = client.get(reverse("emergency:plan", args=[plan.pk])).content.decode()
    assert 'id="act-sign"' in page and 'id="act-file"' not in page
    assert act(client, plan, wf.SIGN, issued_on="").status_code == 302
    page = client.get(reverse("emergency:plan", args=[plan.pk])).content.decode()
    assert 'id="plan-filing-due"' in page and 'id="act-submit"' in page
    assert act(client, plan, wf.SUBMIT, department=str(world.emergency_x.pk)).status_code == 302
    client.logout()
    login(client, "officer_emergency_x")
    desk = client.get(reverse("emergency:plan-filings"))
    assert desk.status_code == 200 and f'data-plan="{plan.pk}"' in desk.content.decode()
    assert "plan-yours" in desk.content.decode()
    page = client.get(reverse("emergency:plan", args=[plan.pk])).content.decode()
    assert 'id="act-file"' in page and 'id="act-return"' in page
    assert act(client, plan, wf.FILE, filing_number="东应急预备〔2026〕7号").status_code == 302
    client.logout()
    login(client, "safety_a")
    page = client.get(reverse("emergency:plan", args=[plan.pk])).content.decode()
    assert 'data-state="filed"' in page and "东应急预备〔2026〕7号" in page


def test_given_a_submitted_plan_when_the_unit_tries_to_file_then_403(client, world):
    plan = submitted(world)
    login(client, "principal_a")
    response = act(client, plan, wf.FILE, filing_number="N")
    assert response.status_code == 403 and 'id="plan-refusal"' in response.content.decode()


def test_given_an_issued_plan_when_signed_again_then_409(client, world):
    plan = issued(world)
    login(client, "principal_a")
    assert act(client, plan, wf.SIGN).status_code == 409


def test_given_a_submitted_plan_when_returned_without_materials_then_400(client, world):
    plan = submitted(world)
    login(client, "officer_emergency_x")
    assert act(client, plan, wf.RETURN, missing="").status_code == 400
    assert act(client, plan, wf.RETURN, missing="缺少评审纪要").status_code == 302
    assert Plan.objects.get(pk=plan.pk).state == wf.RETURNED


def test_given_an_unknown_step_then_404(client, world):
    plan = draft(world)
    login(client, "principal_a")
    assert act(client, plan, "burn").status_code == 404
    assert act(client, plan, wf.EDIT).status_code == 404


def test_given_a_filed_plan_when_revised_on_the_page_then_the_new_draft_opens(client, world):
    plan = submitted(world)
    login(client, "safety_a")
    response = act(client, plan, wf.REVISE)
    new = Plan.objects.get(previous=plan)
    assert response["Location"] == reverse("emergency:plan", args=[new.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-version="2"' in page and 'data-version="1"' in page


def test_given_a_trigger_raised_on_the_page_then_it_is_listed(client, world):
    plan = issued(world)
    login(client, "coordinator_x")
    assert act(client, plan, wf.TRIGGER, reason="law", note="新法规实施").status_code == 302
    page = client.get(reverse("emergency:plan", args=[plan.pk])).content.decode()
    assert 'id="plan-open-triggers"' in page and "新法规实施" in page


@pytest.mark.parametrize("name", ["coordinator_y", "principal_c", "officer_housing_x"])
def test_given_another_county_or_department_when_opening_a_plan_then_404(client, world, name):
    plan = draft(world)
    login(client, name)
    assert client.get(reverse("emergency:plan", args=[plan.pk])).status_code == 404
    assert act(client, plan, wf.TRIGGER, reason="law").status_code == 404
    page = client.get(reverse("emergency:plans")).content.decode()
    assert f'data-plan="{plan.pk}"' not in page


def test_given_an_outsider_then_every_page_refuses(client, world):
    plan = draft(world)
    login(client, "outsider")
    for url in (
        reverse("emergency:plans"),
        reverse("emergency:plan", args=[plan.pk]),
        reverse("emergency:plan-filings"),
    ):
        assert client.get(url).status_code == 403


def test_given_an_enterprise_user_when_opening_the_desk_then_403(client, world):
    login(client, "principal_a")
    assert client.get(reverse("emergency:plan-filings")).status_code == 403


def test_given_the_list_when_filtered_by_overdue_then_only_late_plans(client, world):
    late = issued(world)
    Plan.objects.filter(pk=late.pk).update(filing_due=dt.date(2025, 1, 1))
    fresh = draft(world)
    login(client, "coordinator_x")
    page = client.get(reverse("emergency:plans"), {"overdue": "filing"}).content.decode()
    assert f'data-plan="{late.pk}"' in page and f'data-plan="{fresh.pk}"' not in page
    page = client.get(reverse("emergency:plans")).content.decode()
    assert f'data-plan="{late.pk}"' in page and f'data-plan="{fresh.pk}"' in page
    assert "plan-late" in page


def test_given_more_plans_when_listing_and_opening_the_desk_then_the_query_count_is_flat(
    client, world
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as listing:
            assert client.get(reverse("emergency:plans")).status_code == 200
        with CaptureQueriesContext(connection) as desk:
            assert client.get(reverse("emergency:plan-filings")).status_code == 200
        return len(listing), len(desk)

    submitted(world)
    login(client, "coordinator_x")
    few = counts()
    for _ in range(4):
        submitted(world)
        issued(world)
    assert counts() == few

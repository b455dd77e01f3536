"""The hazard pages as a user meets them: the ledger, the report form (with photos), a
hazard's page with its next steps, and one form per step, which says why it is refused
when it is."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.hazards import workflow as wf
from anjian.hazards.models import Hazard, HazardEvent
from tests.world import EXPECTED_ENTERPRISES, PASSWORD

from .helpers import MAJOR_ITEM, act, five_fixes, in_days, photo, report


def login(client, world, name):
    assert client.login(username=name, password=PASSWORD)
    return client


def step_url(hazard, action):
    return reverse("hazards:step", args=[hazard.pk, action])


def post_step(client, hazard, action, data=None, files=None):
    payload = {"version": Hazard.objects.get(pk=hazard.pk).version, **(data or {})}
    if files:
        payload["photos"] = files
    return client.post(step_url(hazard, action), payload)


def test_given_enterprise_staff_when_reporting_on_the_page_then_hazard_with_photo_in_ledger(
    client, world
):
    login(client, world, "employee_a")
    url = reverse("hazards:report", args=[world.chem_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'capture="environment"' in page.content.decode()
    response = client.post(
        url,
        {
            "description": "配电箱门损坏，带电部位外露",
            "location": "2号车间东侧",
            "hazard_type": "electrical",
            "category": "things",
            "source": "self_check",
            "handling": "deadline",
            "photos": [photo(name="before.png")],
        },
    )
    hazard = Hazard.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("hazards:detail", args=[hazard.pk])
    assert hazard.photos.count() == 1
    detail = client.get(response.url).content.decode()
    assert hazard.number in detail
    assert "配电箱门损坏" in detail
    ledger = client.get(reverse("hazards:ledger")).content.decode()
    assert hazard.number in ledger


def test_given_missing_fields_when_reporting_then_each_named_and_nothing_written(client, world):
    login(client, world, "safety_a")
    response = client.post(
        reverse("hazards:report", args=[world.chem_a.pk]), {"handling": "deadline"}
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert {"description", "location", "hazard_type", "category", "source"} <= set(form.errors)
    assert Hazard.objects.count() == 0


def test_given_a_pdf_named_png_when_reporting_then_photo_error_and_nothing_written(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, world, "safety_a")
    fake = SimpleUploadedFile("x.png", b"%PDF-1.4 not an image", content_type="image/png")
    response = client.post(
        reverse("hazards:report", args=[world.chem_a.pk]),
        {
            "description": "配电箱门损坏",
            "location": "2号车间",
            "hazard_type": "electrical",
            "category": "things",
            "source": "self_check",
            "handling": "deadline",
            "photos": [fake],
        },
    )
    assert response.status_code == 422
    assert "photos" in response.context["form"].errors
    assert Hazard.objects.count() == 0


@pytest.mark.parametrize("persona", sorted(EXPECTED_ENTERPRISES))
def test_given_persona_when_opening_ledger_and_detail_then_only_hazards_in_scope(
    client, world, persona
):
    mine = report(world, "safety_a")  # chem_a
    theirs = report(world, "principal_c", enterprise=world.chem_c)
    if persona == "outsider":
        login(client, world, persona)
        assert client.get(reverse("hazards:ledger")).status_code in (403, 200)
    else:
        login(client, world, persona)
    sees_a = "chem_a" in EXPECTED_ENTERPRISES[persona]
    sees_c = "chem_c" in EXPECTED_ENTERPRISES[persona]
    response = client.get(reverse("hazards:ledger"))
    body = response.content.decode() if response.status_code == 200 else ""
    assert (mine.number in body) is sees_a
    assert (theirs.number in body) is sees_c
    assert client.get(reverse("hazards:detail", args=[mine.pk])).status_code == (
        200 if sees_a else 404
    )
    assert client.get(reverse("hazards:detail", args=[theirs.pk])).status_code == (
        200 if sees_c else 404
    )


def test_given_wrong_role_when_opening_a_step_then_page_says_who_may_and_nothing_changes(
    client, world
):
    hazard = report(world, "safety_a", major_item=MAJOR_ITEM)
    login(client, world, "safety_a")
    response = client.get(step_url(hazard, wf.CONFIRM_MAJOR))
    assert response.status_code == 403
    text = response.content.decode()
    assert response.context["refusal"]
    assert "<form" not in text.split("hz-refused")[1].split("</section>")[0]
    response = post_step(client, hazard, wf.CONFIRM_MAJOR, {"note": "我自己确认"})
    assert response.status_code == 403
    assert Hazard.objects.get(pk=hazard.pk).state == wf.REPORTED


def test_given_wrong_state_when_opening_a_step_then_page_says_which_state(client, world):
    hazard = report(world, "safety_a")
    login(client, world, "officer_emergency_x")
    response = client.get(step_url(hazard, wf.ACCEPT))
    assert response.status_code == 409
    assert response.context["refusal"]


def test_given_detail_page_when_others_must_act_then_it_says_who_is_awaited(client, world):
    hazard = report(world, "safety_a", major_item=MAJOR_ITEM)
    login(client, world, "safety_a")
    response = client.get(reverse("hazards:detail", args=[hazard.pk]))
    waiting = [o.action for o in response.context["waiting"]]
    assert wf.CONFIRM_MAJOR in waiting and wf.SET_PLAN in waiting  # the principal's plan
    # The safety officer may stop production and report to the workers' congress.
    assert {o.action for o in response.context["mine"]} == {wf.SUSPEND, wf.REPORT_TO_WORKERS}
    login(client, world, "expert_x")
    response = client.get(reverse("hazards:detail", args=[hazard.pk]))
    assert {o.action for o in response.context["mine"]} == {wf.CONFIRM_MAJOR, wf.DISMISS_MAJOR}


def test_given_major_hazard_when_walked_through_every_page_by_each_role_then_closed_and_reviewed(
    client, world
):
    """The newcomer's path, on the pages: report (with the harm analysis) → expert and
    listing in parallel → the principal's plan → rectifying → submit with a photo →
    review by the listing department → accountability review."""
    login(client, world, "safety_a")
    response = client.post(
        reverse("hazards:report", args=[world.chem_a.pk]),
        {
            "description": "液氯储罐区未设置有毒气体检测报警",
            "location": "液氯库",
            "hazard_type": "safety",
            "category": "things",
            "source": "self_check",
            "handling": "deadline",
            "major_item": MAJOR_ITEM,
            "cause": "改造遗漏",
            "harm_analysis": "泄漏不能及时发现，可能造成中毒；需停用储罐区加装报警",
        },
    )
    hazard = Hazard.objects.get()
    assert response.status_code == 302 and hazard.level == "major"

    client.logout()
    login(client, world, "expert_x")
    assert (
        post_step(client, hazard, wf.CONFIRM_MAJOR, {"note": "符合判定标准第12项"}).status_code
        == 302
    )

    client.logout()
    login(client, world, "officer_emergency_x")
    r = post_step(
        client, hazard, wf.LIST, {"deadline": in_days(60), "notice": "挂牌督办，限期整改"}
    )
    assert r.status_code == 302

    client.logout()
    login(client, world, "principal_a")
    fixes = five_fixes(major=True)
    data = {k: v for k, v in fixes.items() if k != "plan"}
    data.update({f"plan_{k}": v for k, v in fixes["plan"].items()})
    # A missing plan part is named on the form, and nothing moves.
    partial = {k: v for k, v in data.items() if k != "plan_targets"}
    r = post_step(client, hazard, wf.SET_PLAN, partial)
    assert r.status_code == 422 and "plan_targets" in r.context["form"].errors
    assert Hazard.objects.get(pk=hazard.pk).state == wf.REPORTED
    assert post_step(client, hazard, wf.SET_PLAN, data).status_code == 302
    assert post_step(client, hazard, wf.START_RECTIFICATION).status_code == 302
    r = post_step(client, hazard, wf.SUBMIT, {"note": "已安装检测报警并联锁"}, files=[photo()])
    assert r.status_code == 302

    # The lead department's officer did the listing and so reviews it.
    client.logout()
    login(client, world, "coordinator_x")
    assert client.get(step_url(hazard, wf.ACCEPT)).status_code == 403
    client.logout()
    login(client, world, "principal_a")
    assert client.get(step_url(hazard, wf.ACCEPT)).status_code == 403
    client.logout()
    login(client, world, "officer_emergency_x")
    assert post_step(client, hazard, wf.ACCEPT, {"note": "现场复查合格"}).status_code == 302

    client.logout()
    login(client, world, "coordinator_x")
    r = post_step(
        client,
        hazard,
        wf.ACCOUNTABILITY_REVIEW,
        {"findings": "安全管理员未落实检测要求", "persons": "张三, 安全管理员, 通报批评"},
    )
    assert r.status_code == 302
    hazard.refresh_from_db()
    assert hazard.state == wf.CLOSED
    assert hazard.accountability_review.persons_accountable[0]["name"] == "张三"
    actions = list(HazardEvent.objects.filter(hazard=hazard).values_list("action", flat=True))
    assert actions == [
        wf.REPORT,
        wf.CONFIRM_MAJOR,
        wf.LIST,
        wf.SET_PLAN,
        wf.START_RECTIFICATION,
        wf.SUBMIT,
        wf.ACCEPT,
        wf.ACCOUNTABILITY_REVIEW,
    ]
    page = client.get(reverse("hazards:detail", args=[hazard.pk]))
    assert page.status_code == 200
    assert [p.status for p in page.context["path"]] == ["done"] * 6


def test_given_stale_version_when_posting_a_step_then_refused_as_moved_by_someone_else(
    client, world
):
    hazard = report(world, "safety_a")
    login(client, world, "safety_a")
    stale = Hazard.objects.get(pk=hazard.pk).version
    act(world, "safety_a", hazard, wf.SET_FIVE_FIXES, five_fixes())
    r = client.post(step_url(hazard, wf.START_RECTIFICATION), {"version": stale})
    assert r.status_code == 409
    assert Hazard.objects.get(pk=hazard.pk).state == wf.FIXES_SET


def test_given_photo_of_hazard_when_fetched_then_only_in_scope(client, world):
    hazard = report(world, "safety_a", photos=[photo()])
    p = hazard.photos.get()
    url = reverse("hazards:photo", args=[hazard.pk, p.pk])
    login(client, world, "grid_x1")
    assert client.get(url).status_code == 200
    client.logout()
    login(client, world, "principal_c")
    assert client.get(url).status_code == 404


def test_given_description_when_typing_then_similar_hazards_fragment_lists_them(client, world):
    first = report(world, "safety_a", description="1号储罐区呼吸阀堵塞")
    login(client, world, "safety_a")
    r = client.get(
        reverse("hazards:similar", args=[world.chem_a.pk]),
        {"description": "1号储罐呼吸阀堵塞了", "hazard_type": "equipment"},
    )
    assert r.status_code == 200 and first.number in r.content.decode()
    client.logout()
    login(client, world, "principal_c")
    r = client.get(
        reverse("hazards:similar", args=[world.chem_a.pk]), {"description": "呼吸阀堵塞"}
    )
    assert r.status_code == 404


def test_given_bad_filters_when_listing_then_message_not_error(client, world):
    login(client, world, "coordinator_x")
    r = client.get(reverse("hazards:ledger"), {"reported_from": "yesterday", "enterprise": "x"})
    assert r.status_code == 200
    assert r.context["errors"]


def test_given_workflow_page_then_every_transition_is_listed(client, world):
    login(client, world, "employee_a")
    r = client.get(reverse("hazards:workflow"))
    assert r.status_code == 200
    assert len(r.context["rows"]) == len(wf.TRANSITIONS)


def _queries(client, django_assert_max_num_queries, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_given_3_or_30_hazards_when_listing_or_opening_then_query_count_does_not_grow(
    client, world, django_assert_max_num_queries
):
    login(client, world, "coordinator_x")
    for _ in range(3):
        hazard = report(world, "safety_a", photos=[photo()])
    small_list = _queries(client, django_assert_max_num_queries, reverse("hazards:ledger"))
    small_detail = _queries(
        client, django_assert_max_num_queries, reverse("hazards:detail", args=[hazard.pk])
    )
    for _ in range(27):
        report(world, "coordinator_x", enterprise=world.build_b)
    act(world, "safety_a", hazard, wf.SET_FIVE_FIXES, five_fixes())
    act(world, "safety_a", hazard, wf.START_RECTIFICATION)
    act(world, "safety_a", hazard, wf.SUBMIT, {"note": "done"}, photos=[photo(), photo()])
    assert _queries(client, django_assert_max_num_queries, reverse("hazards:ledger")) == small_list
    assert (
        _queries(client, django_assert_max_num_queries, reverse("hazards:detail", args=[hazard.pk]))
        == small_detail
    )


def test_given_bad_filters_in_chinese_then_named_by_their_labels_not_parameters(client, world):
    login(client, world, "coordinator_x")
    r = client.get(reverse("hazards:ledger"), {"reported_from": "yesterday", "level": "huge"})
    alert = r.content.decode().split('role="alert"')[1].split("</div>")[0]
    assert "reported_from" not in alert and "general" not in alert and "major" not in alert
    assert "一般事故隐患" in alert  # the level's choices by their labels

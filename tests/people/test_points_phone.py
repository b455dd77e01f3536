"""The points bank, a worker's ledger and the responsibility list on a phone (Chromium
at 390×844): no sideways scroll, the award form, missing signatures in red. Saves
docs/screenshots/people-points.png, people-points-worker.png and people-duty.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from anjian.people import duty_services as ds
from anjian.people import points_rules as pr
from anjian.people import points_services as ps
from tests.e2e.conftest import artifacts, browser  # noqa: F401  (fixtures)
from tests.e2e.test_browser import PHONE, sign_in
from tests.people.points_helpers import act, crew, worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def seed(world) -> dict:
    c = crew(world)
    c["wu"] = worker(world.chem_a, "吴十", "班组长")
    officer = act(world, "safety_a")
    ps.points_for_report(c["zhao"].pk, 1)
    ps.points_for_drill([c["wang"].pk, c["zhao"].pk, c["qian"].pk, c["wu"].pk], 1)
    ps.points_award(
        actor=officer,
        worker_id=c["wang"].pk,
        rule=pr.MANUAL,
        points=8,
        note="发现法兰泄漏并及时报告",
    )
    wrong = ps.points_award(
        actor=officer, worker_id=c["qian"].pk, rule=pr.MANUAL, points=5, note="合理化建议"
    )
    ps.points_reverse(actor=officer, entry_id=wrong.pk, reason="录入重复")
    ps.points_award(
        actor=officer,
        worker_id=c["wu"].pk,
        rule=pr.VIOLATION,
        severity="ordinary",
        note="动火作业未开票",
    )
    op = ds.duty_post_save(
        actor=officer, post="操作工", duties="严格执行岗位操作规程；参加班前会；发现隐患立即报告。"
    )
    ds.duty_post_save(actor=officer, post="班组长", duties="组织班前安全讲话；检查本班组作业安全。")
    ds.duty_post_save(actor=officer, post="电工", duties="")
    ds.duty_letters_record(actor=officer, post_id=op.pk, worker_ids=[c["wang"].pk])
    return c


def test_given_points_and_a_list_when_opened_on_a_phone_then_they_fit_and_flag_what_is_missing(
    world,
    live_server,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
):
    c = seed(world)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, "safety_a")
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(base + reverse("people:points"))
    assert page.locator("#points-ranking tr[data-worker]").count() == 4
    assert page.locator("#points-ranking tr[data-worker]").first.get_attribute(
        "data-worker"
    ) == str(c["zhao"].pk)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "people-points.png"), full_page=True)

    page.goto(base + reverse("people:points-worker", args=[c["qian"].pk]))
    assert page.locator("#points-total").inner_text() == "3"
    page.click("#points-award-box summary")
    assert page.locator("#points-award-form").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "people-points-worker.png"), full_page=True)

    page.goto(base + reverse("people:duty"))
    assert page.locator(".duty-unsigned").count() == 3  # 赵六, 钱七 (电工), 吴十 (班组长)
    assert page.locator(".duty-no-duties").count() == 1  # 电工: no duties written
    assert page.locator("#duty-missing").inner_text() == "3"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "people-duty.png"), full_page=True)
    context.close()

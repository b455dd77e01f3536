"""The on-site page in Chromium on a 390 px phone: a finding sent while offline is kept
in the browser and sent again with the same token (recorded once); a finding whose
response was lost is recorded and its draft dropped; signatures drawn on the canvases
conclude the inspection with three PNG signatures. The page is saved in
test-artifacts/inspection-onsite-phone.png."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.inspections import services
from anjian.inspections import workflow as wf
from anjian.inspections.models import Finding, Inspection, Signature
from tests.e2e.conftest import artifacts, browser  # noqa: F401  (fixtures)
from tests.e2e.test_browser import PHONE, sign_in
from tests.inspections.helpers import actor, add_roster, plan

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def draw_on(page, selector: str) -> None:
    canvas = page.locator(selector)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 20)
    page.mouse.down()
    for step in range(1, 8):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 20 + (step % 2) * 30)
    page.mouse.up()


def test_given_a_phone_on_site_then_drafts_survive_and_signatures_conclude(
    live_server,
    world,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
):
    add_roster(world)
    inspection = plan(world)
    services.inspection_start(actor=actor(world.user("insp1")), inspection_id=inspection.pk)
    base = live_server.url
    url = base + reverse("inspections:onsite", args=[inspection.pk])

    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, "insp1")
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Offline: the finding cannot leave the phone; it stays as a draft with its token.
    page.fill("#f-description", "消防通道堵塞")
    page.fill("#f-location", "二号仓库")
    token = page.input_value('#finding-form input[name="client_token"]')
    context.set_offline(True)
    page.click("#finding-form button[type=submit]", no_wait_after=True)
    page.wait_for_timeout(500)
    context.set_offline(False)
    assert not Finding.objects.filter(inspection=inspection).exists()
    page.goto(url)
    assert page.input_value("#f-description") == "消防通道堵塞"
    assert page.input_value('#finding-form input[name="client_token"]') == token
    page.click("#finding-form button[type=submit]")
    page.wait_for_selector("#findings li a")
    assert Finding.objects.filter(inspection=inspection).count() == 1
    assert Finding.objects.get(inspection=inspection).client_token == token
    assert page.input_value("#f-description") == ""  # recorded: the draft is gone

    # The server records a second finding but its answer is lost on the way back.
    page.fill("#f-description", "配电箱未接地")
    page.fill("#f-location", "一号车间")
    finding_url = base + reverse("inspections:finding", args=[inspection.pk])

    def lose_answer(route):
        route.fetch()
        route.abort()

    page.route(finding_url, lose_answer)
    page.click("#finding-form button[type=submit]", no_wait_after=True)
    page.wait_for_timeout(1000)
    page.unroute(finding_url)
    page.goto(url)
    assert Finding.objects.filter(inspection=inspection).count() == 2
    assert page.input_value("#f-description") == ""

    # Conclude: items, conclusion, the two inspectors and the representative sign.
    page.fill('#items .insp-item:nth-child(1) input[name="item_text"]', "消防设施")
    page.select_option('#items .insp-item:nth-child(1) select[name="item_result"]', "problem")
    page.fill("#c-conclusion", "发现问题2项，已责令限期整改")
    for u in inspection.inspectors.all():
        draw_on(page, f'canvas[data-target="sig_inspector_{u.pk}"]')
    page.fill("#c-rep", "李四")
    draw_on(page, 'canvas[data-target="sig_representative"]')
    page.screenshot(path=str(artifacts / "inspection-onsite-phone.png"), full_page=True)
    page.click("#conclude-form button[type=submit]")
    page.wait_for_load_state()
    errors = page.locator("#onsite-errors, #onsite-refusal")
    assert errors.count() == 0, errors.first.inner_text()
    page.wait_for_selector("#inspection-signatures")
    inspection = Inspection.objects.get(pk=inspection.pk)
    assert inspection.state == wf.CONCLUDED
    assert inspection.items[0]["result"] == "problem"
    assert Signature.objects.filter(inspection=inspection).count() == 3
    context.close()

"""The public exposure board on a phone, in Chromium at 390 px without signing in: the
published entries as cards (no sideways scroll), one entry's page, and nothing of a
proposal or a person. Screens saved in test-artifacts/ (copied to docs/screenshots/)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.e2e.conftest import artifacts, browser  # noqa: F401  (fixtures)
from tests.e2e.test_browser import PHONE
from tests.penalties.helpers import decide, draft
from tests.public.exposure_helpers import propose, walk

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_given_published_entries_when_anyone_opens_the_board_on_a_phone_then_cards_show(
    world,
    live_server,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
):
    first = walk(world, propose(world), "published")
    walk(
        world,
        propose(
            world,
            ground="major_hazard_overdue",
            summary="该企业储罐区可燃气体检测报警系统缺失，属重大事故隐患，"
            "经挂牌督办逾期未完成整改。",
        ),
        "published",
    )
    second = decide(
        world,
        draft(
            world,
            "officer_housing_x",
            subject_value=world.build_b.uscc,
            subject_name=world.build_b.name,
            place="西镇二网格 工地",
            description="脚手架未设置连墙件",
        ),
        "officer_housing_x",
    )
    walk(
        world,
        propose(
            world,
            "officer_housing_x",
            link_id=second.pk,
            summary="该企业施工现场脚手架未按规定设置连墙件，拒不整改，依法予以罚款。",
        ),
        "published",
    )
    hidden = propose(world, "coordinator_x", ground="accident")

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    base = live_server.url
    page.goto(base + reverse("public:exposures"))
    page.wait_for_selector("#exposures")
    assert page.locator("#exposures [data-exposure]").count() == 3
    assert page.locator(f'[data-exposure="{hidden.pk}"]').count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    html = page.content()
    assert "张三" not in html and "李四" not in html
    page.screenshot(path=str(artifacts / "public-exposure.png"), full_page=True)

    page.click(f'[data-exposure="{first.pk}"] a')
    page.wait_for_selector("#exposure")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "public-exposure-entry.png"), full_page=True)
    context.close()

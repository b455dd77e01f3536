"""The resources page on a phone (Chromium at 390×844): the warnings badge, the map with
the township area and the resources as dots, the tabs, no sideways scroll; the warnings
page filters. Saves docs/screenshots/emergency-resources.png (and the warnings page)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from anjian.emergency import resource_services as services
from tests.e2e.conftest import artifacts, browser  # noqa: F401  (fixtures)
from tests.e2e.test_browser import PHONE, sign_in
from tests.emergency.test_resource_support import act, kind, supply, team_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def seed(world) -> None:
    kind()
    town = world.town_x
    town.boundary = {
        "type": "Polygon",
        "coordinates": [
            [
                [120.10, 30.22],
                [120.22, 30.22],
                [120.24, 30.30],
                [120.16, 30.34],
                [120.08, 30.30],
                [120.10, 30.22],
            ]
        ],
    }
    town.save(update_fields=["boundary"])
    coord = act(world, "coordinator_x")
    services.team_create(
        actor=coord,
        data=team_data(
            name="东县危化救援队", members=24, latitude=30.27, longitude=120.15, division=town.pk
        ),
    )
    services.team_create(
        actor=coord,
        data=team_data(
            name="东镇消防救援站",
            kind="fire",
            members=18,
            latitude=30.25,
            longitude=120.19,
            division=town.pk,
        ),
    )
    services.team_create(
        actor=act(world, "safety_a"),
        data=team_data(
            name="甲化工企业救援队", kind="enterprise", members=12, latitude=30.29, longitude=120.12
        ),
    )
    house = services.warehouse_create(
        actor=coord,
        data={
            "name": "东县应急物资库",
            "latitude": 30.31,
            "longitude": 120.17,
            "division": town.pk,
            "keeper": "赵敏",
        },
    )
    today = timezone.localdate()
    supply(world, house, kind="正压式空气呼吸器", quantity=12, minimum=20)
    supply(
        world,
        house,
        kind="吸附棉",
        quantity=300,
        minimum=100,
        expires_on=(today - dt.timedelta(days=3)).isoformat(),
    )
    supply(
        world,
        house,
        kind="沙袋",
        quantity=2000,
        minimum=1000,
        expires_on=(today + dt.timedelta(days=12)).isoformat(),
    )
    services.expert_create(
        actor=coord,
        data={
            "name": "刘洋",
            "phone": "13800000001",
            "specialities": ["chemical"],
            "latitude": 30.24,
            "longitude": 120.13,
            "division": town.pk,
        },
    )
    services.shelter_create(
        actor=coord,
        data={
            "name": "东镇中心广场",
            "capacity": 3000,
            "latitude": 30.28,
            "longitude": 120.21,
            "division": town.pk,
        },
    )


def test_given_resources_when_the_coordinator_opens_the_page_on_a_phone_then_map_and_warnings_show(
    world,
    live_server,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
):
    seed(world)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, "coordinator_x")
    page.goto(base + reverse("emergency:resources"))
    page.wait_for_selector("#resource-map[data-ready='6']")
    assert page.locator("#res-warning-badge").inner_text() == "3"
    assert page.locator("#res-teams tr[data-id]").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "emergency-resources.png"), full_page=True)

    page.click("#res-warnings")
    page.wait_for_selector("#supply-warnings")
    assert page.locator("#supply-warnings tr[data-id]").count() == 3
    page.click("#warning-filters [data-kind='expired']")
    page.wait_for_selector("#supply-warnings")
    assert page.locator("#supply-warnings tr[data-id]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.goto(base + reverse("emergency:supply-warnings"))
    page.screenshot(path=str(SHOTS / "emergency-resources-warnings.png"), full_page=True)
    context.close()

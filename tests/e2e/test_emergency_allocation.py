"""Supplies allocation in Chromium: the county coordinator picks two active incidents,
enters their demands (adding a supply-kind row with the form's button), computes, and
sees the shipments table, the line that cannot be met (in red) and the map with lines;
then the result on a 390 px phone (no sideways scroll). Screenshots go to
test-artifacts/, and with ANJIAN_SCREENSHOTS=1 also to docs/screenshots/
emergency-allocation.png (desktop 1280×800) and emergency-allocation-phone.png."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from anjian.emergency.models import AllocationRun, Incident, Supply, SupplyKind, Warehouse
from anjian.registry.geometry import as_geojson
from tests.e2e.conftest import artifacts, browser  # noqa: F401  (fixtures)
from tests.e2e.test_browser import PHONE, sign_in
from tests.world import division

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}


def shot(page, artifacts, name: str) -> None:  # noqa: F811
    page.screenshot(path=str(artifacts / name), full_page=True)
    if os.environ.get("ANJIAN_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def county(world) -> dict:
    """Two townships with areas; four warehouses with sandbags, pumps and masks; a chlorine
    leak and a flooded underpass, both active."""
    town_2 = division("330101002", "南镇", "township", world.county_x)
    world.town_x.boundary = as_geojson(
        [(120.00, 30.10), (120.30, 30.10), (120.30, 30.22), (120.00, 30.22)]
    )
    world.town_x.save()
    town_2.boundary = as_geojson(
        [(120.00, 29.98), (120.30, 29.98), (120.30, 30.10), (120.00, 30.10)]
    )
    town_2.save()

    def kind(code: str, name: str, unit: str) -> SupplyKind:
        row, _ = SupplyKind.objects.update_or_create(
            code=code, defaults={"name": name, "unit": unit}
        )
        return row

    sand = kind("E2E-SAND", "防汛沙袋", "袋")
    pump = kind("E2E-PUMP", "移动排水泵", "台")
    mask = kind("E2E-MASK", "正压式空气呼吸器", "套")
    stocks = [
        ("东镇应急物资库", world.town_x, 120.05, 30.16, {sand: 400, mask: 6}),
        ("东县中心储备库", world.county_x, 120.15, 30.11, {sand: 1500, pump: 4, mask: 10}),
        ("南镇物资点", town_2, 120.22, 30.03, {sand: 300, pump: 2}),
        ("化工园区企业库", world.town_x, 120.25, 30.18, {mask: 4}),
    ]
    for name, where, lon, lat, held in stocks:
        w = Warehouse.objects.create(
            division=where, name=name, latitude=Decimal(str(lat)), longitude=Decimal(str(lon))
        )
        for k, q in held.items():
            Supply.objects.create(warehouse=w, kind=k, quantity=q)
    leak = Incident.objects.create(
        division=world.town_x,
        title="东镇化工园区氯气泄漏",
        latitude=Decimal("30.190"),
        longitude=Decimal("120.200"),
        accident_type="19",
        started_by=world.user("coordinator_x"),
    )
    flood = Incident.objects.create(
        division=town_2,
        title="南镇下穿通道积水",
        latitude=Decimal("30.040"),
        longitude=Decimal("120.100"),
        accident_type="06",
        started_by=world.user("coordinator_x"),
    )
    return {"leak": leak, "flood": flood}


def test_given_two_incidents_when_the_coordinator_computes_then_table_unmet_and_map_show(
    live_server,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
    world,
):
    found = county(world)
    leak, flood = found["leak"].pk, found["flood"].pk
    base = live_server.url
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, "coordinator_x")
    page.goto(base + "/emergency/allocations/")
    page.click("#allocation-new-link")
    page.fill("#id_title", "汛期与泄漏联合调配")
    page.check('input[name="objective"][value="time"]')

    leak_block = page.locator(f'.alloc-target[data-target="i{leak}"]')
    leak_block.locator("select.alloc-kind").nth(0).select_option("E2E-MASK")
    leak_block.locator("input.alloc-qty").nth(0).fill("16")
    leak_block.locator("select[name^=priority]").select_option("3")
    flood_block = page.locator(f'.alloc-target[data-target="i{flood}"]')
    flood_block.locator("select.alloc-kind").nth(0).select_option("E2E-SAND")
    flood_block.locator("input.alloc-qty").nth(0).fill("1200")
    flood_block.locator("select.alloc-kind").nth(1).select_option("E2E-PUMP")
    flood_block.locator("input.alloc-qty").nth(1).fill("8")
    # A fourth row through the form's button (the dynamic part).
    flood_block.locator(".alloc-add-kind").click()
    assert flood_block.locator(".alloc-demand").count() == 4
    flood_block.locator("select.alloc-kind").nth(3).select_option("E2E-MASK")
    flood_block.locator("input.alloc-qty").nth(3).fill("6")
    # Ticking happens by entering a quantity.
    assert page.locator(f'input[name="incident"][value="{leak}"]').is_checked()
    assert page.locator(f'input[name="incident"][value="{flood}"]').is_checked()
    page.click("#alloc-compute")
    page.wait_for_selector("#allocation-shipments")

    run = AllocationRun.objects.get()
    assert run.result["totals"]["demanded"] == 16 + 1200 + 8 + 6
    # Masks: 20 in stock for 22 wanted; the leak (priority 3) is served in full first.
    # Pumps: 6 for 8.
    short = {(u["incident"], u["kind"]): u["short"] for u in run.result["unmet"]}
    assert (f"i{leak}", "E2E-MASK") not in short
    assert short[(f"i{flood}", "E2E-MASK")] == 2
    assert short[(f"i{flood}", "E2E-PUMP")] == 2
    assert page.locator("#allocation-shipments tbody tr").count() == len(run.result["shipments"])
    unmet = page.locator("#allocation-unmet")
    assert unmet.is_visible()
    assert unmet.locator(".alloc-unmet-line").count() == 2
    assert "南镇下穿通道积水" in unmet.inner_text()
    colour = unmet.evaluate("e => getComputedStyle(e).color")
    assert colour == "rgb(180, 35, 24)"
    page.wait_for_selector("#allocation-map[data-ready]")
    assert page.locator("#allocation-map canvas").count() >= 1
    assert int(page.get_attribute("#allocation-map", "data-ready")) == len(run.result["shipments"])
    shot(page, artifacts, "emergency-allocation.png")

    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    mobile = phone.new_page()
    sign_in(mobile, base, "coordinator_x")
    mobile.goto(base + f"/emergency/allocations/{run.pk}/")
    mobile.wait_for_selector("#allocation-map[data-ready]")
    width = mobile.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, width
    assert mobile.locator("#allocation-unmet").is_visible()
    shot(mobile, artifacts, "emergency-allocation-phone.png")
    mobile.goto(base + "/emergency/allocations/new/")
    width = mobile.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, width
    shot(mobile, artifacts, "emergency-allocation-new-phone.png")
    phone.close()
    context.close()

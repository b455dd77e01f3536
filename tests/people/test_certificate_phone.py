"""The certificates page on a phone (Chromium at 390×844): expired first, status badges,
no sideways scroll, masked numbers. Saves docs/screenshots/people-certificates.png."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from anjian.core.audit import Actor
from anjian.people import training_services as ts
from anjian.people import worker_services as ws
from tests.e2e.conftest import artifacts, browser  # noqa: F401  (fixtures)
from tests.e2e.test_browser import PHONE, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def seed(world) -> None:
    actor = Actor.for_user(world.user("safety_a"), "test")
    today = timezone.localdate()
    people = [
        (
            "王强",
            "330101198506151231",
            "电工作业",
            "低压电工作业",
            today - dt.timedelta(days=6 * 365 - 3),
        ),
        (
            "赵敏",
            "33010119850615124X",
            "焊接与热切割作业",
            "熔化焊接与热切割作业",
            today - dt.timedelta(days=3 * 365 - 20),
        ),
        (
            "刘洋",
            "440304199001010011",
            "危险化学品安全作业",
            "化工自动化控制仪表作业",
            today - dt.timedelta(days=400),
        ),
    ]
    for name, number, category, item, issued in people:
        w = ws.worker_create(
            actor=actor, data={"name": name, "id_number": number, "post": "操作工"}
        )
        ts.certificate_create(
            actor=actor,
            worker_id=w.pk,
            data={
                "kind": "special_work",
                "category": category,
                "item": item,
                "number": number,
                "issuer": "东县应急管理局",
                "issued_on": issued.isoformat(),
            },
        )
    boss = ws.worker_create(actor=actor, data={"name": "李四", "post": "主要负责人"})
    ts.certificate_create(
        actor=actor,
        worker_id=boss.pk,
        data={
            "kind": "principal",
            "number": "浙安A2025001",
            "issued_on": (today - dt.timedelta(days=100)).isoformat(),
            "expires_on": (today + dt.timedelta(days=12)).isoformat(),
        },
    )


def test_given_certificates_when_the_safety_officer_opens_the_list_on_a_phone_then_expired_first(
    world,
    live_server,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
):
    seed(world)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, "safety_a")
    page.goto(base + reverse("people:certificates"))
    page.wait_for_selector("#certificates")
    rows = page.locator("#certificates tr[data-certificate]")
    assert rows.count() == 4
    assert "pt-row-expired" in (rows.nth(0).get_attribute("class") or "")
    assert "330101198506151231" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "people-certificates.png"), full_page=True)
    context.close()

"""Issue 12's first Done-when, in Chromium: a department officer who has never used the
system plans, draws, carries out and documents an inspection from the navigation alone,
and the enterprise then sees its inspection, documents and hazards.

1. The officer opens 检查执法 → 双随机抽查, draws and publishes; the public page (no
   sign-in, reached from the footer) shows the same seed and enterprises.
2. On a 390 px phone the officer opens the drawn inspection of the chemical plant, starts
   it, records two findings with a photo, checks items, both inspectors and the
   enterprise's representative sign on the canvases (drawn with the mouse), concludes.
3. From the inspection's 执法文书 page the officer issues 现场检查记录 and 责令限期整改指令书
   and downloads them; python-docx reads back the number, the enterprise and the findings.
4. The enterprise's safety officer signs in on a phone and finds the inspection, the two
   documents (the same bytes: SHA-256 equal to the one the page shows) and the two hazards
   (source 政府检查) in the hazard ledger. An outsider signed in finds neither.

Each phone page has no sideways scroll and every page shows Chinese only (the ASCII-word
check of test_role_walk). Screenshots go to test-artifacts/ and, with ANJIAN_SCREENSHOTS=1,
to docs/screenshots/ as inspection-draw.png, inspection-onsite-phone.png,
inspection-documents.png and enterprise-inspection-phone.png."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from anjian.hazards.models import Hazard
from anjian.inspections import workflow as wf
from anjian.inspections.document_models import EnforcementDocument
from anjian.inspections.models import Finding, Inspection, Signature
from tests.e2e.conftest import artifacts, browser  # noqa: F401  (fixtures)
from tests.e2e.test_browser import DESKTOP, PHONE, sign_in
from tests.e2e.test_role_walk import ADMIN_DATA, READ_PAGE, foreign_words
from tests.inspections.helpers import add_chemicals, add_roster

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SEED = "2026年12月 第1批"
# Words these pages show by design besides test_role_walk's ALLOWED: the hash's name and
# the unit of a document's size (Django's filesizeformat).
PAGE_WORDS = {"SHA", "KB"}


def shot(page, artifacts, name: str) -> None:  # noqa: F811
    # From the top: a full-page shot taken while scrolled paints the sticky header midway.
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / name), full_page=True)
    if os.environ.get("ANJIAN_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def chinese_only(page) -> None:
    found = page.evaluate(READ_PAGE, ADMIN_DATA)
    words = foreign_words([found["title"], found["text"], *found["attrs"]], PAGE_WORDS)
    assert not words, f"{page.url}: {' '.join(words)}"


def fits_phone(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px"


def phone_page(page) -> None:
    fits_phone(page)
    chinese_only(page)


def small_targets(page) -> list[str]:
    """Visible buttons of the page's content lower than a thumb (44 px)."""
    return page.evaluate(
        """[...document.querySelectorAll('#main button, #main .btn')]
           .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
           .map(e => e.textContent.trim())"""
    )


def open_nav(page, group: str | None, link: str) -> None:
    """Follow a navigation link by its text, opening the menu (phone) and the group."""
    toggle = page.locator(".nav-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    nav = page.locator("#site-nav")
    if group:
        nav.locator("summary", has_text=group).click()
        nav.locator("details[open] a", has_text=re.compile(f"^{re.escape(link)}$")).click()
    else:
        nav.get_by_role("link", name=link, exact=True).click()
    page.wait_for_load_state()


def draw_on(page, selector: str, hand: int) -> None:
    """A signature drawn with the mouse; each hand draws its own stroke."""
    canvas = page.locator(selector)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"] + 15 + hand * 10, box["y"] + 25
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 10 + hand * 2):
        page.mouse.move(x + step * (18 + hand * 3), y + ((step + hand) % 3) * (12 + hand * 5))
    page.mouse.up()


def photo(tmp_path) -> str:
    from PIL import Image

    path = tmp_path / "exit.jpg"
    Image.new("RGB", (320, 240), (200, 60, 40)).save(path, format="JPEG")
    return str(path)


def docx_text(content: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def setting(world):
    """The newcomer (the emergency department's officer) and one colleague make the
    department's roster, so every drawn inspection has both; three more chemical plants
    make the register of enterprises."""
    newcomer = world.user("officer_emergency_x")
    newcomer.display_name = "王新"
    newcomer.save()
    add_roster(world, n=1)  # insp1, 检查员1
    add_chemicals(world, n=3)
    safety = world.user("safety_a")
    safety.display_name = "赵安全"
    safety.save()


def issue(page, title: str, fill: dict[str, str]) -> tuple[str, bytes]:
    """Issue one document from the 执法文书 page, download it; its number and bytes."""
    page.locator("#issue-kinds").get_by_role("link", name=title).click()
    page.wait_for_selector("#document-form")
    for selector, value in fill.items():
        page.fill(selector, value)
    for field in page.locator("#document-form input[name^=certificate_]").all():
        if not field.input_value():
            field.fill(f"浙应急执{field.get_attribute('name')[-3:]}号")
    page.get_by_role("button", name="签发").click()
    page.wait_for_selector("#document-number")
    chinese_only(page)
    number = page.inner_text("#document-number").strip()
    with page.expect_download() as info:
        page.click("#document-download")
    content = Path(info.value.path()).read_bytes()
    assert hashlib.sha256(content).hexdigest() == page.inner_text("#document-sha256").strip()
    return number, content


def test_given_a_newcomer_when_drawing_and_inspecting_then_the_enterprise_sees_the_result(
    live_server,
    world,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
    tmp_path,
    settings,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    setting(world)
    base = live_server.url
    chem_a = world.chem_a

    # 1. The draw, from the navigation, on a desktop.
    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = desk.new_page()
    sign_in(page, base, "officer_emergency_x")
    chinese_only(page)
    open_nav(page, "检查执法", "双随机抽查")
    chinese_only(page)
    page.fill("#id_seed", SEED)
    page.fill("#id_sample_size", "2")
    page.fill("#id_inspectors_per_inspection", "2")
    page.fill("#id_planned_on", str(timezone.localdate() + dt.timedelta(days=6)))
    page.get_by_role("button", name="抽取并公开").click()
    page.wait_for_selector("#draw-selections")
    assert page.inner_text("#draw-seed").strip() == SEED
    drawn = sorted(page.locator("#draw-selections tbody td.cell-title").all_inner_texts())
    assert chem_a.name in drawn
    chinese_only(page)
    shot(page, artifacts, "inspection-draw.png")

    # The public page, without sign-in, from the footer: the same seed and enterprises.
    public = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    anon = public.new_page()
    anon.goto(base + reverse("login"))
    anon.get_by_role("link", name="双随机抽查结果公开").click()
    anon.locator("#draws tr", has_text=SEED).get_by_role(
        "link", name=world.emergency_x.name
    ).click()
    anon.wait_for_selector("#draw-selections")
    assert anon.inner_text("#draw-seed").strip() == SEED
    assert sorted(anon.locator("#draw-selections tbody td.cell-title").all_inner_texts()) == drawn
    chinese_only(anon)
    public.close()
    desk.close()

    # 2. On site, on a phone: open the drawn inspection from the list and start it.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2)
    page = phone.new_page()
    sign_in(page, base, "officer_emergency_x")
    phone_page(page)
    open_nav(page, "检查执法", "检查执法")
    phone_page(page)
    page.locator("#inspections").get_by_role("link", name=chem_a.name).click()
    page.wait_for_selector("#inspection-facts")
    phone_page(page)
    inspection = Inspection.objects.get(enterprise=chem_a, draw__seed=SEED)
    assert {u.username for u in inspection.inspectors.all()} == {"officer_emergency_x", "insp1"}
    page.locator("#act-start").get_by_role("button", name="开始").click()
    page.wait_for_selector("#finding-form")
    phone_page(page)

    findings = [("安全出口被货物堵塞", "二号仓库"), ("配电箱未可靠接地", "一号车间")]
    for description, location in findings:
        page.fill("#f-description", description)
        page.fill("#f-location", location)
        page.set_input_files("#f-photos", photo(tmp_path))
        page.get_by_role("button", name="记录问题").click()
        page.wait_for_selector(f"#findings li:has-text('{description}')")
    assert Finding.objects.filter(inspection=inspection).count() == 2
    for finding in Finding.objects.filter(inspection=inspection).select_related("hazard"):
        assert finding.hazard.photos.count() == 1  # the photo went with the hazard
    phone_page(page)

    items = [("安全出口与疏散通道", "problem"), ("电气设备接地", "problem"), ("消防器材", "normal")]
    for n, (text, result) in enumerate(items, start=1):
        row = page.locator(f"#items .insp-item:nth-child({n})")
        row.locator('input[name="item_text"]').fill(text)
        row.locator('select[name="item_result"]').select_option(result)
    page.fill("#c-conclusion", "发现问题2项，当场责令限期整改")
    for hand, u in enumerate(inspection.inspectors.all()):
        draw_on(page, f'canvas[data-target="sig_inspector_{u.pk}"]', hand)
    page.fill("#c-rep", "李四")
    draw_on(page, 'canvas[data-target="sig_representative"]', 2)
    phone_page(page)
    assert small_targets(page) == []
    shot(page, artifacts, "inspection-onsite-phone.png")
    page.get_by_role("button", name="结束检查").click()
    page.wait_for_selector("#inspection-signatures")
    phone_page(page)
    inspection.refresh_from_db()
    assert inspection.state == wf.CONCLUDED
    signatures = Signature.objects.filter(inspection=inspection)
    assert len({s.sha256 for s in signatures}) == 3  # three people, three drawings
    phone.close()

    # 3. The documents, from the inspection's 执法文书 page, on a desktop.
    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    page = desk.new_page()
    sign_in(page, base, "officer_emergency_x")
    open_nav(page, "检查执法", "检查执法")
    page.locator("#inspections").get_by_role("link", name=chem_a.name).click()
    page.get_by_role("link", name="执法文书").click()
    page.wait_for_selector("#issue-kinds")
    chinese_only(page)
    issued = {}
    issued["现场检查记录"] = issue(page, "现场检查记录", {})
    page.get_by_role("link", name="执法文书").click()
    issued["责令限期整改指令书"] = issue(
        page,
        "责令限期整改指令书",
        {
            # Three weeks on: a fixed date would become a past deadline.
            "#id_deadline": str(timezone.localdate() + dt.timedelta(days=21)),
            "#id_requirement": "清理安全出口，配电箱重新接地并检测",
            "#id_basis": "《中华人民共和国安全生产法》第一百零二条",
        },
    )
    for title, (number, content) in issued.items():
        text = docx_text(content)
        assert title in text
        assert number in text
        assert chem_a.name in text
        for description, _location in findings:
            assert description in text, (title, description)
    page.get_by_role("link", name="执法文书").click()
    page.wait_for_selector("#enforcement-documents")
    assert page.locator("#enforcement-documents tbody tr").count() == 2
    chinese_only(page)
    shot(page, artifacts, "inspection-documents.png")
    desk.close()

    # 4. The enterprise's safety officer, on a phone.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", accept_downloads=True)
    page = phone.new_page()
    sign_in(page, base, "safety_a")
    phone_page(page)
    open_nav(page, None, "检查执法")
    phone_page(page)
    page.locator("#inspections").get_by_role("link", name=chem_a.name).click()
    page.wait_for_selector("#inspection-findings")
    for description, _location in findings:
        assert description in page.inner_text("#inspection-findings")
    phone_page(page)
    assert small_targets(page) == []
    shot(page, artifacts, "enterprise-inspection-phone.png")
    page.get_by_role("link", name="执法文书").click()
    page.wait_for_selector("#enforcement-documents")
    phone_page(page)
    assert page.locator("#issue-kinds a").count() == 0  # the enterprise issues nothing
    for title, (number, content) in issued.items():
        page.get_by_role("link", name=title).click()
        page.wait_for_selector("#document-sha256")
        phone_page(page)
        assert small_targets(page) == []
        assert page.inner_text("#document-number").strip() == number
        shown = page.inner_text("#document-sha256").strip()
        with page.expect_download() as info:
            page.click("#document-download")
        got = Path(info.value.path()).read_bytes()
        assert got == content
        assert hashlib.sha256(got).hexdigest() == shown
        page.go_back()
        page.wait_for_selector("#enforcement-documents")
    assert EnforcementDocument.objects.filter(inspection=inspection).count() == 2

    open_nav(page, "隐患", "隐患台账")
    phone_page(page)
    hazards = Hazard.objects.filter(inspection_finding__inspection=inspection)
    assert hazards.count() == 2
    text = page.inner_text("#main")
    for hazard in hazards:
        assert hazard.number in text
        assert hazard.source == "government_inspection"
    page.locator("#ledger-filters summary").click()
    page.select_option("#f-source", label="政府检查")
    page.locator("form.filters").get_by_role("button", name="应用").click()
    page.wait_for_load_state()
    text = page.inner_text("#main")
    for hazard in hazards:
        assert hazard.number in text
    phone_page(page)
    page.screenshot(path=str(artifacts / "enterprise-hazards-phone.png"), full_page=True)
    phone.close()

    # An outsider signed in finds neither the inspection nor its documents.
    other = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = other.new_page()
    sign_in(page, base, "outsider")
    assert chem_a.name not in page.content()
    urls = [reverse("inspections:detail", args=[inspection.pk])] + [
        reverse("enforcement_documents:download", args=[d.pk])
        for d in EnforcementDocument.objects.filter(inspection=inspection)
    ]
    for url in urls:
        response = page.request.get(base + url)
        assert response.status in (403, 404), url
        assert chem_a.name not in response.text()
    other.close()

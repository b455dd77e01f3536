"""The whole accident-to-reports path in one browser walk, as a newcomer would take it
(issue 13, "done when"):

1. on a phone, the enterprise's principal opens the quick report from the menu, sends
   it, and sees the accident with the grade of 493号令 第三条 for the figures entered;
2. the county coordinator (the authority of anjian.accidents.workflow) finds it in the
   list, opens the investigation, records a person held accountable, ticks the four
   boxes of the close-out (四不放过) and closes it;
3. the coordinator opens the month's dispatch forms, the township's office fills and
   signs its form on a phone, and the coordinator downloads the county table (Excel and
   Word), then the quarterly bulletin, the annual assessment and the phase summary; each
   file is opened again (openpyxl, python-docx) and its numbers are compared with a
   recount from the database.

Beside the accident walked through, the database holds accidents that must not count
in county X's current figures: one in county Y, one withdrawn, one a year earlier.
Phone screens are saved in test-artifacts/.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone, translation

from anjian.accidents import grading
from anjian.accidents import workflow as wf
from anjian.accidents.models import CHECKLIST, Accident, State
from anjian.accidents.services import accident_report, accident_withdraw
from anjian.accounts.models import Role, User
from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.dispatch import policy
from anjian.dispatch.models import DispatchForm
from anjian.hazards.models import Hazard
from anjian.registry.models import DutyAssignment
from anjian.reports import assessment, periods
from anjian.reports import indicators as ind
from tests.e2e.conftest import artifacts, browser  # noqa: F401  (fixtures)
from tests.e2e.test_browser import DESKTOP, PHONE, sign_in
from tests.hazards.helpers import report as report_hazard
from tests.world import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What the principal types: 3 deaths make it 较大 (第三条: 3人以上10人以下死亡).
ENTERED = {
    "deaths": 3,
    "serious_injuries": 2,
    "minor_injuries": 1,
    "missing": 0,
    "direct_loss_yuan": Decimal("4500000.00"),
}
# The township office's monthly dispatch figures.
DISPATCH = {
    "meetings": "3",
    "campaigns": "2",
    "campaign_enterprises": "41",
    "investment": "125000.50",
    "trainings": "4",
    "trained_persons": "260",
    "publicity_events": "5",
    "notes": "开展危险化学品专项整治",
}


def actor(world, name: str) -> Actor:
    return Actor.for_user(world.user(name), "web")


@pytest.fixture
def scene(world):
    """Made before the browser starts: the township's safety office, a hazard found
    today at chem_a, and three accidents that must not count in county X's figures."""
    world.users["town_coord_x"] = User.objects.create_user(
        username="town_coord_x",
        password=PASSWORD,
        role=Role.COORDINATOR,
        division=world.town_x,
        display_name="town_coord_x",
    )
    report_hazard(world)
    now = timezone.now()
    common = {"gb6441_type": "19", "course": "作业人员中毒", "deaths": 1}
    # County Y: another county.
    accident_report(
        actor=actor(world, "principal_c"),
        occurred_at=now - dt.timedelta(hours=2),
        learned_at=now - dt.timedelta(hours=2),
        place="西县丙化工 罐区",
        **common,
    )
    # County X, withdrawn: reported by mistake.
    mistake = accident_report(
        actor=actor(world, "safety_a"),
        occurred_at=now - dt.timedelta(hours=3),
        learned_at=now - dt.timedelta(hours=3),
        place="东县甲化工 误报",
        **common,
    )
    accident_withdraw(actor=actor(world, "safety_a"), accident_id=mistake.pk, reason="重复报送")
    # County X, the same day a year earlier: last year's figures only.
    local = timezone.localtime(now)
    year_ago = local.replace(year=local.year - 1, day=min(local.day, 28))
    accident_report(
        actor=actor(world, "safety_a"),
        occurred_at=year_ago,
        learned_at=year_ago,
        place="东县甲化工 旧事故",
        **common,
    )
    return world


# --- the browser ----------------------------------------------------------------------------


def follow_menu(page, href: str) -> None:
    """Click the menu's link to `href` as a user would: open the menu on a phone, open
    the link's group, click."""
    toggle = page.locator(".nav-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    link = page.locator(f'#site-nav a[href="{href}"]').first
    group = page.locator("#site-nav details.nav-group", has=page.locator(f'a[href="{href}"]'))
    if group.count() and not group.first.evaluate("d => d.open"):
        group.first.locator("summary").click()
    with page.expect_navigation():
        link.click()


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"


def screenshot(page, path) -> None:
    """The whole page from its top (a page scrolled to a field shows the sticky header
    midway down a full-page capture)."""
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True)


def download(page, selector: str) -> bytes:
    with page.expect_download() as info:
        page.click(selector)
    return open(info.value.path(), "rb").read()


# --- recounts from the database -------------------------------------------------------------


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def accidents_in(period: periods.Period, *, division=None, department=None) -> dict:
    """Accidents that count (not withdrawn) that occurred in the period, of a division's
    subtree or of the enterprises a department has a duty for, counted here."""
    qs = Accident.objects.exclude(state=wf.WITHDRAWN).filter(
        occurred_at__gte=local_midnight(period.start),
        occurred_at__lt=local_midnight(period.end + dt.timedelta(days=1)),
    )
    if division is not None:
        qs = qs.filter(division_id__in=scoping.subtree_ids(division))
    if department is not None:
        held = DutyAssignment.objects.filter(department=department).values("enterprise_id")
        qs = qs.filter(enterprise_id__in=held)
    out = qs.aggregate(
        accidents=Count("pk"),
        deaths=Sum("deaths"),
        serious=Sum("serious_injuries"),
        minor=Sum("minor_injuries"),
        loss=Sum("direct_loss_yuan"),
        larger=Count("pk", filter=~Q(grade="general")),
    )
    return {k: (v or 0) for k, v in out.items()}


def cells(row) -> list[str]:
    return [c.text.strip() for c in row.cells]


def docx_rows(document) -> list[list[str]]:
    return [cells(row) for table in document.tables for row in table.rows]


# --- the walk -------------------------------------------------------------------------------


def test_given_a_phone_report_when_investigated_and_closed_then_every_report_counts_it(
    scene,
    live_server,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
):
    import docx
    import openpyxl

    world = scene
    base = live_server.url
    today = timezone.localdate()
    quarter, year = periods.quarter_of(today), periods.year_of(today)
    month_key = policy.month_key(today)

    # 1. The principal, on a phone, from the menu.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in(page, base, "principal_a")
    follow_menu(page, reverse("accidents:report"))
    assert page.url == base + reverse("accidents:report")
    no_sideways_scroll(page)
    page.fill("#id_place", "东镇一网格 甲化工2号罐区")
    page.select_option("#id_gb6441_type", "19")
    for name, value in ENTERED.items():
        page.fill(f"#id_{name}", str(value))
    page.fill("#id_course", "2号储罐清罐作业时三名作业人员中毒")
    page.fill("#id_measures", "已停止作业，疏散周边人员")
    screenshot(page, artifacts / "e2e-accident-flow-quick-report-390.png")
    submit(page, "#report-form button[type=submit]")

    accident = Accident.objects.get(reported_by=world.user("principal_a"))
    expected = grading.grade(
        deaths=ENTERED["deaths"],
        serious=ENTERED["serious_injuries"],
        loss_yuan=ENTERED["direct_loss_yuan"],
    )
    assert expected.code == "larger"
    assert page.url == base + reverse("accidents:detail", args=[accident.pk])
    assert accident.grade == expected.code
    assert tuple(accident.decided_by) == expected.decided_by
    assert accident.enterprise_id == world.chem_a.pk and accident.division_id == world.grid_x1.pk
    assert accident.state == wf.REPORTED
    assert f"acc-grade-{expected.code}" in page.get_attribute("#accident-grade", "class")
    with translation.override("zh-hans"):
        grade_label = str(dict(Accident._meta.get_field("grade").choices)[expected.code])
        closed_label = str(State.CLOSED.label)
    assert page.inner_text("#accident-grade").strip() == grade_label
    no_sideways_scroll(page)
    screenshot(page, artifacts / "e2e-accident-flow-reported-390.png")

    # 2. The coordinator finds it, investigates and closes it.
    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    reg = desk.new_page()
    sign_in(reg, base, "coordinator_x")
    follow_menu(reg, reverse("accidents:list"))
    row = reg.locator(f'#accidents tr[data-accident="{accident.pk}"]')
    assert row.count() == 1
    with reg.expect_navigation():
        row.locator("a").first.click()
    assert reg.url == base + reverse("accidents:detail", args=[accident.pk])

    reg.click(f"#act-{wf.INVESTIGATE} summary")
    submit(reg, f"#act-{wf.INVESTIGATE} button[type=submit]")
    assert Accident.objects.get(pk=accident.pk).state == wf.INVESTIGATING

    reg.click(f"#act-{wf.ACCOUNTABLE} summary")
    form = f"#act-{wf.ACCOUNTABLE}"
    reg.fill(f"{form} [name=name]", "张某")
    reg.fill(f"{form} [name=position]", "东县甲化工有限公司生产副总经理")
    reg.fill(f"{form} [name=measure]", "移送司法机关")
    submit(reg, f"{form} button[type=submit]")
    assert reg.locator("#accountable li strong").all_inner_texts() == ["张某"]

    reg.click(f"#act-{wf.CLOSE} summary")
    form = f"#act-{wf.CLOSE}"
    reg.fill(f"{form} [name=causes]", "未执行受限空间作业审批，未检测有毒气体即进入储罐")
    reg.fill(f"{form} [name=lessons]", "受限空间作业必须先通风、再检测、后作业")
    for box in CHECKLIST:
        reg.check(f"{form} input[name={box}]")
    submit(reg, f"{form} button[type=submit]")

    closed = Accident.objects.get(pk=accident.pk)
    assert closed.state == wf.CLOSED
    assert closed.investigation.closed_at is not None
    assert all(getattr(closed.investigation, box) for box in CHECKLIST)
    assert reg.inner_text("#accident-state").strip() == closed_label
    assert reg.locator("[id^=act-]").count() == len(
        [a for a in wf.ACTIONS if wf.step(wf.CLOSED, a)]
    )  # only the concealment flag is left
    assert reg.locator("#checklist li").count() == len(CHECKLIST)
    assert reg.locator("#checklist li", has_text="☐").count() == 0

    # Another county's coordinator and an outsider do not get it.
    for persona in ("coordinator_y", "outsider"):
        other = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        stranger = other.new_page()
        sign_in(stranger, base, persona)
        response = stranger.goto(base + reverse("accidents:detail", args=[accident.pk]))
        assert response.status in (403, 404), persona
        assert closed.place not in stranger.content(), persona
        other.close()

    # The unit sees it closed on the phone.
    page.reload()
    assert page.inner_text("#accident-state").strip() == closed_label
    assert page.locator("#accountable li strong").all_inner_texts() == ["张某"]
    no_sideways_scroll(page)
    screenshot(page, artifacts / "e2e-accident-flow-closed-390.png")
    phone.close()

    # 3a. The monthly dispatch: the coordinator opens the month's forms...
    follow_menu(reg, reverse("dispatch:home"))
    submit(reg, 'form[action$="/open/"] button[type=submit]')
    town_form = DispatchForm.objects.get(division=world.town_x, month=policy.parse_month(month_key))
    # ...the township's office fills and signs its form on a phone...
    town = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    office = town.new_page()
    sign_in(office, base, "town_coord_x")
    follow_menu(office, reverse("dispatch:home"))
    with office.expect_navigation():
        office.click(f'a[href="{reverse("dispatch:form", args=[town_form.pk])}"]')
    for name, value in DISPATCH.items():
        office.fill(f"form.form [name={name}]", value)
    no_sideways_scroll(office)
    screenshot(office, artifacts / "e2e-accident-flow-dispatch-form-390.png")
    submit(office, "form.form button[name=submit]")
    town.close()
    reg.reload()
    # ...and the coordinator opens the county table and downloads it.
    with reg.expect_navigation():
        reg.click(f'a[href^="{reverse("dispatch:table", args=[month_key])}"]')
    table_xlsx = download(reg, f'a[href^="{reverse("dispatch:table-xlsx", args=[month_key])}"]')
    table_docx = download(reg, f'a[href^="{reverse("dispatch:table-docx", args=[month_key])}"]')
    town_form.refresh_from_db()
    assert town_form.state == "submitted"
    for item in policy.ITEMS:
        assert Decimal(str(getattr(town_form, item))) == Decimal(DISPATCH[item]), item
    month_start = policy.parse_month(month_key)
    month_hazards = Hazard.objects.filter(
        enterprise__division_id__in=scoping.subtree_ids(world.town_x),
        reported_at__gte=local_midnight(month_start),
        reported_at__lt=local_midnight(policy.month_end(month_start) + dt.timedelta(days=1)),
    ).count()
    assert month_hazards == 1
    opened = DispatchForm.objects.filter(county=world.county_x, month=month_start)
    submitted = opened.filter(state="submitted")
    sheet = openpyxl.load_workbook(io.BytesIO(table_xlsx)).active
    word_rows = [cells(r) for r in docx.Document(io.BytesIO(table_docx)).tables[0].rows]
    for rows, first in (
        # Excel: respondent, status, submitted at, the items...; Word: no submission time.
        ([list(r) for r in sheet.iter_rows(min_row=3, values_only=True)], 3),
        (word_rows[2:], 2),  # below the two header rows
    ):
        town_row = next(r for r in rows if r[0] == world.town_x.name)
        for i, item in enumerate(policy.ITEMS):
            assert Decimal(str(town_row[first + i])) == getattr(town_form, item), item
        platform = first + len(policy.ITEMS)
        assert str(town_row[platform]) == str(month_hazards)  # hazards found (platform)
        total = rows[-1]
        assert total[1] == f"{submitted.count()}/{opened.count()}"
        for i, item in enumerate(policy.ITEMS):
            recount = sum(Decimal(str(getattr(f, item))) for f in submitted)
            assert Decimal(str(total[first + i])) == recount, item
        assert str(total[platform]) == str(month_hazards)

    # 3b. The quarterly bulletin and the annual assessment.
    profiles = assessment.load_profiles()
    dept = world.emergency_x
    for href, period, kind in (
        (reverse("assessments:bulletin"), quarter, "bulletin"),
        (reverse("assessments:assessment"), year, "annual"),
    ):
        follow_menu(reg, href)
        reg.select_option("#b-county", world.county_x.code)
        reg.select_option("#b-period", period.key)
        submit(reg, "form.filters button[type=submit]")
        document = docx.Document(io.BytesIO(download(reg, "#bulletin-docx")))
        profile = profiles[kind]
        keys = [rule.key for rule in profile.indicators]
        first = 4 if kind == "annual" else 3  # 名次, 单位, 得分, (等次)
        rows = docx_rows(document)
        town = accidents_in(period, division=world.town_x)
        by_dept = accidents_in(period, department=dept)
        county = accidents_in(period, division=world.county_x)
        assert town["accidents"] == by_dept["accidents"] == county["accidents"] == 1
        town_cells = next(r for r in rows if r[1].startswith(world.town_x.name))
        dept_cells = next(r for r in rows if r[1].startswith(dept.name))
        for key, recount in (("accidents", "accidents"), ("deaths", "deaths")):
            if key not in keys:
                continue
            assert town_cells[first + keys.index(key)] == str(town[recount]), (kind, key)
            assert dept_cells[first + keys.index(key)] == str(by_dept[recount]), (kind, key)
        if profile.veto is not None:
            # A 较大 accident: the township's assessment is vetoed.
            assert county["larger"] >= profile.veto.at_least
            assert profile.veto.reason in town_cells[1]
            assert Decimal(town_cells[2]) == 0
        # The county's overall paragraph states the count with the indicator's label.
        with translation.override("zh-hans"):
            figure = ind.compute("accidents", ind.Bounds(world.county_x, period, today))
        text = "\n".join(p.text for p in document.paragraphs)
        assert f"{figure.label}{county['accidents']}{figure.unit}" in text
        if kind == "annual":
            # The dispatch's investment reaches the assessment.
            assert "safety_investment" in keys
            assert town_cells[first + keys.index("safety_investment")] == DISPATCH["investment"]

    # 3c. The phase summary of county X for the quarter.
    follow_menu(reg, reverse("reports:phase-summary"))
    reg.select_option("#id_period", quarter.key)
    reg.select_option("#id_division", str(world.county_x.pk))
    submit(reg, "form.filters button[type=submit]")
    document = docx.Document(
        io.BytesIO(download(reg, f'a[href^="{reverse("reports:phase-summary-docx")}"]'))
    )
    now = accidents_in(quarter, division=world.county_x)
    before = accidents_in(
        periods.Period(quarter.year - 1, quarter.quarter), division=world.county_x
    )
    assert before["accidents"] == 1
    expected_figures = {
        "accidents": (str(now["accidents"]), str(before["accidents"])),
        "deaths": (str(now["deaths"]), str(before["deaths"])),
        "serious_injuries": (str(now["serious"]), str(before["serious"])),
        "minor_injuries": (str(now["minor"]), str(before["minor"])),
        "direct_loss": (f"{now['loss']:.2f}", f"{before['loss']:.2f}"),
        "larger_accidents": (str(now["larger"]), str(before["larger"])),
    }
    assert expected_figures["deaths"][0] == str(ENTERED["deaths"])
    rows = docx_rows(document)
    for key, (value, previous) in expected_figures.items():
        found = [r for r in rows if r[0] == key]
        # Once in 一、主要成效 (key, figure, value, last year, change), once in the appendix
        # (key, figure, value, unit, last year, source).
        assert len(found) == 2, key
        achievement, appendix = found
        assert (achievement[2], achievement[3]) == (value, previous), key
        assert (appendix[2], appendix[4]) == (value, previous), key
    hazards_found = Hazard.objects.filter(
        enterprise__division_id__in=scoping.subtree_ids(world.county_x),
        reported_at__gte=local_midnight(quarter.start),
        reported_at__lt=local_midnight(quarter.end + dt.timedelta(days=1)),
    ).count()
    assert [r[2] for r in rows if r[0] == "hazards_found"] == [str(hazards_found)] * 2
    desk.close()

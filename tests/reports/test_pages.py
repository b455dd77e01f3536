"""The report pages: enterprise's tables (list, prepare, read, sign, download), the
regulators' list of tables due and the figures page with its Excel download."""

import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from anjian.core.audit import Actor
from anjian.reports import services
from anjian.reports.models import HazardStatement
from anjian.reports.periods import Period, last_closed

ANALYSIS = "本季度隐患均已按期整改。"


def client_for(world, persona):
    c = Client()
    c.force_login(world.user(persona))
    return c


def prepared(world, period=None):
    period = period or Period(timezone.localdate().year - 2, 1)
    return services.hazard_statement_prepare(
        actor=Actor.for_user(world.user("safety_a"), "web"),
        enterprise_id=world.chem_a.pk,
        period=period,
        analysis=ANALYSIS,
    )


def test_given_safety_officer_when_prepares_on_the_page_then_draft_shown(world):
    c = client_for(world, "safety_a")
    url = f"/enterprises/{world.chem_a.pk}/hazard-statements/prepare/"
    assert c.get(url).status_code == 200
    key = last_closed(timezone.localdate()).key
    response = c.post(url, {"period": key, "analysis": ANALYSIS, "reason": ""})
    s = HazardStatement.objects.get()
    assert response.status_code == 302 and response.url == f"/reports/statements/{s.pk}/"
    page = c.get(response.url)
    assert page.status_code == 200
    assert ANALYSIS in page.content.decode()
    assert b'name="revision"' not in page.content  # only the principal signs


def test_given_bad_period_on_the_page_then_field_error_nothing_saved(world):
    c = client_for(world, "safety_a")
    url = f"/enterprises/{world.chem_a.pk}/hazard-statements/prepare/"
    response = c.post(url, {"period": "2999Q1", "analysis": ANALYSIS})
    assert response.status_code == 200 and not HazardStatement.objects.exists()


@pytest.mark.parametrize("persona", ["employee_a", "coordinator_x", "grid_x1"])
def test_given_not_a_preparer_when_opens_prepare_then_403(world, persona):
    c = client_for(world, persona)
    assert c.get(f"/enterprises/{world.chem_a.pk}/hazard-statements/prepare/").status_code == 403


@pytest.mark.parametrize("persona", ["principal_c", "coordinator_y"])
def test_given_other_enterprise_when_opens_then_404(world, persona):
    s = prepared(world)
    c = client_for(world, persona)
    assert c.get(f"/enterprises/{world.chem_a.pk}/hazard-statements/").status_code == 404
    assert c.get(f"/reports/statements/{s.pk}/").status_code == 404
    assert c.post(f"/reports/statements/{s.pk}/sign/").status_code == 404


def test_given_outsider_then_nothing(world):
    s = prepared(world)
    c = client_for(world, "outsider")
    for url in (
        f"/enterprises/{world.chem_a.pk}/hazard-statements/",
        f"/reports/statements/{s.pk}/",
        "/reports/figures/",
        "/reports/figures.xlsx",
        "/reports/statements/due/",
    ):
        assert c.get(url).status_code == 403, url


def test_given_principal_when_signs_on_the_page_then_signed_late_and_downloadable(world):
    s = prepared(world)
    c = client_for(world, "principal_a")
    page = c.get(f"/reports/statements/{s.pk}/").content.decode()
    assert 'name="revision" value="1"' in page
    response = c.post(f"/reports/statements/{s.pk}/sign/", {"revision": "1"})
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.is_signed and s.is_late
    page = c.get(f"/reports/statements/{s.pk}/")
    assert "status-late" in page.content.decode()
    doc = c.get(f"/reports/statements/{s.pk}/table.xlsx")
    assert doc.status_code == 200
    wb = load_workbook(
        io.BytesIO(b"".join(doc.streaming_content) if doc.streaming else doc.content)
    )
    assert wb.active["B2"].value == world.chem_a.name


def test_given_safety_officer_when_posts_sign_then_403(world):
    s = prepared(world)
    c = client_for(world, "safety_a")
    assert c.post(f"/reports/statements/{s.pk}/sign/", {"revision": "1"}).status_code == 403
    assert c.get(f"/reports/statements/{s.pk}/table.xlsx").status_code == 404  # not signed


def test_given_stale_revision_when_signed_on_the_page_then_message_not_signed(world):
    s = prepared(world)
    c = client_for(world, "principal_a")
    response = c.post(f"/reports/statements/{s.pk}/sign/", {"revision": "7"}, follow=True)
    assert response.status_code == 200
    s.refresh_from_db()
    assert not s.is_signed


def test_given_regulator_then_due_list_in_scope_with_late_and_missing(world):
    period = Period(timezone.localdate().year - 2, 1)
    s = prepared(world, period)
    services.hazard_statement_sign(
        actor=Actor.for_user(world.user("principal_a"), "web"), statement_id=s.pk
    )
    c = client_for(world, "coordinator_x")
    page = c.get("/reports/statements/due/", {"period": period.key}).content.decode()
    assert world.chem_a.name in page and world.build_b.name in page
    assert world.chem_c.name not in page
    assert "status-late" in page and "status-missing" in page
    only_missing = c.get(
        "/reports/statements/due/", {"period": period.key, "status": "missing"}
    ).content.decode()
    assert world.chem_a.name not in only_missing and world.build_b.name in only_missing
    # The regulator reads the signed table; it is not theirs to sign.
    detail = c.get(f"/reports/statements/{s.pk}/")
    assert detail.status_code == 200 and b'name="revision"' not in detail.content


@pytest.mark.parametrize("group_by", ["division", "industry", "department"])
def test_given_coordinator_x_then_figures_page_and_excel_without_county_y(world, dataset, group_by):
    c = client_for(world, "coordinator_x")
    params = {"period": dataset.period.key, "group_by": group_by}
    page = c.get("/reports/figures/", params)
    assert page.status_code == 200
    html = page.content.decode()
    assert "figures-data" in html and "echarts.min.js" in html
    assert "西县" not in html
    doc = c.get("/reports/figures.xlsx", params)
    ws = load_workbook(io.BytesIO(doc.content)).active
    rows = list(ws.iter_rows(values_only=True))
    total = rows[-1]
    assert total[0] == "合计" and total[1] == 7  # found
    assert all("西县" not in str(r[0]) for r in rows)


def test_given_figures_page_then_drill_into_township(world, dataset):
    c = client_for(world, "coordinator_x")
    html = c.get(
        "/reports/figures/",
        {"period": dataset.period.key, "group_by": "division", "within": world.town_x.pk},
    ).content.decode()
    assert "东镇一网格" in html and "东镇二网格" in html


def test_given_bad_figures_params_then_defaults_not_500(world):
    c = client_for(world, "coordinator_x")
    assert c.get("/reports/figures/", {"period": "xx", "group_by": "zz"}).status_code == 200
    assert c.get("/reports/statements/due/", {"period": "1999"}).status_code == 200


@pytest.mark.parametrize(
    ("persona", "target"),
    [
        ("principal_a", "/enterprises/{a}/hazard-statements/"),
        ("coordinator_x", "/reports/figures/"),
    ],
)
def test_given_reports_home_then_redirect_by_role(world, persona, target):
    response = client_for(world, persona).get("/reports/")
    assert response.status_code == 302 and response.url == target.format(a=world.chem_a.pk)


def test_given_enterprise_list_page_then_owed_periods_shown(world):
    html = (
        client_for(world, "principal_a")
        .get(f"/enterprises/{world.chem_a.pk}/hazard-statements/")
        .content.decode()
    )
    assert last_closed(timezone.localdate()).key in html

"""The reports API: figures, statements (prepare, read, sign) and who has submitted."""

import pytest

from anjian.reports.models import HazardStatement
from anjian.reports.periods import Period
from tests import clock
from tests.api.conftest import ApiClient

ANALYSIS = "本季度隐患均已按期整改。"
OLD = Period(clock.TODAY.year - 2, 1)

pytestmark = pytest.mark.usefixtures("clock_at_ten")


@pytest.fixture
def api(world):
    def for_persona(name):
        return ApiClient(world.token(name))

    return for_persona


def prepare(api, world, who="safety_a", **body):
    body = {"period": OLD.key, "analysis": ANALYSIS, **body}
    return api(who).post(f"/enterprises/{world.chem_a.pk}/hazard-statements", body)


def test_given_coordinator_x_then_figures_by_department(world, dataset, api):
    r = api("coordinator_x").get(
        "/reports/hazard-figures", period=dataset.period.key, group_by="department"
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["total"]["found"] == 7 and body["total"]["on_time_rate"] == "75.0"
    labels = {g["label"]: g for g in body["groups"]}
    assert labels["东县应急管理局"]["on_time_rate"] == "66.7"
    assert body["groups"][-1]["key"] is None  # no lead department
    assert "西县应急管理局" not in labels


@pytest.mark.parametrize("persona", ["principal_a", "outsider"])
def test_given_not_a_regulator_then_figures_and_due_403(world, api, persona):
    assert api(persona).get("/reports/hazard-figures", period="2026Q1").status_code == 403
    assert api(persona).get("/reports/hazard-statements-due", period="2026Q1").status_code == 403


def test_given_outsider_then_no_statements(world, api):
    prepare(api, world)
    r = api("outsider").get("/reports/hazard-statements")
    assert r.status_code == 200 and r.json()["count"] == 0


@pytest.mark.parametrize(
    "params", [{"period": "2026Q9"}, {"period": "2026Q1", "group_by": "x"}, {}]
)
def test_given_bad_figure_params_then_422(world, api, params):
    r = api("coordinator_x").get("/reports/hazard-figures", **params)
    assert r.status_code == 422


def test_given_safety_officer_when_prepares_then_201_and_principal_signs(world, api):
    r = prepare(api, world)
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["period"], body["version"], body["revision"], body["signed_at"]) == (
        OLD.key,
        1,
        1,
        None,
    )
    assert r["Location"].endswith(f"/reports/hazard-statements/{body['id']}")
    sid = body["id"]
    assert api("safety_a").post(f"/reports/hazard-statements/{sid}/sign", {}).status_code == 403
    assert (
        api("coordinator_x").post(f"/reports/hazard-statements/{sid}/sign", {}).status_code == 403
    )
    assert api("principal_c").post(f"/reports/hazard-statements/{sid}/sign", {}).status_code == 404
    assert (
        api("principal_a")
        .post(f"/reports/hazard-statements/{sid}/sign", {"revision": 9})
        .status_code
        == 409
    )
    signed = api("principal_a").post(f"/reports/hazard-statements/{sid}/sign", {"revision": 1})
    assert signed.status_code == 200 and signed.json()["late"] is True
    again = api("principal_a").post(f"/reports/hazard-statements/{sid}/sign", {})
    assert again.status_code == 409
    # A correction needs a reason, then is version 2 pointing at 1.
    assert prepare(api, world).status_code == 422
    v2 = prepare(api, world, reason="漏报")
    assert v2.status_code == 201 and v2.json()["corrects"] == sid


@pytest.mark.parametrize(
    ("persona", "status"),
    [("coordinator_x", 403), ("employee_a", 403), ("principal_c", 404), ("coordinator_y", 404)],
)
def test_given_not_a_preparer_then_refused(world, api, persona, status):
    assert prepare(api, world, who=persona).status_code == status
    assert not HazardStatement.objects.exists()


def test_given_bad_period_when_prepared_then_422_on_period(world, api):
    r = prepare(api, world, period="later")
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "period"


def test_given_statements_then_list_scoped(world, api):
    sid = prepare(api, world).json()["id"]
    assert api("coordinator_x").get("/reports/hazard-statements").json()["count"] == 1
    assert api("coordinator_y").get("/reports/hazard-statements").json()["count"] == 0
    assert api("coordinator_y").get(f"/reports/hazard-statements/{sid}").status_code == 404
    assert api("officer_emergency_x").get(f"/reports/hazard-statements/{sid}").status_code == 200
    assert api("officer_housing_x").get(f"/reports/hazard-statements/{sid}").status_code == 404
    filtered = api("coordinator_x").get("/reports/hazard-statements", period=OLD.key, signed="true")
    assert filtered.json()["count"] == 0


def test_given_due_list_then_missing_and_late(world, api):
    sid = prepare(api, world).json()["id"]
    api("principal_a").post(f"/reports/hazard-statements/{sid}/sign", {})
    r = api("coordinator_x").get("/reports/hazard-statements-due", period=OLD.key)
    assert r.status_code == 200
    body = r.json()
    assert body["summary"] == {"total": 3, "submitted": 0, "late": 1, "missing": 2, "pending": 0}
    statuses = {i["enterprise"]["name"]: i["status"] for i in body["items"]}
    assert statuses[world.chem_a.name] == "late" and statuses[world.build_b.name] == "missing"
    assert body["due_on"] == OLD.due.isoformat()
    missing = api("coordinator_x").get(
        "/reports/hazard-statements-due", period=OLD.key, status="missing"
    )
    assert missing.json()["count"] == 2
    assert (
        api("principal_a").get("/reports/hazard-statements-due", period=OLD.key).status_code == 403
    )


def test_given_openapi_then_reports_routes_documented(world, api):
    doc = api("coordinator_x").client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/reports/hazard-figures",
        "/api/v1/reports/hazard-statements",
        "/api/v1/reports/hazard-statements-due",
        "/api/v1/enterprises/{enterprise_id}/hazard-statements",
    ):
        assert path in doc["paths"], path

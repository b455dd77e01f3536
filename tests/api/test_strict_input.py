"""Input the JSON parser lets through is refused at the API boundary as 422 by field, on
every database: lone surrogates anywhere in a body, numbers where text is meant, non-ASCII
digits where numbers are meant, deadlines beyond the policy's horizon.

Run on SQLite and on PostgreSQL (DATABASE_URL=postgres://… pytest tests/api): a lone
surrogate used to reach the database driver, which cannot encode it on either.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from anjian.core.models import AuditEntry
from anjian.hazards.models import DeadlineExtension, Hazard
from anjian.registry.models import Enterprise
from anjian.risks.models import RiskEvent
from tests.api.conftest import fields
from tests.api.test_risks_api import risks  # noqa: F401 (a fixture)
from tests.hazards.helpers import bring, five_fixes, report_data

# A JSON text with the escape, as a client would send it (json.dumps would write the
# same escape for a str holding the surrogate).
LONE = "\\ud800"


def _writes() -> tuple[int, int, int]:
    return Hazard.objects.count(), AuditEntry.objects.count(), RiskEvent.objects.count()


# --- lone surrogates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"enterprise_id": %(e)d, "description": "罐区泄漏' + LONE + '"}', "description"),
        ('{"enterprise_id": %(e)d, "description": "x", "name": "' + LONE + '"}', "name"),
        ('{"enterprise_id": %(e)d, "description": "x", "' + LONE + '": 1}', "__all__"),
        ('{"enterprise_id": %(e)d, "note": {"deep": ["ok", "' + LONE + '"]}}', "note.deep.1"),
        ('{"enterprise_id": %(e)d, "description": "\\udfff"}', "description"),
    ],
)
def test_given_a_lone_surrogate_in_a_hazard_report_then_422_names_the_field(world, api, raw, field):
    before = _writes()
    response = api("safety_a").post("/hazards", raw=raw % {"e": world.chem_a.pk})
    assert response.status_code == 422, response.content
    assert set(fields(response)) == {field}
    assert _writes() == before


def test_given_a_surrogate_pair_then_it_is_one_character_and_accepted(world, api):
    # json.dumps escapes an emoji as the pair "\ud83d\ude00": valid, JSON joins it.
    body = report_data(enterprise_id=world.chem_a.pk, description="罐区漏气 \U0001f600")
    raw = json.dumps(body)
    assert "\\ud83d\\ude00" in raw
    response = api("safety_a").post("/hazards", raw=raw)
    assert response.status_code == 201, response.content
    assert Hazard.objects.get().description.endswith("\U0001f600")


def test_given_a_lone_surrogate_in_an_event_name_then_422(world, api, risks):  # noqa: F811
    before = _writes()
    response = api("safety_a").post(
        f"/risk-units/{risks.unit_a.pk}/events", raw='{"name": "火灾' + LONE + '"}'
    )
    assert response.status_code == 422, response.content
    assert set(fields(response)) == {"name"}
    assert _writes() == before


def test_given_a_lone_surrogate_in_an_enterprise_patch_then_422_and_unchanged(world, api):
    response = api("coordinator_x").patch(
        f"/enterprises/{world.build_b.pk}", raw='{"principal": "' + LONE + '"}'
    )
    assert response.status_code == 422, response.content
    assert set(fields(response)) == {"principal"}
    world.build_b.refresh_from_db()
    assert world.build_b.version == 1


def test_given_a_lone_surrogate_in_a_nested_calculator_field_then_the_path_is_named(world, api):
    response = api("coordinator_x").post(
        "/calc/major-hazard", raw='{"substances": [{"substance": "氨' + LONE + '", "quantity": 1}]}'
    )
    assert response.status_code == 422, response.content
    assert set(fields(response)) == {"substances.0.substance"}


def test_given_a_lone_surrogate_in_a_multipart_json_field_then_422(world, api):
    client = api("safety_a")
    data = '{"description": "' + LONE + '"}'
    response = client.client.post(
        "/api/v1/hazards/multipart",
        {"enterprise_id": str(world.chem_a.pk), "data": data},
        headers=client.headers,
    )
    assert response.status_code == 422, response.content
    assert set(fields(response)) == {"data.description"}
    assert Hazard.objects.count() == 0


@pytest.mark.parametrize("query", ["q=%ED%A0%80", "q=%ED%B0%80x", "q=\\ud800"])
def test_given_a_surrogate_in_the_query_string_then_never_500(world, api, query):
    # Django decodes the query string as UTF-8 with replacement, so an encoded surrogate
    # arrives as U+FFFD; the parser would refuse a real one (422). Either way, no 500.
    client = api("coordinator_x")
    for path in ("/enterprises", "/hazards", "/hazard-ledger/export.xlsx"):
        response = client.client.get(f"/api/v1{path}?{query}", headers=client.headers)
        assert response.status_code in (200, 422), (path, response.status_code)


def test_given_the_parser_when_a_querydict_holds_a_surrogate_then_422():
    from django.http import QueryDict

    from anjian.api.api import StrictJSONParser
    from anjian.core.errors import ValidationFailed

    data = QueryDict(mutable=True)
    data["q"] = "a\ud800"
    with pytest.raises(ValidationFailed) as caught:
        StrictJSONParser().parse_querydict(data, [], None)
    assert set(caught.value.errors) == {"q"}


# --- strict types ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": 0}, "name"),
        ({"name": 1.5}, "name"),
        ({"name": True}, "name"),
        ({"name": {"zh": "火灾"}}, "name"),
    ],
)
def test_given_a_non_string_event_name_then_422_not_stored_as_text(
    world,
    api,
    risks,  # noqa: F811
    body,
    field,
):
    before = _writes()
    response = api("safety_a").post(f"/risk-units/{risks.unit_a.pk}/events", body)
    assert response.status_code == 422, response.content
    assert set(fields(response)) == {field}
    assert _writes() == before
    assert not RiskEvent.objects.filter(name="0").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": 0}, "name"),
        ({"address": 12}, "address"),
        ({"employees": "１２"}, "employees"),  # full-width
        ({"employees": "١٢"}, "employees"),  # Arabic-Indic
        ({"longitude": "１２０.１"}, "longitude"),
    ],
)
def test_given_a_mistyped_enterprise_field_then_422_and_unchanged(world, api, body, field):
    response = api("coordinator_x").patch(f"/enterprises/{world.build_b.pk}", body)
    assert response.status_code == 422, response.content
    assert set(fields(response)) == {field}
    world.build_b.refresh_from_db()
    assert world.build_b.version == 1
    assert Enterprise.objects.filter(name="0").count() == 0


def test_given_numbers_as_json_numbers_or_ascii_text_then_still_accepted(world, api):
    client = api("coordinator_x")
    response = client.patch(f"/enterprises/{world.build_b.pk}", {"employees": 12})
    assert response.status_code == 200, response.content
    response = client.patch(f"/enterprises/{world.build_b.pk}", {"employees": "13"})
    assert response.status_code == 200, response.content
    assert response.json()["employees"] == 13


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"l": "１０", "e": "6", "c": "7"}, "l"),
        ({"l": "10", "e": "６", "c": "7"}, "e"),
        ({"l": "10", "e": "6", "c": "٧"}, "c"),
    ],
)
def test_given_full_width_digits_in_the_lec_calculator_then_422(world, api, params, field):
    response = api("coordinator_x").get("/calc/lec", **params)
    assert response.status_code == 422, response.content
    assert set(fields(response)) == {field}


def test_given_ascii_lec_factors_then_the_score(world, api):
    response = api("coordinator_x").get("/calc/lec", l="10", e="6", c="7")
    assert response.status_code == 200
    assert response.json()["score"] == "420"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"method": "lec", "L": "１０", "E": 6, "C": 7}, "L"),
        ({"method": "ls", "L": 2, "S": "３"}, "S"),
    ],
)
def test_given_full_width_digits_in_an_assessment_then_422(
    world,
    api,
    risks,  # noqa: F811
    body,
    field,
):
    response = api("safety_a").post(f"/risk-units/{risks.unit_a.pk}/assessments", body)
    assert response.status_code == 422, response.content
    assert set(fields(response)) == {field}


def test_given_full_width_funds_in_a_step_then_422_on_the_nested_field(world, api):
    hazard = bring(world, "general_reported")
    data = five_fixes(funds="１２")
    response = api("safety_a").post(
        f"/hazards/{hazard.pk}/actions/set_five_fixes",
        {"data": data, "expected_version": hazard.version},
    )
    assert response.status_code == 422, response.content
    assert "data.funds" in fields(response)


# --- dates bounded by policy ----------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "3000-01-01"])
def test_given_an_extension_to_a_far_year_then_422_on_new_deadline(world, api, day):
    hazard = bring(world, "general_rectifying")
    response = api("safety_a").post(
        f"/hazards/{hazard.pk}/extensions", {"new_deadline": day, "reason": "资金未到位"}
    )
    assert response.status_code == 422, response.content
    assert "new_deadline" in fields(response)
    assert DeadlineExtension.objects.count() == 0


def test_given_a_full_width_extension_date_then_422(world, api):
    hazard = bring(world, "general_rectifying")
    day = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    full_width = day.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = api("safety_a").post(
        f"/hazards/{hazard.pk}/extensions", {"new_deadline": full_width, "reason": "资金未到位"}
    )
    assert response.status_code == 422, response.content
    assert set(fields(response)) == {"new_deadline"}


def test_given_a_plan_with_a_deadline_in_9999_then_422_on_deadline(world, api):
    hazard = bring(world, "general_reported")
    body = {"data": five_fixes(deadline="9999-12-31"), "expected_version": hazard.version}
    response = api("safety_a").post(f"/hazards/{hazard.pk}/actions/set_five_fixes", body)
    assert response.status_code == 422, response.content
    assert set(fields(response)) == {"deadline"}
    hazard.refresh_from_db()
    assert hazard.deadline is None

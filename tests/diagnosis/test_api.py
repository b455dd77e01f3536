"""GET/POST /api/v1/enterprises/{id}/diagnoses: scope, 201 with the result, 422 with one
message per field, 403 for readers, 404 out of scope; the guide endpoint."""

from __future__ import annotations

import pytest

from anjian.diagnosis.models import Diagnosis
from tests.api.conftest import fields
from tests.diagnosis.conftest import deductions_for, today


def body(score="72.5", **extra):
    data = {"diagnosed_on": today().isoformat(), "deductions": deductions_for(score)}
    data.update(extra)
    return data


def test_given_an_expert_when_posting_then_201_with_score_class_and_location(world, api):
    client = api("expert_x")
    response = client.post(
        f"/enterprises/{world.chem_a.pk}/diagnoses",
        body("89.99", direct_red=["special_workers"], notes="复核"),
    )
    assert response.status_code == 201, response.content
    out = response.json()
    assert (out["score"], out["score_colour"], out["colour"], out["class_zh"]) == (
        "89.99",
        "yellow",
        "red",
        "红",
    )
    assert out["direct_red"][0]["code"] == "special_workers"
    assert out["counts_for_supervision"] is True and out["self_assessment"] is False
    major = next(d for d in out["deductions"] if d["item"] == "major_hazard")
    assert (major["name"], major["max"], major["counted"]) == ("重大危险源", "10", "10")
    assert response["Location"] == f"/api/v1/diagnoses/{out['id']}"
    listing = client.get(f"/enterprises/{world.chem_a.pk}/diagnoses").json()
    assert listing["count"] == 1 and listing["current"]["id"] == out["id"]
    assert client.get(f"/diagnoses/{out['id']}").json()["score"] == "89.99"


def test_given_bad_fields_when_posting_then_422_with_a_message_per_field(world, api):
    response = api("expert_x").post(
        f"/enterprises/{world.chem_a.pk}/diagnoses",
        {
            "diagnosed_on": "yesterday",
            "deductions": {"major_hazard": 11, "equipment": -1, "personnel": "x", "zzz": 1},
            "direct_red": ["nope"],
            "colour": "blue",
        },
    )
    assert response.status_code == 422
    errors = fields(response)
    assert set(errors) == {
        "diagnosed_on",
        "deductions.major_hazard",
        "deductions.equipment",
        "deductions.personnel",
        "deductions.zzz",
        "direct_red",
        "colour",
    }
    assert errors["deductions.major_hazard"] == ["本项最多扣 10 分。"]
    assert errors["colour"] == ["未知字段。"]
    assert not Diagnosis.objects.exists()


def test_given_english_when_posting_a_bad_deduction_then_english_message(world, api):
    response = api("expert_x", language="en").post(
        f"/enterprises/{world.chem_a.pk}/diagnoses", body(deductions={"major_hazard": "11"})
    )
    assert fields(response)["deductions.major_hazard"] == [
        "At most 10 points can be deducted for this item."
    ]


def test_given_only_an_unknown_field_wrong_when_posting_then_422_and_nothing_kept(world, api):
    response = api("expert_x").post(f"/enterprises/{world.chem_a.pk}/diagnoses", body(extra=1))
    assert response.status_code == 422 and set(fields(response)) == {"extra"}
    assert not Diagnosis.objects.exists()


@pytest.mark.parametrize("payload", [[], "x", {"deductions": [1, 2]}, {"direct_red": "nope"}])
def test_given_a_body_of_the_wrong_shape_when_posting_then_422_not_500(world, api, payload):
    response = api("expert_x").post(f"/enterprises/{world.chem_a.pk}/diagnoses", payload)
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("persona", "status"),
    [("employee_a", 403), ("coordinator_y", 404), ("principal_c", 404), ("outsider", 404)],
)
def test_given_someone_who_may_not_record_when_posting_then_refused(world, api, persona, status):
    response = api(persona).post(f"/enterprises/{world.chem_a.pk}/diagnoses", body())
    assert response.status_code == status
    assert not Diagnosis.objects.exists()


def test_given_other_counties_when_reading_then_404_like_an_unknown_id(world, api):
    created = api("expert_x").post(f"/enterprises/{world.chem_a.pk}/diagnoses", body()).json()
    other = api("coordinator_y")
    assert other.get(f"/enterprises/{world.chem_a.pk}/diagnoses").status_code == 404
    assert other.get(f"/diagnoses/{created['id']}").status_code == 404
    assert other.get("/diagnoses/999999").status_code == 404


def test_given_the_guide_endpoint_then_items_bands_and_what_is_missing(world, api):
    guide = api("employee_a").get("/diagnosis-guide").json()
    assert guide["total"] == "100" and guide["official_text_found"] is False
    assert guide["bands"][1] == {"colour": "orange", "class_zh": "橙", "from": "60", "below": "75"}
    assert len(guide["direct_red"]) == 4 and guide["missing"]
    assert sum(float(i["max_deduction"]) for i in guide["items"] if i["scored"]) == 100

"""What a new user reads on the hazard pages: choice errors name the choices by their
labels (never the codes), each concept has its own words, the history names people, and
the phone report form starts with the photo and the description."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from anjian.hazards.models import Category, HazardType, Source
from tests.world import PASSWORD

CODES = [*HazardType.values, *Category.values, *Source.values]


def login(client, name):
    assert client.login(username=name, password=PASSWORD)
    return client


def _codes_in(text: str) -> set[str]:
    return {code for code in CODES if re.search(rf"\b{re.escape(code)}\b", text)}


@pytest.mark.parametrize("value", ["", "bogus"])
def test_given_empty_or_unknown_choices_when_reporting_then_errors_name_labels_not_codes(
    client, world, value
):
    login(client, "employee_a")
    response = client.post(
        reverse("hazards:report", args=[world.chem_a.pk]),
        {
            "description": "配电箱门损坏",
            "location": "2号车间",
            "hazard_type": value,
            "category": value,
            "source": value,
            "handling": "deadline",
        },
    )
    assert response.status_code in (200, 422)
    errors = response.context["form"].errors
    assert {"hazard_type", "category", "source"} <= set(errors)
    shown = " ".join(str(e) for name in ("hazard_type", "category", "source") for e in errors[name])
    assert not _codes_in(shown), shown
    if value == "":
        # The service's message lists the labels, in the page's language.
        assert str(HazardType.ELECTRICAL.label) in shown
        assert str(Source.SELF_CHECK.label) in shown


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_given_closed_hazard_when_detail_then_history_names_people_with_roles_not_logins(
    client, world
):
    from anjian.accounts.models import User

    from .helpers import bring

    User.objects.filter(username="safety_a").update(display_name="王安全")
    User.objects.filter(username="principal_a").update(display_name="李厂长")
    hazard = bring(world, "general_closed")
    login(client, "employee_a")
    html = client.get(reverse("hazards:detail", args=[hazard.pk])).content.decode()
    history = _section(html, "history-h")
    safety = User.objects.get(username="safety_a")
    principal = User.objects.get(username="principal_a")
    assert f"王安全（{safety.get_role_display()}）" in history
    assert f"李厂长（{principal.get_role_display()}）" in history
    assert "safety_a" not in history and "principal_a" not in history
    assert "李厂长" in _section(html, "accept-h")


def test_given_five_fixes_and_acceptance_then_own_words_not_shared_with_other_concepts(
    client, world, settings
):
    """整改措施 is not the supervision's 监管措施, and whoever accepted is not an assessor:
    each has its own message id."""
    from anjian.hazards.forms import FiveFixesForm

    from .helpers import bring

    hazard = bring(world, "general_closed")
    login(client, "safety_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("hazards:detail", args=[hazard.pk])).content.decode()
    assert "<dt>rectification measures</dt>" in _section(html, "fixes-h")
    assert "<dt>accepted by</dt>" in _section(html, "accept-h")
    assert "<dt>by</dt>" not in html and "<dt>measures</dt>" not in html
    with translation.override("en"):
        assert str(FiveFixesForm().fields["measures"].label) == "rectification measures"


def test_given_employee_on_phone_when_opening_report_then_photo_and_description_first_rest_folded(
    client, world
):
    login(client, "employee_a")
    html = client.get(reverse("hazards:report", args=[world.chem_a.pk])).content.decode()
    photos, description = html.index('name="photos"'), html.index('name="description"')
    more = html.index('id="report-more"')
    assert photos < description < more
    folded = html[more : html.index("</details>", more)]
    for name in ("major_item", "check_kind", "cause", "note", "source", "handling"):
        assert f'name="{name}"' in folded, name
    assert 'id="report-more" open' not in html  # folded until needed
    assert html.count("<select") - folded.count("<select") == 2  # type and category only


def test_given_only_the_first_screen_filled_when_reporting_then_hazard_entered(client, world):
    from anjian.hazards.models import Hazard

    from .helpers import photo

    login(client, "employee_a")
    response = client.post(
        reverse("hazards:report", args=[world.chem_a.pk]),
        {
            "photos": [photo(name="before.png")],
            "description": "消防通道堆放杂物",
            "location": "仓库北门",
            "hazard_type": "fire",
            "category": "management",
            # What the folded fields send untouched: their preselected values.
            "source": "self_check",
            "handling": "deadline",
        },
    )
    assert response.status_code == 302
    assert Hazard.objects.get().photos.count() == 1


def test_given_a_folded_field_in_error_when_reporting_then_the_fold_opens(client, world):
    login(client, "employee_a")
    response = client.post(
        reverse("hazards:report", args=[world.chem_a.pk]),
        {"description": "消防通道堆放杂物", "location": "仓库北门", "hazard_type": "fire"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "source" in response.context["form"].errors
    assert 'id="report-more" open' in html

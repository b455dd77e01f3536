"""The report form's similar-hazards lookup sends the description in a POST body (a
description of thousands of characters in a URL meets HTTP 414), with the CSRF token;
it stays read-only and scoped."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from anjian.hazards.models import Hazard

from .helpers import report

# More than 5,000 characters, the match at its beginning.
LONG = "1号储罐区呼吸阀堵塞，" + "现场检查发现阀体锈蚀严重、阻火器缺失。" * 270


def csrf_client(world, persona: str) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user(persona))
    html = client.get(reverse("hazards:report", args=[world.chem_a.pk])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return client, token


def test_given_a_5000_character_description_when_posted_then_the_lookup_answers(world):
    first = report(world, "safety_a", description="1号储罐区呼吸阀堵塞")
    assert len(LONG) > 5000
    client, token = csrf_client(world, "safety_a")
    before = Hazard.objects.count()
    response = client.post(
        reverse("hazards:similar", args=[world.chem_a.pk]),
        {"description": LONG, "hazard_type": "equipment"},
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200
    assert first.number in response.content.decode()
    assert Hazard.objects.count() == before  # read-only


def test_given_no_csrf_token_when_posted_then_refused(world):
    report(world, "safety_a")
    client, _token = csrf_client(world, "safety_a")
    response = client.post(
        reverse("hazards:similar", args=[world.chem_a.pk]), {"description": "呼吸阀堵塞"}
    )
    assert response.status_code == 403


def test_given_another_enterprise_when_posted_then_404(world):
    report(world, "safety_a")
    client = Client()
    client.force_login(world.user("principal_c"))
    response = client.post(
        reverse("hazards:similar", args=[world.chem_a.pk]), {"description": "呼吸阀堵塞"}
    )
    assert response.status_code == 404


def test_the_report_form_script_posts_the_description_in_the_body():
    from pathlib import Path

    from django.conf import settings

    script = (Path(settings.BASE_DIR) / "static" / "hazards" / "hazards.js").read_text()
    lookup = script[: script.index("Long submissions")]
    assert 'method: "POST"' in lookup and "X-CSRFToken" in lookup
    assert '"?" + query' not in lookup

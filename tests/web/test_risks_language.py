"""What a new user reads on the risk pages: the safety-code history says why each code was
computed in words and is paged, and profiles and policies are named by their labels."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from anjian.risks import services
from anjian.risks.models import SafetyCode
from anjian.risks.templatetags.risks_ui import profile_label, trigger_word
from anjian.risks.views import CODE_HISTORY_PAGE

from .test_risks_pages import risky, visible_text  # noqa: F401  (the fixture)

RAW = ("hazard_report", "hazard_accept", "demo", "lec-5class-db", "seed-default", "anjian-default")


def _raw_codes(text: str) -> list[str]:
    return [code for code in RAW if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)]


@pytest.mark.usefixtures("risky")
def test_given_codes_from_hazard_steps_and_demo_when_risk_page_then_words_and_paged_history(
    world, client_for
):
    enterprise = world.chem_a
    current = services.safety_code_recompute(enterprise_id=enterprise.pk, trigger="hazard_report")
    policy = SafetyCode.objects.filter(enterprise=enterprise).first().policy
    now = timezone.now()
    triggers = ["hazard_report", "hazard_accept", "demo", "demo_hazards", "assessment"] * 3
    for n, trigger in enumerate(triggers, start=1):
        SafetyCode.objects.create(
            enterprise=enterprise,
            colour="blue",
            score="0",
            terms=[],
            policy=policy,
            trigger=trigger,
            computed_at=now - dt.timedelta(hours=n),
        )
    earlier = SafetyCode.objects.filter(enterprise=enterprise).count() - 1
    assert current is not None and earlier > CODE_HISTORY_PAGE

    client = client_for("safety_a")
    url = reverse("risks:enterprise", args=[enterprise.pk])
    page = client.get(url)
    assert page.status_code == 200
    text = visible_text(page.content.decode())
    assert _raw_codes(text) == [], _raw_codes(text)
    assert len(page.context["history"]) == CODE_HISTORY_PAGE
    assert "?history=2" in page.content.decode()

    last = (earlier - 1) // CODE_HISTORY_PAGE + 1
    rest = client.get(url, {"history": last})
    assert len(rest.context["history"]) == earlier - CODE_HISTORY_PAGE * (last - 1)
    assert _raw_codes(visible_text(rest.content.decode())) == []


def test_given_every_trigger_and_profile_name_then_a_label_not_the_code():
    for trigger in ("hazard_report", "hazard_accept", "hazard_import", "demo", "manual"):
        assert trigger_word(trigger) != trigger
    for name in ("lec-5class-db", "seed-default", "anjian-default", "gb18218-2018"):
        assert profile_label(name) and profile_label(name) != name
    assert profile_label("anjian-default v2026-1").endswith("2026-1")
    assert "anjian-default" not in profile_label("anjian-default v2026-1")

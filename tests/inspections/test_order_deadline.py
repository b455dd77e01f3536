"""A 责令限期整改指令书 binds the hazards it names: an open finding hazard is held to the
order's deadline (a later or missing deadline of its own becomes the order's, an earlier
one stays), its five fixes may not set a later one, an approved extension moves the
order's date too, a closed hazard is left alone, and each change is an event naming the
order."""

from __future__ import annotations

import datetime as dt

import pytest

from anjian.core.errors import ValidationFailed
from anjian.core.models import AuditEntry
from anjian.hazards import extensions
from anjian.hazards import services as hazard_services
from anjian.hazards import workflow as hwf
from anjian.hazards.models import Hazard
from anjian.inspections import documents as pure
from tests.hazards.helpers import five_fixes
from tests.inspections.helpers import actor
from tests.inspections.test_document_store import concluded, county, issue  # noqa: F401

pytestmark = pytest.mark.django_db


def _hazards(inspection) -> list[Hazard]:
    return list(Hazard.objects.filter(inspection_finding__inspection=inspection).order_by("pk"))


def test_given_an_order_then_each_open_finding_hazard_is_held_to_its_deadline(county):  # noqa: F811
    inspection = concluded(county, findings=2)
    first, second = _hazards(inspection)
    today = dt.date.today()
    # One hazard already has an earlier deadline of its own: it keeps it.
    Hazard.objects.filter(pk=second.pk).update(deadline=today + dt.timedelta(days=3))
    deadline = today + dt.timedelta(days=15)
    order = issue(county, inspection, pure.RECTIFICATION_ORDER, deadline=deadline.isoformat())
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.deadline, first.ordered_deadline, first.ordered_by_document) == (
        deadline,
        deadline,
        order.number,
    )
    assert (second.deadline, second.ordered_deadline) == (today + dt.timedelta(days=3), deadline)
    event = first.events.get(action="order_deadline")
    assert event.data["document"] == order.number and order.number in event.note
    assert AuditEntry.objects.filter(action="order_deadline", object_id=str(first.pk)).exists()


def test_given_an_ordered_hazard_when_the_enterprise_sets_a_later_deadline_then_refused(county):  # noqa: F811
    inspection = concluded(county)
    (hazard,) = _hazards(inspection)
    deadline = dt.date.today() + dt.timedelta(days=5)
    order = issue(county, inspection, pure.RECTIFICATION_ORDER, deadline=deadline.isoformat())
    principal = actor(county.user("principal_a"))
    hazard.refresh_from_db()
    if hazard.state == hwf.REPORTED:
        with pytest.raises(ValidationFailed) as exc:
            hazard_services.hazard_act(
                actor=principal,
                hazard_id=hazard.pk,
                action=hwf.SET_FIVE_FIXES,
                data=five_fixes(deadline=(deadline + dt.timedelta(days=1)).isoformat()),
            )
        assert order.number in " ".join(exc.value.errors["deadline"])
        done = hazard_services.hazard_act(
            actor=principal,
            hazard_id=hazard.pk,
            action=hwf.SET_FIVE_FIXES,
            data=five_fixes(deadline=deadline.isoformat()),
        )
        assert done.deadline == deadline
        # The inspecting department extends its own order: the ordered date moves too.
        new = deadline + dt.timedelta(days=20)
        ext = extensions.deadline_extension_request(
            actor=principal,
            hazard_id=hazard.pk,
            new_deadline=new.isoformat(),
            reason="设备到货延迟",
        )
        extensions.deadline_extension_decide(
            actor=actor(county.user("insp1")), extension_id=ext.pk, approve=True, note="同意"
        )
        hazard.refresh_from_db()
        assert (hazard.deadline, hazard.ordered_deadline) == (new, new)
    else:  # pragma: no cover - the finding hazard starts reported
        pytest.fail(f"unexpected state {hazard.state}")


def test_given_a_closed_hazard_then_the_order_leaves_it_alone(county):  # noqa: F811
    inspection = concluded(county, findings=2)
    first, second = _hazards(inspection)
    Hazard.objects.filter(pk=second.pk).update(state=hwf.CLOSED)
    deadline = dt.date.today() + dt.timedelta(days=9)
    changed = hazard_services.hazard_order_deadline(
        actor=actor(county.user("insp1")),
        hazard_ids=[first.pk, second.pk],
        deadline=deadline,
        document_number="测试责改〔2026〕1号",
    )
    assert [h.pk for h in changed] == [first.pk]
    second.refresh_from_db()
    assert second.ordered_deadline is None and not second.events.filter(action="order_deadline")

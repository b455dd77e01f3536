from anjian.public import report_services as services
from anjian.public.models import Report

from .report_helpers import actor, submit_named


def test_given_a_report_when_it_goes_through_then_state_moves(world):
    report, secret = submit_named(world)
    assert report.enterprise_id == world.chem_a.pk
    assert services.report_track(code=report.tracking_code, secret=secret).pk == report.pk
    services.report_triage(
        actor=actor(world, "coordinator_x"), report_id=report.pk, department_id=world.emergency_x.pk
    )
    assert Report.objects.get(pk=report.pk).state == "triaged"

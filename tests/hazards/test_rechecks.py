"""Re-checks (回头看): the monthly sample, unannounced visibility, recording a result once,
a relapse reporting a linked hazard."""

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from anjian.core.audit import Actor, audit_verify
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.hazards import recheck_jobs, rechecks
from anjian.hazards.models import Hazard, HazardEvent, HazardPhoto, Recheck, RecheckRun
from tests import clock
from tests.world import build_world

from .helpers import actor, bring, photo

LATER = clock.TODAY + dt.timedelta(days=60)
pytestmark = pytest.mark.usefixtures("clock_at_ten")
# closed today → in the window then


def run(today=LATER, seed=7):
    return recheck_jobs.recheck_sample_run(today=today, seed=seed)


@pytest.fixture
def closed(world):
    """chem_a: one closed major, one closed general; chem_c (county Y): one closed general."""
    major = bring(world, "major_closed")
    general = bring(world, "general_closed")
    return major, general


@pytest.fixture
def pending(world, closed):
    run()
    return Recheck.objects.get(hazard=closed[0])


def record(world, who, recheck, result="still_fixed", findings="复查整改到位", photos=()):
    return rechecks.recheck_record(
        actor=actor(world, who),
        recheck_id=recheck.pk,
        result=result,
        findings=findings,
        photos=photos,
    )


# --- the sample -------------------------------------------------------------------------------


def test_given_closed_hazards_when_job_runs_then_all_major_sampled_unannounced(world, closed):
    major, general = closed
    events_before = HazardEvent.objects.count()
    out = run()
    assert out["period"] == f"{LATER.year:04d}-{LATER.month:02d}"
    x = next(r for r in out["runs"] if r["division"] == "330101")
    assert (x["major"], x["general"]) == (1, 1)  # share rounds up: the one general too
    rc = Recheck.objects.get(hazard=major)
    assert (rc.reason, rc.state, rc.result, rc.sampled_on) == ("major", "pending", "", LATER)
    assert rc.due_on == LATER + dt.timedelta(days=30)
    assert Recheck.objects.get(hazard=general).reason == "general_share"
    # Unannounced: nothing in the hazards' history, only the audit log knows.
    assert HazardEvent.objects.count() == events_before
    assert AuditEntry.objects.filter(action="recheck_sample").count() == 2  # X and Y
    assert audit_verify().ok


def test_given_a_run_this_month_when_job_runs_again_then_nothing_new(world, closed):
    run()
    again = run(today=LATER + dt.timedelta(days=1))
    assert again["runs"] == [] and again["skipped"] == 2
    assert Recheck.objects.count() == 2 and RecheckRun.objects.count() == 2


def test_given_a_hazard_rechecked_in_window_when_next_month_runs_then_not_again(world, closed):
    run()
    nxt = run(today=LATER + dt.timedelta(days=31))
    assert nxt["sampled"] == 0 and len(nxt["runs"]) == 2
    assert Recheck.objects.count() == 2


def test_given_hazards_closed_too_recently_when_job_runs_then_not_sampled(world, closed):
    out = run(today=timezone.localdate() + dt.timedelta(days=5))
    assert out["sampled"] == 0


def test_given_the_command_when_called_then_runs_the_job(world, closed, capsys):
    call_command("hazard_rechecks", "--date", LATER.isoformat(), "--seed", "3")
    assert '"sampled": 2' in capsys.readouterr().out


def test_given_the_task_when_enqueued_then_it_names_the_job():
    from anjian.hazards.tasks import sample_rechecks

    assert sample_rechecks.name == "sample_rechecks"


# --- who sees re-checks -------------------------------------------------------------------------


def test_given_pending_recheck_when_enterprise_looks_then_it_sees_nothing(world, pending):
    for name in ("principal_a", "safety_a", "employee_a"):
        assert not rechecks.visible_rechecks(world.user(name)).exists()
    with pytest.raises(NotFound):
        record(world, "principal_a", pending)


def test_given_pending_recheck_when_regulators_look_then_only_those_in_scope(world, pending):
    for name in ("coordinator_x", "officer_emergency_x", "grid_x1", "expert_x"):
        assert pending in rechecks.visible_rechecks(world.user(name)), name
    for name in ("coordinator_y", "officer_housing_x", "outsider", "principal_c"):
        assert not rechecks.visible_rechecks(world.user(name)).exists(), name
    with pytest.raises(NotFound):
        record(world, "coordinator_y", pending)
    with pytest.raises(NotFound):
        record(world, "outsider", pending)


def test_given_done_recheck_when_enterprise_looks_then_it_sees_the_result(world, pending):
    record(world, "grid_x1", pending)
    assert list(rechecks.visible_rechecks(world.user("principal_a"))) == [pending]
    assert not rechecks.visible_rechecks(world.user("principal_c")).exists()
    with pytest.raises(Forbidden):  # it sees it, may not record one
        record(world, "principal_a", pending)


# --- recording ------------------------------------------------------------------------------------


def test_given_still_fixed_when_recorded_then_result_once_and_event_on_old_hazard(world, pending):
    old = pending.hazard
    version = old.version
    rc = record(world, "expert_x", pending, photos=[photo()])
    assert (rc.state, rc.result, rc.done_by) == ("done", "still_fixed", world.user("expert_x"))
    assert rc.relapse_hazard is None and rc.findings == "复查整改到位"
    old.refresh_from_db()
    assert (old.state, old.version) == ("closed", version)  # history never edited
    event = old.events.get(action="recheck")
    assert (event.from_state, event.to_state, event.data["result"]) == (
        "closed",
        "closed",
        "still_fixed",
    )
    assert HazardPhoto.objects.get(event=event).kind == "after"
    assert AuditEntry.objects.filter(action="recheck_record", object_id=str(rc.pk)).exists()
    with pytest.raises(Conflict):
        record(world, "coordinator_x", pending, result="relapsed")
    rc.refresh_from_db()
    assert rc.result == "still_fixed"


def test_given_relapse_when_recorded_then_new_linked_hazard_and_old_stays_closed(world, pending):
    old = pending.hazard
    before = Hazard.objects.count()
    rc = record(world, "grid_x1", pending, result="relapsed", findings="报警器再次失效")
    assert Hazard.objects.count() == before + 1
    new = rc.relapse_hazard
    assert new is not None and new.pk != old.pk
    assert new.enterprise_id == old.enterprise_id
    assert new.description == "复发：" + old.description
    assert (new.source, new.state, new.location) == (
        "government_inspection",
        "reported",
        old.location,
    )
    assert (new.hazard_type, new.category) == (old.hazard_type, old.category)
    assert new.level == "major"  # the old one was major by a list item: so is the relapse
    assert new.major_item["item_id"] == old.major_item["item_id"]
    report_event = new.events.get(action="report")
    assert report_event.data["relapse_of"] == {"id": old.pk, "number": old.number}
    assert report_event.data["recheck_id"] == rc.pk
    assert old.number in report_event.note
    old.refresh_from_db()
    assert old.state == "closed"
    event = old.events.get(action="recheck")
    assert event.data["relapse_hazard"] == {"id": new.pk, "number": new.number}
    assert list(new.relapse_of.all()) == [rc]
    assert audit_verify().ok


def test_given_relapse_of_general_when_recorded_then_general_by_deadline(world, closed):
    run()
    rc = Recheck.objects.get(hazard=closed[1])
    rc = record(world, "officer_emergency_x", rc, result="relapsed", findings="呼吸阀又堵了")
    assert (rc.relapse_hazard.level, rc.relapse_hazard.handling) == ("general", "deadline")


@pytest.mark.parametrize(
    ("result", "findings", "field"),
    [
        ("maybe", "看了", "result"),
        ("", "看了", "result"),
        (None, "看了", "result"),
        ("still_fixed", "", "findings"),
        ("still_fixed", "   ", "findings"),
        ("still_fixed", "bad\x00text", "findings"),
        ("still_fixed", ["x"], "findings"),
    ],
)
def test_given_illegal_input_when_recorded_then_refused_and_nothing_written(
    world, pending, result, findings, field
):
    with pytest.raises(ValidationFailed) as exc:
        record(world, "grid_x1", pending, result=result, findings=findings)
    assert field in exc.value.errors
    pending.refresh_from_db()
    assert (pending.state, pending.result) == ("pending", "")
    assert not HazardEvent.objects.filter(action="recheck").exists()


def test_given_a_bad_photo_when_recorded_then_refused(world, pending):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.png", b"%PDF-1.4 not an image")
    with pytest.raises(ValidationFailed) as exc:
        record(world, "grid_x1", pending, photos=[bad])
    assert "photos" in exc.value.errors


def test_given_unknown_id_when_recorded_then_not_found(world):
    with pytest.raises(NotFound):
        rechecks.recheck_record(
            actor=actor(world, "coordinator_x"),
            recheck_id=999999,
            result="still_fixed",
            findings="x",
        )


# --- PostgreSQL: two inspectors at once ---------------------------------------------------------

needs_postgres = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="row locks need PostgreSQL; SQLite serialises writers instead",
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_given_two_inspectors_recording_at_once_when_raced_then_exactly_one_wins():
    assert connection.vendor == "postgresql"
    world = build_world()
    bring(world, "major_closed")
    run()
    rc = Recheck.objects.get()
    people = ["grid_x1", "coordinator_x"]
    results = ["relapsed", "still_fixed"]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def go(i):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            rechecks.recheck_record(
                actor=Actor.for_user(world.user(people[i]), "web"),
                recheck_id=rc.pk,
                result=results[i],
                findings=f"复查{i}",
            )
            outcomes.append("won")
        except Conflict:
            outcomes.append("conflict")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "won"]
    rc.refresh_from_db()
    assert rc.state == "done"
    assert HazardEvent.objects.filter(action="recheck").count() == 1
    # A relapse hazard exists exactly when the relapse won.
    assert Hazard.objects.count() == (2 if rc.result == "relapsed" else 1)
    assert audit_verify().ok


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_given_two_workers_sampling_at_once_when_raced_then_one_sample_per_county():
    world = build_world()
    bring(world, "major_closed")
    barrier = threading.Barrier(2)
    outs: list[dict] = []

    def go(i):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            outs.append(run())
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Recheck.objects.count() == 1
    assert RecheckRun.objects.count() == 2  # X and Y, once each
    assert sum(o["skipped"] for o in outs) == 2  # each county sampled by one worker only


# --- pages -----------------------------------------------------------------------------------------


@pytest.fixture
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client(world, persona):
    from django.test import Client

    c = Client()
    c.force_login(world.user(persona))
    return c


def test_given_pending_recheck_when_inspector_opens_list_then_listed_with_form(
    world, pending, fast_hasher
):
    c = client(world, "grid_x1")
    html = c.get("/hazards/rechecks/").content.decode()
    assert pending.hazard.number in html and f"/hazards/rechecks/{pending.pk}/" in html
    page = c.get(f"/hazards/rechecks/{pending.pk}/")
    assert page.status_code == 200 and 'name="findings"' in page.content.decode()
    assert c.get("/hazards/rechecks/runs/").status_code == 200


def test_given_pending_recheck_when_enterprise_opens_pages_then_hidden(world, pending):
    c = client(world, "principal_a")
    assert pending.hazard.number not in c.get("/hazards/rechecks/?show=pending").content.decode()
    assert c.get(f"/hazards/rechecks/{pending.pk}/").status_code == 404
    assert c.get("/hazards/rechecks/runs/").status_code == 403
    assert client(world, "outsider").get("/hazards/rechecks/").status_code == 403
    assert client(world, "coordinator_y").get(f"/hazards/rechecks/{pending.pk}/").status_code == 404


def test_given_the_form_when_relapse_posted_then_redirects_to_new_hazard(world, pending):
    c = client(world, "coordinator_x")
    bad = c.post(f"/hazards/rechecks/{pending.pk}/", {"result": "relapsed", "findings": ""})
    assert bad.status_code == 422
    resp = c.post(
        f"/hazards/rechecks/{pending.pk}/", {"result": "relapsed", "findings": "复查发现报警器失效"}
    )
    pending.refresh_from_db()
    assert resp.status_code == 302 and resp["Location"] == f"/hazards/{pending.relapse_hazard_id}/"
    # A second inspector's post is told it was recorded first.
    again = client(world, "grid_x1").post(
        f"/hazards/rechecks/{pending.pk}/", {"result": "still_fixed", "findings": "x"}
    )
    assert again.status_code == 302
    pending.refresh_from_db()
    assert pending.result == "relapsed"
    # Now done: the enterprise sees it.
    html = client(world, "principal_a").get(f"/hazards/rechecks/{pending.pk}/").content.decode()
    assert "复查发现报警器失效" in html and 'name="findings"' not in html


# --- API -------------------------------------------------------------------------------------------


def test_given_the_api_when_inspector_records_then_once_and_scoped(world, pending):
    from tests.api.conftest import ApiClient

    grid = ApiClient(world.token("grid_x1"))
    body = grid.get("/rechecks", state="pending").json()
    assert body["count"] == 2  # the major and the general hazard of chem_a
    assert pending.hazard.number in {i["hazard"]["number"] for i in body["items"]}
    assert ApiClient(world.token("principal_a")).get("/rechecks").json()["count"] == 0
    assert ApiClient(world.token("principal_a")).get(f"/rechecks/{pending.pk}").status_code == 404
    assert ApiClient(world.token("coordinator_y")).get(f"/rechecks/{pending.pk}").status_code == 404
    bad = grid.post(f"/rechecks/{pending.pk}/result", {"result": "perhaps", "findings": ""})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["detail"]} == {"result", "findings"}
    ok = grid.post(f"/rechecks/{pending.pk}/result", {"result": "still_fixed", "findings": "好"})
    assert ok.status_code == 200 and ok.json()["state"] == "done"
    assert (
        grid.post(
            f"/rechecks/{pending.pk}/result", {"result": "relapsed", "findings": "x"}
        ).status_code
        == 409
    )
    mine = ApiClient(world.token("principal_a"))
    assert mine.get("/rechecks").json()["count"] == 1
    assert (
        mine.post(
            f"/rechecks/{pending.pk}/result", {"result": "relapsed", "findings": "x"}
        ).status_code
        == 403
    )


def test_given_a_recorded_recheck_when_old_hazard_opened_then_history_shows_it(world, pending):
    record(world, "grid_x1", pending, result="relapsed", findings="复查发现再次失效")
    for persona in ("principal_a", "coordinator_x"):
        page = client(world, persona).get(f"/hazards/{pending.hazard_id}/")
        assert page.status_code == 200
        assert "复查发现再次失效" in page.content.decode()


def test_given_the_generic_scoping_when_asked_for_rechecks_then_refuses(world):
    from anjian.core import scoping
    from anjian.credit.models import CreditListEntry

    # Both have their own read function (unannounced re-checks; the shared list).
    for model in (Recheck, CreditListEntry):
        with pytest.raises(LookupError):
            scoping.visible(world.user("coordinator_x"), model)

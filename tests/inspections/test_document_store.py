"""Enforcement documents as issued (issue 12 item 8): numbered per department, kind and
year from the locked counter; the stored bytes' hash is the one recorded and the download
sends exactly those bytes (a tampered file is refused with an error page and an audit
entry); an issued document is never changed or deleted; a correction is a new document
naming the old one, which stays intact; which kind may be issued when (the RULES table);
scope (outsiders 404, the enterprise after an unannounced inspection starts); query
counts of the pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from docx import Document

from anjian.accounts.models import Role, User
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.hazards.documents import ORDER, department_issuer, issue_document
from anjian.inspections import document_services as ds
from anjian.inspections import documents as pure
from anjian.inspections import services
from anjian.inspections import workflow as wf
from anjian.inspections.models import EnforcementDocument, Inspection, Kind
from tests.e2e.conftest import browser  # noqa: F401  (fixture)
from tests.e2e.test_browser import PHONE, sign_in
from tests.inspections.helpers import actor, add_chemicals, add_roster, conclude, plan, token
from tests.penalties.helpers import decide as decide_penalty
from tests.penalties.helpers import draft as draft_penalty
from tests.world import PASSWORD

TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def county(world):
    add_roster(world)
    add_chemicals(world)
    return world


def certificates(inspection: Inspection) -> dict[int, str]:
    return {u.pk: f"33010{u.pk:04d}" for u in inspection.inspectors.all()}


def started(world, kind: str = Kind.ROUTINE, **extra) -> Inspection:
    inspection = plan(world, kind=kind, **extra)
    services.inspection_start(actor=actor(world.user("insp1")), inspection_id=inspection.pk)
    return inspection


def found(world, inspection: Inspection, by: str = "insp1", text: str = "储罐区静电接地线断开"):
    return services.finding_record(
        actor=actor(world.user(by)),
        inspection_id=inspection.pk,
        client_token=token(),
        data={"description": text, "location": "储罐区"},
    )


def concluded(world, findings: int = 1, **extra) -> Inspection:
    inspection = started(world, **extra)
    for n in range(findings):
        found(world, inspection, text=f"问题{n + 1}：储罐区静电接地线断开")
    conclude(world, inspection)
    inspection.refresh_from_db()
    return inspection


def issue(world, inspection, kind=pure.CHECK_RECORD, by="insp1", **data) -> EnforcementDocument:
    return ds.document_issue(
        actor=actor(world.user(by)),
        inspection_id=inspection.pk,
        kind=kind,
        data={"certificates": certificates(inspection), **data},
    )


def stored_bytes(document: EnforcementDocument) -> bytes:
    with default_storage.open(document.file.name, "rb") as handle:
        return handle.read()


def text_of(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def housing_roster(world) -> list[User]:
    out = []
    for i in (1, 2):
        user = User.objects.create_user(
            username=f"hinsp{i}",
            password=PASSWORD,
            role=Role.DEPARTMENT_OFFICER,
            display_name=f"住建检查员{i}",
            division=world.county_x,
            department=world.housing_x,
        )
        world.users[user.username] = user
        out.append(user)
    return out


PENALTY = {
    "facts": "储罐区静电接地线断开，未及时消除事故隐患。",
    "evidence": "现场检查记录\n现场照片3张",
    "violates": "《中华人民共和国安全生产法》第四十一条",
    "penalty_basis": "《中华人民共和国安全生产法》第一百零二条",
    "fine": "20000",
}


# --- numbering ---------------------------------------------------------------------------


def test_given_two_departments_and_two_years_then_each_numbers_from_one(county):
    housing_roster(county)
    emergency = concluded(county, findings=0)
    housing = services.inspection_plan(
        actor=actor(county.user("officer_housing_x")),
        enterprise_id=county.build_b.pk,
        kind=Kind.ROUTINE,
        planned_on=dt.date(2026, 12, 10),
        inspector_ids=[county.user("hinsp1").pk, county.user("hinsp2").pk],
    )
    services.inspection_start(actor=actor(county.user("hinsp1")), inspection_id=housing.pk)
    conclude(county, housing, by="hinsp1")

    with time_machine.travel(dt.datetime(2026, 12, 30, 10, tzinfo=TZ), tick=False):
        e1 = issue(county, emergency)
        e2 = issue(county, emergency)
        h1 = issue(county, housing, by="hinsp1")
    with time_machine.travel(dt.datetime(2027, 1, 4, 10, tzinfo=TZ), tick=False):
        e3 = issue(county, emergency)
        h2 = issue(county, housing, by="hinsp2")

    assert [(d.year, d.serial) for d in (e1, e2, e3)] == [(2026, 1), (2026, 2), (2027, 1)]
    assert [(d.year, d.serial) for d in (h1, h2)] == [(2026, 1), (2027, 1)]
    assert e1.number == "东县应急检记〔2026〕1号"
    assert e3.number == "东县应急检记〔2027〕1号"
    assert h1.number == "东县住建检记〔2026〕1号"
    assert h1.department_id == county.housing_x.pk
    assert e1.number in text_of(stored_bytes(e1))


def test_given_a_hazard_order_of_the_same_department_then_the_order_numbers_do_not_collide(county):
    inspection = started(county)
    finding = found(county, inspection)
    issuer = department_issuer(county.emergency_x)
    today = dt.date.today()
    ledger = issue_document(hazard=finding.hazard, kind=ORDER, issuer=issuer, today=today)
    ours = issue(
        county,
        inspection,
        pure.RECTIFICATION_ORDER,
        deadline=(today + dt.timedelta(days=10)).isoformat(),
    )
    # Both are 东县应急责改〔year〕N号: one counter, so two different numbers.
    assert ledger.number != ours.number
    assert ours.serial == ledger.serial + 1


# --- stored bytes and hash ---------------------------------------------------------------


def test_given_an_issued_document_then_the_stored_hash_is_the_bytes_hash_and_download_sends_them(
    county,
):
    document = issue(county, concluded(county))
    content = stored_bytes(document)
    assert hashlib.sha256(content).hexdigest() == document.sha256
    assert len(content) == document.size
    assert document.facts["number"] == document.number
    assert document.facts["inspectors"][0]["certificate"]

    client = Client()
    client.force_login(county.user("insp2"))
    response = client.get(reverse("enforcement_documents:download", args=[document.pk]))
    assert response.status_code == 200
    assert response.content == content
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert AuditEntry.objects.filter(
        action="enforcement_document_download", object_id=str(document.pk)
    ).exists()


def test_given_a_tampered_file_then_download_refuses_with_a_page_and_an_audit_entry(county):
    document = issue(county, concluded(county))
    name = document.file.name
    default_storage.delete(name)
    default_storage.save(name, io.BytesIO(b"PK altered"))
    client = Client()
    client.force_login(county.user("insp1"))
    response = client.get(reverse("enforcement_documents:download", args=[document.pk]))
    assert response.status_code == 409
    assert b"PK altered" not in response.content
    assert "document-integrity" in response.content.decode()
    entry = AuditEntry.objects.get(
        action="enforcement_document_integrity", object_id=str(document.pk)
    )
    assert entry.changes["expected"] == document.sha256


def test_given_a_missing_file_then_download_refuses_without_a_500(county):
    document = issue(county, concluded(county))
    default_storage.delete(document.file.name)
    client = Client()
    client.force_login(county.user("insp1"))
    response = client.get(reverse("enforcement_documents:download", args=[document.pk]))
    assert response.status_code == 409


def test_given_an_issued_document_then_saving_or_deleting_it_is_refused(county):
    document = issue(county, concluded(county))
    document.correction_reason = "changed"
    with pytest.raises(ValueError):
        document.save()
    with pytest.raises(ValueError):
        document.delete()
    fresh = EnforcementDocument.objects.get(pk=document.pk)
    assert fresh.correction_reason == ""


# --- corrections -------------------------------------------------------------------------


def test_given_a_correction_then_it_refers_to_the_old_which_stays_intact(county):
    inspection = concluded(county)
    old = issue(county, inspection, note="原备注")
    before = (stored_bytes(old), old.sha256, old.number, old.facts)
    new = ds.document_correct(
        actor=actor(county.user("insp2")),
        document_id=old.pk,
        reason="检查时间记录有误",
        data={"certificates": certificates(inspection), "note": "更正后备注"},
    )
    assert new.corrects_id == old.pk and new.kind == old.kind
    assert new.number != old.number and new.correction_reason == "检查时间记录有误"
    assert new.facts["corrects"] == {"number": old.number, "reason": "检查时间记录有误"}
    assert f"本文书更正 {old.number}" in text_of(stored_bytes(new))
    old.refresh_from_db()
    assert (stored_bytes(old), old.sha256, old.number, old.facts) == before
    # Only the newest of a chain is corrected.
    with pytest.raises(Conflict):
        ds.document_correct(
            actor=actor(county.user("insp1")),
            document_id=old.pk,
            reason="again",
            data={"certificates": certificates(inspection)},
        )
    with pytest.raises(ValidationFailed):
        ds.document_correct(
            actor=actor(county.user("insp1")),
            document_id=new.pk,
            reason=" ",
            data={"certificates": certificates(inspection)},
        )


def test_given_a_correction_then_the_detail_page_shows_the_chain(county):
    inspection = concluded(county)
    old = issue(county, inspection)
    new = ds.document_correct(
        actor=actor(county.user("insp1")),
        document_id=old.pk,
        reason="笔误",
        data={"certificates": certificates(inspection)},
    )
    client = Client()
    client.force_login(county.user("principal_a"))
    html = client.get(reverse("enforcement_documents:detail", args=[old.pk])).content.decode()
    assert "document-chain" in html and new.number in html and old.sha256 in html
    assert "document-corrected" in html
    # The enterprise reads, it does not correct.
    assert "document-correct" not in html.replace("document-corrected", "")


# --- which document when ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "state"),
    [
        (pure.CHECK_RECORD, wf.PLANNED),
        (pure.CHECK_RECORD, wf.IN_PROGRESS),
        (pure.RECTIFICATION_ORDER, wf.PLANNED),
        (pure.ON_SITE_DECISION, wf.PLANNED),
        (pure.REVIEW_OPINION, wf.IN_PROGRESS),
    ],
)
def test_given_the_wrong_state_then_the_issue_is_refused(county, kind, state):
    inspection = plan(county)
    if state == wf.IN_PROGRESS:
        services.inspection_start(actor=actor(county.user("insp1")), inspection_id=inspection.pk)
        found(county, inspection)
    with pytest.raises(Conflict):
        issue(county, inspection, kind, deadline="2099-01-01", measures="撤出作业人员")
    assert not EnforcementDocument.objects.exists()


def test_given_no_findings_then_an_order_is_refused(county):
    inspection = concluded(county, findings=0)
    for kind in (pure.RECTIFICATION_ORDER, pure.ON_SITE_DECISION):
        with pytest.raises(Conflict):
            issue(county, inspection, kind, deadline="2099-01-01", measures="停止使用")


@pytest.mark.parametrize("kind", sorted(ds.PENALTY_KINDS))
def test_given_a_penalty_kind_then_the_inspection_form_refuses_it_in_any_state(county, kind):
    # The penalty issues them (anjian.penalties), after its no-double-fine check.
    inspection = concluded(county)
    with pytest.raises(Conflict):
        issue(county, inspection, kind, **PENALTY)
    assert not EnforcementDocument.objects.exists()


def test_given_the_order_flow_then_review_waits_for_the_deadline_and_the_penalty_issues_its_own(
    county,
):
    inspection = concluded(county)
    with pytest.raises(Conflict):
        issue(county, inspection, pure.REVIEW_OPINION)
    record = issue(county, inspection)
    today = dt.date.today()
    order = issue(
        county,
        inspection,
        pure.RECTIFICATION_ORDER,
        deadline=(today + dt.timedelta(days=7)).isoformat(),
    )
    assert record.number in text_of(stored_bytes(order))
    with pytest.raises(Conflict):
        issue(county, inspection, pure.REVIEW_OPINION)
    later = dt.datetime.combine(today + dt.timedelta(days=8), dt.time(10), tzinfo=TZ)
    with time_machine.travel(later, tick=False):
        review = issue(county, inspection, pure.REVIEW_OPINION, fixed=[])
    assert review.facts["order_number"] == order.number
    assert review.facts["results"][0]["fixed"] is False

    # The penalty opened from the inspection issues the notice and the decision.
    penalty = draft_penalty(county, inspection_id=inspection.pk)
    decide_penalty(county, penalty)
    notice = EnforcementDocument.objects.get(penalty=penalty, kind=pure.PENALTY_NOTICE)
    decision = EnforcementDocument.objects.get(penalty=penalty, kind=pure.PENALTY_DECISION)
    assert decision.inspection_id == notice.inspection_id == inspection.pk
    assert decision.facts["notice_number"] == notice.number
    assert "贰万元整" in text_of(stored_bytes(decision))


def test_given_someone_not_an_inspector_then_the_issue_is_refused(county):
    inspection = concluded(county)
    # insp3 is an officer of the department: allowed; the housing officer is not a party.
    with pytest.raises(NotFound):
        issue(county, inspection, by="officer_housing_x")
    with pytest.raises(NotFound):
        issue(county, inspection, by="outsider")
    with pytest.raises(Forbidden):
        issue(county, inspection, by="coordinator_x")
    with pytest.raises(Forbidden):
        issue(county, inspection, by="principal_a")
    assert issue(county, inspection, by="insp3").department_id == county.emergency_x.pk


def test_given_missing_certificates_or_inputs_then_nothing_is_issued(county):
    inspection = concluded(county)
    with pytest.raises(ValidationFailed) as caught:
        ds.document_issue(
            actor=actor(county.user("insp1")),
            inspection_id=inspection.pk,
            kind=pure.ON_SITE_DECISION,
            data={"basis": "安全生产法第六十五条"},
        )
    errors = caught.value.errors
    assert {f"certificate_{u.pk}" for u in inspection.inspectors.all()} <= set(errors)
    assert {"measures", "basis"} <= set(errors)
    assert not EnforcementDocument.objects.exists()


# --- scope -------------------------------------------------------------------------------


def test_given_an_unannounced_inspection_then_the_enterprise_sees_its_documents_after_start(
    county,
):
    inspection = plan(county, kind=Kind.UNANNOUNCED)
    staff = county.user("safety_a")
    services.inspection_start(actor=actor(county.user("insp1")), inspection_id=inspection.pk)
    found(county, inspection)
    document = issue(county, inspection, pure.ON_SITE_DECISION, measures="撤出作业人员")
    assert list(ds.visible_documents(staff)) == [document]
    # Had it not started, its documents would be hidden: the same rule as the inspection.
    Inspection.objects.filter(pk=inspection.pk).update(started_at=None)
    assert not ds.visible_documents(staff).exists()
    client = Client()
    client.force_login(staff)
    assert (
        client.get(reverse("enforcement_documents:detail", args=[document.pk])).status_code == 404
    )
    assert (
        client.get(reverse("enforcement_documents:download", args=[document.pk])).status_code == 404
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("outsider", 404),
        ("principal_c", 404),
        ("officer_housing_x", 404),
        ("principal_a", 200),
        ("employee_a", 200),
        ("coordinator_x", 200),
        ("officer_emergency_x", 200),
    ],
)
def test_given_a_document_then_each_persona_sees_it_only_in_scope(county, persona, status):
    inspection = concluded(county)
    document = issue(county, inspection)
    client = Client()
    client.force_login(county.user(persona))
    for url in (
        reverse("enforcement_documents:detail", args=[document.pk]),
        reverse("enforcement_documents:download", args=[document.pk]),
        reverse("enforcement_documents:list", args=[inspection.pk]),
    ):
        assert client.get(url).status_code == status, url


# --- pages -------------------------------------------------------------------------------


def test_given_the_issue_form_then_an_inspector_issues_from_the_phone_page(county):
    inspection = concluded(county)
    client = Client()
    client.force_login(county.user("insp1"))
    url = reverse("enforcement_documents:issue", args=[inspection.pk, pure.RECTIFICATION_ORDER])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "<script>" not in html
    assert 'type="date"' in html and "certificate_" in html
    post = {f"certificate_{u.pk}": f"ZJ{u.pk}" for u in inspection.inspectors.all()}
    bad = client.post(url, {**post, "deadline": "2000-01-01"})
    assert bad.status_code == 400
    response = client.post(
        url, {**post, "deadline": "2099-01-01", "basis": "《中华人民共和国安全生产法》第六十五条"}
    )
    document = EnforcementDocument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("enforcement_documents:detail", args=[document.pk])
    assert document.facts["deadline"] == "2099-01-01"
    # A kind not allowed now shows why and no form.
    refused = client.get(
        reverse("enforcement_documents:issue", args=[inspection.pk, pure.PENALTY_DECISION])
    )
    assert "document-refusal" in refused.content.decode()
    assert "document-form" not in refused.content.decode()
    assert (
        client.post(
            reverse("enforcement_documents:issue", args=[inspection.pk, pure.PENALTY_DECISION]),
            {**post, **PENALTY, "penalty": "警告"},
        ).status_code
        == 409
    )


def test_given_the_correct_form_then_it_starts_from_the_old_facts(county):
    inspection = concluded(county)
    old = issue(
        county,
        inspection,
        pure.ON_SITE_DECISION,
        measures="撤出作业人员\n停止使用储罐",
        basis="《中华人民共和国安全生产法》第六十五条",
        lift_condition="隐患消除并经复查合格",
    )
    client = Client()
    client.force_login(county.user("insp1"))
    url = reverse("enforcement_documents:correct", args=[old.pk])
    html = client.get(url).content.decode()
    assert "停止使用储罐" in html and "第六十五条" in html and "33010" in html
    assert "隐患消除并经复查合格" in html
    post = {f"certificate_{u.pk}": f"ZJ{u.pk}" for u in inspection.inspectors.all()}
    post.update(
        measures="撤出作业人员", basis="《中华人民共和国安全生产法》第六十五条", reason="措施有误"
    )
    response = client.post(url, post)
    assert response.status_code == 302
    new = EnforcementDocument.objects.get(corrects=old)
    assert new.facts["measures"] == ["撤出作业人员"]


def test_given_many_documents_then_the_list_and_detail_pages_keep_their_query_counts(
    county, django_assert_max_num_queries
):
    inspection = concluded(county)
    first = issue(county, inspection)
    client = Client()
    client.force_login(county.user("insp1"))
    url = reverse("enforcement_documents:list", args=[inspection.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    for _n in range(6):
        previous = first
        first = ds.document_correct(
            actor=actor(county.user("insp1")),
            document_id=previous.pk,
            reason="更正",
            data={"certificates": certificates(inspection)},
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("data-document=") == 7
    detail = reverse("enforcement_documents:detail", args=[first.pk])
    with django_assert_max_num_queries(14):
        assert client.get(detail).status_code == 200


# --- on a phone ----------------------------------------------------------------------------


def test_given_a_phone_then_an_inspector_issues_an_order_and_the_enterprise_downloads_it(
    live_server,
    world,
    browser,  # noqa: F811
):
    add_roster(world)
    inspection = concluded(world)
    base = live_server.url
    context = browser.new_context(viewport=PHONE, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    sign_in(page, base, "insp1")
    page.goto(base + reverse("enforcement_documents:list", args=[inspection.pk]))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click(f'#issue-kinds li[data-kind="{pure.RECTIFICATION_ORDER}"] a')
    # The link navigates: measure the form's page once it is there, not the one leaving.
    page.wait_for_selector("#document-form")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for user in inspection.inspectors.all():
        page.fill(f"#id_certificate_{user.pk}", f"ZJ330100{user.pk}")
    page.fill("#id_deadline", "2099-01-31")
    page.click("#document-form button[type=submit]")
    page.wait_for_selector("#document-sha256")
    document = EnforcementDocument.objects.get()
    assert page.inner_text("#document-number") == document.number
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()

    context = browser.new_context(viewport=PHONE, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    sign_in(page, base, "principal_a")
    page.goto(base + reverse("enforcement_documents:detail", args=[document.pk]))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    with page.expect_download() as caught:
        page.click("#document-download")
    path = caught.value.path()
    assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == document.sha256
    context.close()

"""A penalty's own enforcement documents (issue 12 items 8–9): notifying a penalty on an
enterprise issues its 行政处罚告知书 and deciding it, after the no-double-fine check, its
行政处罚决定书, whose number is the decision number; a refused second fine issues nothing
and uses no serial number; a penalty on a plate gets no document and keeps a typed number;
the inspection's document form refuses both kinds; the enterprise downloads its documents
and an outsider cannot."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from docx import Document

from anjian.core.errors import Conflict, ValidationFailed
from anjian.hazards.models import DocumentCounter
from anjian.inspections import document_services as ds
from anjian.inspections import documents as pure
from anjian.inspections import penalties as rules
from anjian.inspections import services as inspection_services
from anjian.inspections.models import EnforcementDocument
from anjian.penalties import services
from anjian.penalties import workflow as wf
from anjian.penalties.models import Penalty
from tests.api.conftest import ApiClient
from tests.inspections.helpers import add_roster, conclude, plan, token
from tests.world import PASSWORD

from .helpers import (
    BASIS,
    PLATE,
    actor,
    add_fire_officer,
    decide,
    decided_penalty,
    document_data,
    draft,
    notify,
)


@pytest.fixture
def fire(world):
    return add_fire_officer(world)


def text_of(document: EnforcementDocument) -> str:
    with default_storage.open(document.file.name, "rb") as handle:
        content = handle.read()
    doc = Document(io.BytesIO(content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def counter(department, kind: str, year: int = 2026) -> int | None:
    row = DocumentCounter.objects.filter(
        issuer_kind="department", issuer_id=department.pk, year=year, kind=kind
    ).first()
    return row.last if row else None


def login(world, name: str) -> Client:
    client = Client()
    assert client.login(username=name, password=PASSWORD)
    return client


# --- notice and decision -------------------------------------------------------------------


def test_given_a_fine_on_an_enterprise_when_notified_then_a_notice_with_facts_clauses_and_amount(
    world,
):
    penalty = draft(world)
    notify(world, penalty)
    penalty.refresh_from_db()
    notice = EnforcementDocument.objects.get(penalty=penalty)
    assert notice.kind == pure.PENALTY_NOTICE and penalty.state == wf.NOTICED
    assert notice.enterprise == world.chem_a and notice.department == world.emergency_x
    assert notice.number == "东县应急罚告〔2026〕1号" and notice.issued_on == dt.date(2026, 11, 10)
    text = text_of(notice)
    assert "行政处罚告知书" in text and notice.number in text
    assert "未对重大危险源进行检测、评估、监控" in text  # the penalty's facts
    assert "《安全生产法》第一百零一条第（二）项" in text  # its violated clause
    assert BASIS in text  # the basis typed on the notify form
    assert "罚款人民币贰万元整（¥20,000.00）" in text  # the amount in words
    assert "，，" not in text and "：，" not in text
    assert world.chem_a.name in text and "执法证号" not in text  # the notice is not signed
    assert notice.facts["inspectors"][0]["name"] == str(world.user("officer_emergency_x"))
    event = penalty.events.get(action=wf.NOTIFY)
    assert event.data["notice"] == notice.number


def test_given_a_noticed_fine_when_decided_then_the_decision_names_the_notice_and_gives_its_number(
    world,
):
    penalty = decided_penalty(world)
    notice = EnforcementDocument.objects.get(penalty=penalty, kind=pure.PENALTY_NOTICE)
    decision = EnforcementDocument.objects.get(penalty=penalty, kind=pure.PENALTY_DECISION)
    assert penalty.number == decision.number == "东县应急罚〔2026〕1号"
    assert penalty.decided_on == decision.issued_on == dt.date(2026, 11, 20)
    assert decision.facts["notice_number"] == notice.number
    assert decision.facts["notice_date"] == "2026-11-10"
    text = text_of(decision)
    assert notice.number in text and "2026年11月10日" in text
    assert "未对重大危险源进行检测、评估、监控" in text and "贰万元整" in text
    assert "15日内缴纳" in text  # how and by when the fine is paid
    # The evidence and the basis were given once, on the notice.
    assert decision.facts["penalty_basis"] == notice.facts["penalty_basis"]
    assert "ZJ33" in text  # the officers with their certificate numbers


def test_given_a_warning_on_an_enterprise_when_decided_then_the_documents_state_the_warning(
    world,
):
    penalty = decided_penalty(world, kind=rules.WARNING, amount=None)
    decision = penalty.documents.get(kind=pure.PENALTY_DECISION)
    text = text_of(decision)
    assert "如下行政处罚：警告。" in text and "罚款人民币" not in text


def test_given_an_enterprise_penalty_when_a_number_is_typed_then_refused_and_nothing_issued(world):
    penalty = draft(world)
    notify(world, penalty)
    who = world.user("officer_emergency_x")
    with pytest.raises(ValidationFailed) as caught:
        services.penalty_decide(
            actor=actor(who),
            penalty_id=penalty.pk,
            number="东应急罚〔2026〕99号",
            document=document_data(penalty, who),
        )
    assert "number" in caught.value.errors
    assert not penalty.documents.filter(kind=pure.PENALTY_DECISION).exists()
    assert counter(world.emergency_x, pure.PENALTY_DECISION) is None


def test_given_a_decision_dated_before_its_notice_then_refused(world):
    penalty = draft(world)
    notify(world, penalty)
    with pytest.raises(ValidationFailed) as caught:
        decide(world, penalty, decided_on=dt.date(2026, 11, 9))
    assert "decided_on" in caught.value.errors


def test_given_a_fine_on_a_plate_then_no_document_and_the_typed_number(world):
    plate = {"subject_kind": rules.PLATE, "subject_value": PLATE, "subject_name": "张三"}
    penalty = draft(world, **plate)
    services.penalty_notify(actor=actor(world.user("officer_emergency_x")), penalty_id=penalty.pk)
    who = actor(world.user("officer_emergency_x"))
    with pytest.raises(ValidationFailed) as caught:
        services.penalty_decide(actor=who, penalty_id=penalty.pk)
    assert "number" in caught.value.errors
    penalty = services.penalty_decide(
        actor=who, penalty_id=penalty.pk, number="东应急罚〔2026〕7号"
    )
    assert penalty.number == "东应急罚〔2026〕7号" and penalty.state == wf.DECIDED
    assert not EnforcementDocument.objects.exists()


def test_given_missing_document_inputs_when_notifying_then_field_errors_and_nothing_issued(world):
    penalty = draft(world)
    officer = world.user("officer_emergency_x")
    with pytest.raises(ValidationFailed) as caught:
        services.penalty_notify(actor=actor(officer), penalty_id=penalty.pk, document={})
    assert {f"certificate_{officer.pk}", "evidence", "penalty_basis"} <= set(caught.value.errors)
    with pytest.raises(ValidationFailed) as caught:
        services.penalty_notify(
            actor=actor(officer),
            penalty_id=penalty.pk,
            document=document_data(penalty, officer, penalty_basis="安全生产法"),
        )
    assert "penalty_basis" in caught.value.errors
    penalty.refresh_from_db()
    assert penalty.state == wf.DRAFT and penalty.noticed_on is None
    assert not EnforcementDocument.objects.exists()
    assert counter(world.emergency_x, pure.PENALTY_NOTICE) is None


# --- no second fine: no document, no serial -------------------------------------------------


def fire_warning(world, **over) -> Penalty:
    return decide(world, draft(world, "officer_fire_x", **over), "officer_fire_x")


def test_given_a_second_fine_for_the_same_act_when_refused_then_no_document_and_no_serial_used(
    world, fire
):
    # The fire brigade decided a warning on chem_a before (another act): its decision
    # counter stands at 1.
    warning = fire_warning(
        world,
        kind=rules.WARNING,
        amount=None,
        facts_start=dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC),
        facts_end=dt.datetime(2026, 10, 1, 10, tzinfo=dt.UTC),
        description="消防通道堵塞",
        clauses="《消防法》第二十八条",
    )
    assert warning.number == "东县消防罚〔2026〕1号"
    first = decided_penalty(world)  # 东县应急管理局 fines the act
    second = draft(world, "officer_fire_x", amount="50000")
    notify(world, second, "officer_fire_x")
    documents_before = EnforcementDocument.objects.count()
    with pytest.raises(services.DoublePenalty) as caught:
        decide(world, second, "officer_fire_x")
    assert caught.value.first == first
    assert counter(world.fire_x, pure.PENALTY_DECISION) == 1
    assert EnforcementDocument.objects.count() == documents_before
    assert not second.documents.filter(kind=pure.PENALTY_DECISION).exists()
    second.refresh_from_db()
    assert second.state == wf.NOTICED and second.number == ""
    # The brigade's next decision takes serial 2: none was lost to the refusal.
    other = fire_warning(
        world,
        kind=rules.WARNING,
        amount=None,
        description="疏散指示标志损坏",
        clauses="《消防法》第十六条",
    )
    assert other.number == "东县消防罚〔2026〕2号"


# --- the inspection's form ----------------------------------------------------------------


@pytest.fixture
def inspection(world):
    add_roster(world)
    inspection = plan(world)
    inspection_services.inspection_start(
        actor=actor(world.user("insp1")), inspection_id=inspection.pk
    )
    inspection_services.finding_record(
        actor=actor(world.user("insp1")),
        inspection_id=inspection.pk,
        client_token=token(),
        data={"description": "储罐区静电接地线断开", "location": "储罐区"},
    )
    conclude(world, inspection)
    inspection.refresh_from_db()
    return inspection


@pytest.mark.parametrize("kind", [pure.PENALTY_NOTICE, pure.PENALTY_DECISION])
def test_given_the_inspection_form_when_a_penalty_document_is_asked_then_refused(
    world, inspection, kind
):
    with pytest.raises(Conflict) as caught:
        ds.document_issue(
            actor=actor(world.user("insp1")),
            inspection_id=inspection.pk,
            kind=kind,
            data={
                "certificates": {u.pk: "ZJ1" for u in inspection.inspectors.all()},
                "facts": "储罐区静电接地线断开",
                "evidence": "现场照片",
                "violates": "《中华人民共和国安全生产法》第四十一条",
                "penalty_basis": BASIS,
                "proposed": "罚款",
                "fine": "20000",
            },
        )
    assert "penalty" in str(caught.value).lower() or "处罚" in str(caught.value)
    assert kind not in {k["kind"] for k in ds.kinds_for(world.user("insp1"), inspection)}
    client = login(world, "insp1")
    url = reverse("enforcement_documents:issue", args=[inspection.pk, kind])
    page = client.get(url).content.decode()
    assert 'id="document-refusal"' in page and 'id="document-form"' not in page
    assert f"{reverse('penalties:new')}?inspection={inspection.pk}" in page
    assert client.post(url, {"facts": "x"}).status_code == 409
    assert not EnforcementDocument.objects.exists()


def test_given_an_inspection_when_a_penalty_is_opened_from_it_then_its_documents_are_listed_there(
    world, inspection
):
    client = login(world, "officer_emergency_x")
    documents = reverse("enforcement_documents:list", args=[inspection.pk])
    page = client.get(documents).content.decode()
    new = f"{reverse('penalties:new')}?inspection={inspection.pk}"
    assert 'id="open-penalty"' in page and new in page
    form = client.get(new).context["form"]
    assert form.initial["subject_value"] == world.chem_a.uscc
    assert form.initial["inspection"] == str(inspection.pk)
    penalty = draft(world, inspection_id=inspection.pk)
    # Its officers are the inspection's inspectors of the deciding department.
    assert {
        u.username for u in ds.penalty_handlers(penalty, world.user("officer_emergency_x"))
    } == {
        "insp1",
        "insp2",
    }
    decide(world, penalty)
    notice, decision = penalty.documents.order_by("issued_at", "pk")
    assert decision.inspection_id == inspection.pk
    assert {i["name"] for i in decision.facts["inspectors"]} == {"检查员1", "检查员2"}
    html = client.get(documents).content.decode()
    assert f'data-penalty="{penalty.pk}"' in html
    assert notice.number in html and decision.number in html
    # The form's table lists the inspection's own documents only.
    assert f'data-document="{decision.pk}"' not in html
    # The enterprise sees the penalty and its documents on the inspection's page too.
    html = login(world, "principal_a").get(documents).content.decode()
    assert decision.number in html and 'id="open-penalty"' not in html


# --- pages: the notify and decide forms, the documents -----------------------------------


def test_given_the_notify_form_when_inputs_are_missing_then_field_errors_and_then_issued(world):
    penalty = draft(world)
    officer = world.user("officer_emergency_x")
    client = login(world, "officer_emergency_x")
    detail = reverse("penalties:detail", args=[penalty.pk])
    html = client.get(detail).content.decode()
    assert f'name="certificate_{officer.pk}"' in html and 'name="penalty_basis"' in html
    url = reverse("penalties:act", args=[penalty.pk, wf.NOTIFY])
    bad = client.post(url, {"version": penalty.version, "penalty_basis": BASIS})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'class="field-error"' in html and "必填" in html  # shown in Chinese
    assert bad.context["actions"][0]["form"].errors.keys() == {
        f"certificate_{officer.pk}",
        "evidence",
    }
    # The basis written wrongly: the service's field error, in Chinese, on its field.
    worse = client.post(
        url,
        {
            "version": penalty.version,
            f"certificate_{officer.pk}": "ZJ3300001",
            "evidence": "现场检查记录",
            "penalty_basis": "乱写",
        },
    )
    assert worse.status_code == 400
    assert "请每行写一条" in worse.content.decode()
    assert "penalty_basis" in worse.context["actions"][0]["form"].errors
    assert not EnforcementDocument.objects.exists()
    good = client.post(
        url,
        {
            "version": penalty.version,
            f"certificate_{officer.pk}": "ZJ3300001",
            "evidence": "现场检查记录\n询问笔录",
            "penalty_basis": BASIS,
            "hearing": "on",
        },
    )
    assert good.status_code == 302
    notice = EnforcementDocument.objects.get(penalty=penalty)
    assert notice.facts["hearing"] is True and notice.facts["evidence"] == [
        "现场检查记录",
        "询问笔录",
    ]
    html = client.get(detail).content.decode()
    assert reverse("enforcement_documents:download", args=[notice.pk]) in html
    assert 'id="act-decide"' in html and 'name="number"' not in html
    # The decide form starts from the notice: certificate, evidence and basis.
    assert "ZJ3300001" in html and "询问笔录" in html
    decided = client.post(
        reverse("penalties:act", args=[penalty.pk, wf.DECIDE]),
        {
            "version": penalty.version + 1,
            f"certificate_{officer.pk}": "ZJ3300001",
            "evidence": "现场检查记录\n询问笔录",
            "penalty_basis": BASIS,
            "decided_on": dt.date.today().isoformat(),
        },
    )
    assert decided.status_code == 302
    penalty.refresh_from_db()
    assert penalty.number == penalty.documents.get(kind=pure.PENALTY_DECISION).number


def test_given_a_plate_penalty_then_the_page_says_no_document_and_asks_for_the_number(world):
    penalty = draft(world, subject_kind=rules.PLATE, subject_value=PLATE, subject_name="张三")
    client = login(world, "officer_emergency_x")
    assert (
        client.post(
            reverse("penalties:act", args=[penalty.pk, wf.NOTIFY]), {"version": penalty.version}
        ).status_code
        == 302
    )
    html = client.get(reverse("penalties:detail", args=[penalty.pk])).content.decode()
    assert 'id="no-document"' in html and 'name="number"' in html
    assert "certificate_" not in html


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("outsider", 404),
        ("principal_c", 404),
        ("officer_housing_x", 404),
        ("principal_a", 200),
        ("safety_a", 200),
        ("officer_emergency_x", 200),
    ],
)
def test_given_penalty_documents_then_only_those_in_scope_download_them(world, persona, status):
    penalty = decided_penalty(world)
    client = login(world, persona)
    for document in penalty.documents.all():
        response = client.get(reverse("enforcement_documents:download", args=[document.pk]))
        assert response.status_code == status
        if status == 200:
            assert hashlib.sha256(response.content).hexdigest() == document.sha256
        detail = client.get(reverse("enforcement_documents:detail", args=[document.pk]))
        assert detail.status_code == status
        assert 'id="document-correct"' not in detail.content.decode()
        if status == 200:
            link = reverse("penalties:detail", args=[penalty.pk])
            assert f'href="{link}" id="document-penalty"' in detail.content.decode()


def test_given_the_enterprise_then_its_penalty_page_lists_the_documents(world):
    penalty = decided_penalty(world)
    html = login(world, "principal_a").get(reverse("penalties:detail", args=[penalty.pk]))
    html = html.content.decode()
    for document in penalty.documents.all():
        assert reverse("enforcement_documents:download", args=[document.pk]) in html
    assert 'id="act-' not in html  # the enterprise takes no step
    assert set(ds.visible_documents(world.user("principal_a"))) == set(penalty.documents.all())
    assert not ds.visible_documents(world.user("principal_c")).exists()


def test_given_a_penalty_document_then_the_inspection_correction_refuses_it(world, inspection):
    penalty = decided_penalty(world, inspection_id=inspection.pk)
    notice = penalty.documents.get(kind=pure.PENALTY_NOTICE)
    with pytest.raises(Conflict):
        ds.document_correct(
            actor=actor(world.user("insp1")),
            document_id=notice.pk,
            reason="笔误",
            data={"certificates": {u.pk: "ZJ1" for u in inspection.inspectors.all()}},
        )
    assert Penalty.objects.get(pk=penalty.pk).documents.count() == 2


def test_given_the_api_then_a_penalty_lists_its_documents_in_scope(world):
    penalty = decided_penalty(world)
    body = ApiClient(world.token("principal_a")).get(f"/penalties/{penalty.pk}").json()
    assert [d["kind"] for d in body["documents"]] == [pure.PENALTY_NOTICE, pure.PENALTY_DECISION]
    assert body["documents"][1]["number"] == body["number"] == penalty.number
    decision = penalty.documents.get(kind=pure.PENALTY_DECISION)
    assert body["documents"][1]["sha256"] == decision.sha256
    assert body["documents"][1]["download_url"] == reverse(
        "enforcement_documents:download", args=[decision.pk]
    )
    other = ApiClient(world.token("principal_c")).get(f"/penalties/{penalty.pk}")
    assert other.status_code == 404

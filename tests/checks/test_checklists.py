"""Check lists by industry (issue 12 item 1): the library drawn from the determination
standards, an enterprise's own list, adopting a list as a check task (items chosen, weekly
cycle, at a risk unit), extending and trimming the adopted items, the self-check page
answering them, and who may do what (an outsider sees nothing)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from anjian.checks import checklist_services as cs
from anjian.checks import library, services
from anjian.checks.models import Checklist, ChecklistAdoption, ChecklistItem, TaskItem
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.hazards import reference
from anjian.hazards.models import Hazard
from anjian.registry.models import Industry
from anjian.risks.models import CheckTask

from .conftest import actor, local, measure_task, start, submit

pytestmark = pytest.mark.django_db

ADOPT = {"cycle": "1", "cycle_unit": "week", "responsible_person": "王工"}


def hazchem_list() -> Checklist:
    return Checklist.objects.get(key="hc2017:HR-HAZCHEM")


def test_given_the_migrated_library_then_each_standard_and_industry_has_its_list_with_every_verified_item(
    world,
):
    for lst in library.library():
        row = Checklist.objects.get(key=lst.key)
        assert row.enterprise_id is None and row.industry.code == lst.industry
        stored = list(row.items.order_by("position").values_list("content", "reference_item"))
        assert stored == [(i.content, i.reference_item) for i in lst.items]
    # Every selectable determination item is on a list; MISSING ones are on none.
    on_lists = set(ChecklistItem.objects.values_list("reference_item", flat=True))
    assert on_lists == set(reference.items())
    assert not on_lists & {row["id"] for row in reference.missing()}
    first = hazchem_list().items.get(position=1)
    assert first.content == reference.item(first.reference_item).text  # verbatim
    assert first.basis.startswith("《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准")


def test_given_the_library_when_synced_again_then_nothing_changes(world):
    before = list(ChecklistItem.objects.order_by("pk").values_list("pk", "content"))
    assert cs.library_sync() == {"created": 0, "updated": 0}
    assert list(ChecklistItem.objects.order_by("pk").values_list("pk", "content")) == before


def test_given_a_metallurgy_enterprise_then_it_is_offered_the_general_and_the_metallurgy_lists(
    world,
):
    world.chem_a.industry = Industry.objects.get(code="HR-IT-MET")
    world.chem_a.save()
    keys = set(
        cs.lists_for(world.user("safety_a"), world.chem_a)
        .exclude(key__isnull=True)
        .values_list("key", flat=True)
    )
    assert keys == {"gm2023:HR-IT", "gm2023:HR-IT-MET"}


def test_given_a_chemical_enterprise_when_it_adopts_chosen_items_weekly_then_one_task_with_those_items(
    world,
):
    lst = hazchem_list()
    adoption = cs.checklist_adopt(
        actor=actor(world, "safety_a"),
        checklist_id=lst.pk,
        enterprise_id=world.chem_a.pk,
        data={**ADOPT, "positions": ["1", "3", "5"]},
    )
    task = adoption.task
    assert (task.from_checklist, task.cycle, task.cycle_unit, task.enterprise) == (
        True,
        1,
        "week",
        world.chem_a,
    )
    assert task.content == lst.name and task.next_due is not None
    items = list(task.items.order_by("position"))
    wanted = [lst.items.get(position=p) for p in (1, 3, 5)]
    assert [(i.position, i.content, i.basis) for i in items] == [
        (n, w.content, w.basis) for n, w in enumerate(wanted, 1)
    ]
    assert AuditEntry.objects.filter(action="checklist_adopt", object_id=str(task.pk)).exists()


def test_given_an_adopted_list_when_adopted_again_for_the_same_place_then_refused(world):
    lst = hazchem_list()
    kw = {"checklist_id": lst.pk, "enterprise_id": world.chem_a.pk, "data": ADOPT}
    cs.checklist_adopt(actor=actor(world, "safety_a"), **kw)
    with pytest.raises(Conflict):
        cs.checklist_adopt(actor=actor(world, "safety_a"), **kw)
    assert ChecklistAdoption.objects.count() == 1


@pytest.mark.parametrize(
    "data, field",
    [
        ({**ADOPT, "cycle": "0"}, "cycle"),
        ({**ADOPT, "cycle_unit": "fortnight"}, "cycle_unit"),
        ({**ADOPT, "responsible_person": " "}, "responsible_person"),
        ({**ADOPT, "positions": ["999"]}, "positions"),
        ({**ADOPT, "positions": []}, "positions"),
        ({**ADOPT, "unit_id": "123456"}, "unit_id"),
    ],
)
def test_given_bad_adoption_input_then_a_field_error_and_nothing_written(world, data, field):
    with pytest.raises(ValidationFailed) as exc:
        cs.checklist_adopt(
            actor=actor(world, "safety_a"),
            checklist_id=hazchem_list().pk,
            enterprise_id=world.chem_a.pk,
            data=data,
        )
    assert field in exc.value.errors
    assert not CheckTask.objects.filter(from_checklist=True).exists()


def test_given_a_list_of_another_industry_when_adopted_then_not_found(world):
    mines = Checklist.objects.get(key="fmm2022:HR-MINE")
    with pytest.raises(NotFound):
        cs.checklist_adopt(
            actor=actor(world, "safety_a"),
            checklist_id=mines.pk,
            enterprise_id=world.chem_a.pk,
            data=ADOPT,
        )


@pytest.mark.parametrize("who", ["employee_a", "officer_emergency_x", "principal_c", "outsider"])
def test_given_someone_not_managing_the_enterprise_when_adopting_then_refused(world, who):
    with pytest.raises((Forbidden, NotFound)):
        cs.checklist_adopt(
            actor=actor(world, who),
            checklist_id=hazchem_list().pk,
            enterprise_id=world.chem_a.pk,
            data=ADOPT,
        )


def test_given_an_own_list_then_only_its_enterprise_and_regulators_in_scope_see_it(world):
    own = cs.checklist_create(
        actor=actor(world, "principal_a"),
        enterprise_id=world.chem_a.pk,
        data={
            "name": "装卸作业检查表",
            "basis": "企业制度",
            "items": "鹤管接地\n\n  防溢流报警  \n",
        },
    )
    assert list(own.items.values_list("position", "content")) == [
        (1, "鹤管接地"),
        (2, "防溢流报警"),
    ]
    for who, sees in [
        ("safety_a", True),
        ("officer_emergency_x", True),
        ("principal_c", False),
        ("coordinator_y", False),
        ("outsider", False),
    ]:
        assert cs.visible_checklists(world.user(who)).filter(pk=own.pk).exists() is sees, who
    assert not cs.visible_checklists(world.user("outsider")).exists()


def test_given_an_own_list_without_items_then_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        cs.checklist_create(
            actor=actor(world, "principal_a"),
            enterprise_id=world.chem_a.pk,
            data={"name": "空表", "items": "\n \n"},
        )
    assert "items" in exc.value.errors and not Checklist.objects.filter(name="空表").exists()


def test_given_an_adopted_task_when_extended_and_trimmed_then_the_check_asks_the_active_items(
    world,
):
    adoption = cs.checklist_adopt(
        actor=actor(world, "safety_a"),
        checklist_id=hazchem_list().pk,
        enterprise_id=world.chem_a.pk,
        data={**ADOPT, "positions": [1, 2]},
    )
    task = adoption.task
    added = cs.task_item_add(
        actor=actor(world, "safety_a"), task_id=task.pk, data={"content": "罐区巡检记录是否完整"}
    )
    assert added.position == 3
    first = task.items.get(position=1)
    cs.task_item_retire(actor=actor(world, "safety_a"), item_id=first.pk)
    with pytest.raises(Conflict):
        cs.task_item_retire(actor=actor(world, "safety_a"), item_id=first.pk)
    second = task.items.get(position=2)
    cs.task_item_retire(actor=actor(world, "safety_a"), item_id=second.pk)
    with pytest.raises(Conflict):  # the last active item stays
        cs.task_item_retire(actor=actor(world, "safety_a"), item_id=added.pk)
    task = CheckTask.objects.prefetch_related("items").get(pk=task.pk)
    assert [i.content for i in services.task_items(task)] == ["罐区巡检记录是否完整"]
    with pytest.raises(Forbidden):
        cs.task_item_add(actor=actor(world, "employee_a"), task_id=task.pk, data={"content": "x"})
    with pytest.raises(NotFound):
        cs.task_item_add(actor=actor(world, "principal_c"), task_id=task.pk, data={"content": "x"})


def test_given_a_measure_task_when_items_are_added_then_not_found(world):
    measure = measure_task(world, "safety_a", world.chem_a)
    with pytest.raises(NotFound):
        cs.task_item_add(actor=actor(world, "safety_a"), task_id=measure.pk, data={"content": "x"})


def test_given_an_adopted_list_when_checked_with_a_hazard_found_then_the_hazard_names_the_clause(
    world,
):
    unit_task = measure_task(world, "safety_a", world.chem_a)  # makes a risk unit
    unit = unit_task.measure.event.unit
    adoption = cs.checklist_adopt(
        actor=actor(world, "safety_a"),
        checklist_id=hazchem_list().pk,
        enterprise_id=world.chem_a.pk,
        data={**ADOPT, "positions": [1, 2], "unit_id": str(unit.pk)},
    )
    task = adoption.task
    now = local(2026, 12, 2, 9, 0)
    record = start(world, "employee_a", task, now)
    submit(
        world,
        "employee_a",
        record,
        now + dt.timedelta(minutes=6),
        answers={
            "1": {"status": "normal", "note": ""},
            "2": {"status": "hazard_found", "note": "主要负责人证书过期"},
        },
    )
    record.refresh_from_db()
    assert record.state == "submitted"
    hazard = Hazard.objects.get(enterprise=world.chem_a, description__contains="证书过期")
    basis = TaskItem.objects.get(task=task, position=2).basis
    assert hazard.description == "特种作业人员未持证上岗：主要负责人证书过期"
    assert basis in hazard.events.get(action="report").note
    assert services.place_of(task) == str(unit)


def test_given_the_pages_when_an_enterprise_adopts_on_the_phone_then_it_reaches_the_task_page(
    client, world
):
    client.force_login(world.user("safety_a"))
    page = client.get(reverse("checks:library")).content.decode()
    assert hazchem_list().name in page and "Checklist" not in page
    assert "金属非金属矿山" not in page  # another industry's lists are not offered
    lst = hazchem_list()
    bad = client.post(reverse("checks:checklist", args=[lst.pk]), {**ADOPT, "cycle": "x"})
    assert bad.status_code == 400 and 'class="field-error"' in bad.content.decode()
    r = client.post(reverse("checks:checklist", args=[lst.pk]), {**ADOPT, "positions": ["1", "2"]})
    assert r.status_code == 302
    task = CheckTask.objects.get(from_checklist=True)
    assert r.url == reverse("checks:adopted_task", args=[task.pk])
    r = client.post(reverse("checks:adopted_task_item", args=[task.pk]), {"content": "静电接地"})
    assert r.status_code == 302 and task.items.filter(content="静电接地").exists()
    today = client.get(reverse("checks:today")).content.decode()
    assert task.content in today


@pytest.mark.parametrize(
    "who, status", [("employee_a", 200), ("officer_emergency_x", 200), ("outsider", 403)]
)
def test_given_the_library_page_then_readers_see_it_and_only_managers_may_adopt(
    client, world, who, status
):
    client.force_login(world.user(who))
    lst = hazchem_list()
    assert client.get(reverse("checks:library")).status_code == status
    page = client.get(reverse("checks:checklist", args=[lst.pk]))
    assert page.status_code == (404 if who == "outsider" else 200) or page.status_code == status
    if status == 200:
        assert 'name="positions"' not in page.content.decode()
        assert client.post(reverse("checks:checklist", args=[lst.pk]), ADOPT).status_code == 403

"""Check lists by industry (检查表, issue 12 item 1): the library (anjian.checks.library)
and the enterprises' own lists; an enterprise adopts a list as a check task (隐患排查任务,
its items copied as TaskItem rows) and extends or trims the adopted items.

* `checklist_create`    — an enterprise's own list (name, items one per line).
* `checklist_adopt`     — a task from a list: which items, how often, at which risk unit,
  who is responsible. The same list adopted again for the same unit while the first task
  is active is refused (one task is what the self-check page shows).
* `task_item_add`       — an enterprise adds its own item to an adopted task.
* `task_item_retire`    — an item is no longer checked; it is kept (records quote it) and
  the last active item cannot go (a task with no item would check nothing).

Only the enterprise's principal and safety officer (and an expert helping it) change its
lists and tasks: the same rule as its risk records (scoping.can_manage_risks)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.registry.models import Enterprise, Industry
from anjian.risks import services as risk_services
from anjian.risks.models import CheckTask, RiskUnit

from .models import Checklist, ChecklistAdoption, ChecklistItem, TaskItem

NAME_LIMIT = 120
ITEM_LIMIT = 500
BASIS_LIMIT = 255
MAX_ITEMS = 200

Errors = dict[str, list[str]]


# --- reads ---------------------------------------------------------------------------------


def visible_checklists(user: Any) -> QuerySet[Checklist]:
    """The library's lists (everyone signed in reads them) and the enterprises' own lists
    in the user's scope."""
    if not scoping.is_active_user(user):
        return Checklist.objects.none()
    own = scoping.visible(user, Checklist).values("pk")
    return Checklist.objects.filter(Q(enterprise__isnull=True) | Q(pk__in=own), active=True)


def industry_codes(enterprise: Enterprise) -> list[str]:
    """The enterprise's industry and the sectors above it: a 冶金 enterprise gets the 工贸
    list's general articles and the 冶金 one."""
    codes: list[str] = []
    industry = enterprise.industry
    while industry is not None and len(codes) < 10:
        codes.append(industry.code)
        industry = industry.parent
    return codes


def lists_for(user: Any, enterprise: Enterprise) -> QuerySet[Checklist]:
    """What the enterprise may adopt: the library's lists for its industry and its own."""
    return visible_checklists(user).filter(
        Q(enterprise__isnull=True, industry__code__in=industry_codes(enterprise))
        | Q(enterprise=enterprise)
    )


# --- input --------------------------------------------------------------------------------


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _text(errors: Errors, data: Mapping[str, Any], name: str, limit: int, *, required: bool) -> str:
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        _add(errors, name, _("Enter text."))
        return ""
    text = value.strip()
    if required and not text:
        _add(errors, name, _("This field is required."))
    elif len(text) > limit:
        _add(errors, name, _("At most %(n)d characters.") % {"n": limit})
    elif any(ord(ch) < 32 for ch in text):
        _add(errors, name, _("Line breaks and control characters are not allowed here."))
    return text


def _item_lines(errors: Errors, value: Any) -> list[str]:
    """Items given one per line (a textarea) or as a list."""
    if isinstance(value, str):
        lines = value.splitlines()
    elif isinstance(value, Sequence):
        lines = list(value)
    else:
        lines = []
    out: list[str] = []
    for n, line in enumerate(lines, 1):
        if not isinstance(line, str):
            _add(errors, "items", _("Line %(n)d: enter text.") % {"n": n})
            continue
        text = line.strip()
        if not text:
            continue
        if len(text) > ITEM_LIMIT:
            _add(
                errors,
                "items",
                _("Line %(n)d: at most %(limit)d characters.") % {"n": n, "limit": ITEM_LIMIT},
            )
        elif any(ord(ch) < 32 and ch != "\t" for ch in text):
            _add(errors, "items", _("Line %(n)d: control characters are not allowed.") % {"n": n})
        out.append(text)
    if not out and "items" not in errors:
        _add(errors, "items", _("Give at least one check item, one per line."))
    if len(out) > MAX_ITEMS:
        _add(errors, "items", _("At most %(n)d items.") % {"n": MAX_ITEMS})
    return out


def _enterprise(actor: Actor, enterprise_id: Any) -> Enterprise:
    enterprise = (
        scoping.visible_enterprises(actor.user)
        .select_related("industry__parent__parent")
        .filter(pk=enterprise_id if isinstance(enterprise_id, int) else -1)
        .first()
    )
    if enterprise is None:
        raise NotFound(_("No such enterprise in your jurisdiction."))
    if not scoping.can_manage_risks(actor.user, enterprise):
        raise Forbidden(
            _(
                "Only the enterprise's principal, its safety officer or an expert may change its check lists."
            )
        )
    return enterprise


# --- writes --------------------------------------------------------------------------------


def checklist_create(*, actor: Actor, enterprise_id: int, data: Mapping[str, Any]) -> Checklist:
    """The enterprise's own check list."""
    errors: Errors = {}
    name = _text(errors, data, "name", NAME_LIMIT, required=True)
    basis = _text(errors, data, "basis", BASIS_LIMIT, required=False)
    items = _item_lines(errors, data.get("items"))
    with transaction.atomic():
        enterprise = _enterprise(actor, enterprise_id)
        if errors:
            raise ValidationFailed(errors)
        checklist = Checklist.objects.create(
            name=name,
            basis=basis,
            enterprise=enterprise,
            industry=enterprise.industry,
            created_by=actor.user,
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(checklist=checklist, position=n, content=text)
            for n, text in enumerate(items, 1)
        )
        audit_append(
            actor=actor,
            action="create",
            obj=checklist,
            summary=name,
            changes={"enterprise_id": enterprise.pk, "items": items, "basis": basis},
        )
    return checklist


def _positions(errors: Errors, value: Any, available: set[int]) -> list[int] | None:
    """The chosen items by position; None (not given) means all."""
    if value is None:
        return None
    raw = value if isinstance(value, (list, tuple)) else [value]
    out: set[int] = set()
    for v in raw:
        n = v if isinstance(v, int) and not isinstance(v, bool) else None
        if n is None and isinstance(v, str) and v.strip().isdigit():
            n = int(v.strip())
        if n is None or n not in available:
            _add(errors, "positions", _("Unknown item: %(v)s") % {"v": str(v)[:20]})
        else:
            out.add(n)
    if not out and "positions" not in errors:
        _add(errors, "positions", _("Choose at least one item to check."))
    return sorted(out)


def checklist_adopt(
    *, actor: Actor, checklist_id: int, enterprise_id: int, data: Mapping[str, Any]
) -> ChecklistAdoption:
    """Adopt a list as a check task of the enterprise: `data` has cycle, cycle_unit
    (hour/day/week/month/year), responsible_person, and optionally unit_id (a risk unit of
    the enterprise), name (the task's title; the list's name by default) and positions
    (the items chosen; all by default)."""
    errors: Errors = {}
    cycle, cycle_unit = risk_services.clean_cycle(errors, data)
    responsible = _text(errors, data, "responsible_person", 64, required=True)
    title = _text(errors, data, "name", 255, required=False)
    with transaction.atomic():
        enterprise = _enterprise(actor, enterprise_id)
        checklist = (
            lists_for(actor.user, enterprise)
            .select_for_update(of=("self",))
            .filter(pk=checklist_id if isinstance(checklist_id, int) else -1)
            .first()
        )
        if checklist is None:
            raise NotFound(_("No such check list for this enterprise."))
        items = list(checklist.items.order_by("position"))
        positions = _positions(errors, data.get("positions"), {i.position for i in items})
        unit = None
        unit_id = data.get("unit_id")
        if unit_id not in (None, ""):
            unit = RiskUnit.objects.filter(
                enterprise=enterprise, pk=int(unit_id) if str(unit_id).isdigit() else -1
            ).first()
            if unit is None:
                _add(errors, "unit_id", _("Choose a risk unit of this enterprise."))
        if errors:
            raise ValidationFailed(errors)
        if ChecklistAdoption.objects.filter(
            checklist=checklist, enterprise=enterprise, unit=unit, task__active=True
        ).exists():
            raise Conflict(
                _(
                    "This list is already adopted for this place; change that task's items "
                    "instead of adopting it twice."
                )
            )
        chosen = [i for i in items if positions is None or i.position in positions]
        task = CheckTask.objects.create(
            enterprise=enterprise,
            from_checklist=True,
            content=(title or checklist.name)[:255],
            cycle=cycle,
            cycle_unit=cycle_unit,
            responsible_person=responsible,
            next_due=risk_services.next_due(timezone.now(), cycle, cycle_unit),
        )
        TaskItem.objects.bulk_create(
            TaskItem(task=task, position=n, content=i.content, basis=i.basis[:BASIS_LIMIT])
            for n, i in enumerate(chosen, 1)
        )
        adoption = ChecklistAdoption.objects.create(
            checklist=checklist, enterprise=enterprise, task=task, unit=unit, adopted_by=actor.user
        )
        audit_append(
            actor=actor,
            action="checklist_adopt",
            obj=task,
            summary=f"{checklist.name} → {task.content}",
            changes={
                "checklist_id": checklist.pk,
                "unit_id": unit.pk if unit else None,
                "cycle": f"{cycle} {cycle_unit}",
                "responsible_person": responsible,
                "items": len(chosen),
            },
        )
    return adoption


def _adopted_task(actor: Actor, task_id: Any) -> CheckTask:
    task = (
        scoping.visible(actor.user, CheckTask)
        .select_for_update()
        .filter(pk=task_id if isinstance(task_id, int) else -1, from_checklist=True)
        .first()
    )
    if task is None:
        raise NotFound(_("No such adopted check task in your scope."))
    enterprise = Enterprise.objects.get(pk=task.enterprise_id)
    if not scoping.can_manage_risks(actor.user, enterprise):
        raise Forbidden(
            _(
                "Only the enterprise's principal, its safety officer or an expert may change its check lists."
            )
        )
    return task


def task_item_add(*, actor: Actor, task_id: int, data: Mapping[str, Any]) -> TaskItem:
    """The enterprise's own item on an adopted task, after the list's."""
    errors: Errors = {}
    content = _text(errors, data, "content", ITEM_LIMIT, required=True)
    basis = _text(errors, data, "basis", BASIS_LIMIT, required=False)
    with transaction.atomic():
        task = _adopted_task(actor, task_id)
        if errors:
            raise ValidationFailed(errors)
        if task.items.filter(active=True).count() >= MAX_ITEMS:
            raise ValidationFailed({"content": [_("At most %(n)d items.") % {"n": MAX_ITEMS}]})
        last = task.items.aggregate(m=Max("position"))["m"] or 0
        item = TaskItem.objects.create(task=task, position=last + 1, content=content, basis=basis)
        audit_append(
            actor=actor,
            action="task_item_add",
            obj=task,
            summary=content[:120],
            changes={"item_id": item.pk, "position": item.position, "basis": basis},
        )
    return item


def task_item_retire(*, actor: Actor, item_id: int) -> TaskItem:
    """Stop checking an item of an adopted task (kept for the records that quote it)."""
    with transaction.atomic():
        item = TaskItem.objects.filter(pk=item_id if isinstance(item_id, int) else -1).first()
        if item is None:
            raise NotFound(_("No such check item in your scope."))
        task = _adopted_task(actor, item.task_id)
        item = TaskItem.objects.select_for_update().get(pk=item.pk)
        if not item.active:
            raise Conflict(_("This item is no longer checked already."))
        if task.items.filter(active=True).count() <= 1:
            raise Conflict(_("A task keeps at least one item; stop the task instead."))
        item.active = False
        item.save(update_fields=["active"])
        audit_append(
            actor=actor,
            action="task_item_retire",
            obj=task,
            summary=item.content[:120],
            changes={"item_id": item.pk, "active": [True, False]},
        )
    return item


def library_sync() -> dict[str, int]:
    """Bring the library's lists up to date with the determination files (command
    `anjian manage checks_library`)."""
    from . import library

    with transaction.atomic():
        return library.sync(Checklist, ChecklistItem, Industry)

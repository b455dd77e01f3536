"""Shared set-up of the penalty tests: an officer of 东县消防救援大队 (a cooperating
department of chem_a), shortcuts to draft and decide penalties, and to walk a listing."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from anjian.accounts.models import Role, User
from anjian.core.audit import Actor
from anjian.inspections import penalties as rules
from anjian.inspections import untrustworthy as ut
from anjian.inspections.document_services import penalty_handlers
from anjian.penalties import services
from anjian.penalties.models import Listing, Penalty
from tests.world import PASSWORD, World

PLATE = "浙A12345"
CLAUSE = "《安全生产法》第一百零一条第（二）项"
_numbers = itertools.count(1)


def actor(user: User) -> Actor:
    return Actor.for_user(user, "web")


def add_fire_officer(world: World) -> User:
    user = User.objects.create_user(
        username="officer_fire_x",
        password=PASSWORD,
        role=Role.DEPARTMENT_OFFICER,
        display_name="officer_fire_x",
        division=world.county_x,
        department=world.fire_x,
    )
    world.users[user.username] = user
    return user


def at(day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 11, day, hour))


def draft(world: World, officer: str = "officer_emergency_x", **over: Any) -> Penalty:
    fields: dict[str, Any] = {
        "subject_kind": rules.USCC,
        "subject_value": world.chem_a.uscc,
        "subject_name": world.chem_a.name,
        "kind": rules.FINE,
        "amount": "20000",
        "clauses": CLAUSE,
        "facts_start": at(3, 9),
        "facts_end": at(3, 11),
        "place": "东镇一网格1号 罐区",
        "description": "未对重大危险源进行检测、评估、监控",
    }
    fields.update(over)
    return services.penalty_draft(actor=actor(world.user(officer)), **fields)


BASIS = "《中华人民共和国安全生产法》第一百零一条"
EVIDENCE = "现场检查记录\n现场照片3张"


def document_data(penalty: Penalty, user: User, **over: Any) -> dict[str, Any]:
    """What a penalty's document needs besides the penalty: its officers' certificate
    numbers, the evidence and the basis of the penalty."""
    data: dict[str, Any] = {
        "certificates": {u.pk: f"ZJ33{u.pk:05d}" for u in penalty_handlers(penalty, user)},
        "evidence": EVIDENCE,
        "penalty_basis": BASIS,
    }
    data.update(over)
    return data


def notify(world: World, penalty: Penalty, officer: str = "officer_emergency_x", **over: Any):
    user = world.user(officer)
    fields: dict[str, Any] = {"noticed_on": dt.date(2026, 11, 10)}
    fields.update(over)
    services.penalty_notify(
        actor=actor(user), penalty_id=penalty.pk, document=document_data(penalty, user), **fields
    )
    penalty.refresh_from_db()
    return penalty


def decide(
    world: World, penalty: Penalty, officer: str = "officer_emergency_x", **over: Any
) -> Penalty:
    """Notify (when a draft) and decide: a penalty on an enterprise takes its document's
    number, one on a plate or a person a typed one."""
    user = world.user(officer)
    if penalty.state == "draft":
        notify(world, penalty, officer)
    fields: dict[str, Any] = {"decided_on": dt.date(2026, 11, 20)}
    if penalty.enterprise_id is None:
        fields["number"] = f"东应急罚〔2026〕{next(_numbers)}号"
    else:
        fields["document"] = document_data(penalty, user)
    fields.update(over)
    return services.penalty_decide(actor=actor(user), penalty_id=penalty.pk, **fields)


def decided_penalty(world: World, **over: Any) -> Penalty:
    return decide(world, draft(world, **over))


def listing_to(world: World, listing: Listing, state: str, today: dt.date) -> Listing:
    """Walk a proposed listing to `state` along the main path."""
    who = actor(world.user("officer_emergency_x"))
    path = [
        (ut.NOTIFY, ut.NOTIFIED, today),
        (ut.DECIDE, ut.LISTED, today + dt.timedelta(days=30)),
        (ut.PUBLISH, ut.PUBLISHED, today + dt.timedelta(days=31)),
    ]
    for action, target, day in path:
        if listing.state == state:
            break
        listing = services.listing_apply(actor=who, listing_id=listing.pk, action=action, today=day)
        assert listing.state == target
    return listing

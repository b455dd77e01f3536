"""Responsibility lists (全员安全生产责任制, issue 15 item 7; 《安全生产法》(2021) 第二十二条):
the posts and their duties (`duty_post_save`), the yearly letters the workers of a post
sign (`duty_letters_record`, in bulk, idempotent), the principal's quarterly report of
duty performance (`duty_report_submit`, once a quarter, the principal only), and the
checks of duty_rules for an enterprise (`duty_status`) or for a regulator's
jurisdiction (`duty_overview`).

A worker's post is Worker.post, matched to a ResponsibilityPost by name (duty_rules
.post_key: spaces ignored): a letter is recorded only for a worker holding that post.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import REGULATOR_ROLES, Role
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.registry.models import Enterprise

from . import duty_rules as dr
from .models import DutyReport, ResponsibilityLetter, ResponsibilityPost, Worker

UNIT_ROLES = frozenset({Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_SAFETY_OFFICER})
POST_LIMIT = 64
DUTIES_LIMIT = 10000
REPORT_LIMIT = 20000
MAX_LETTERS = 500
OVERVIEW_LIMIT = 500


def is_regulator(user: Any) -> bool:
    return bool(scoping.is_active_user(user) and user.role in REGULATOR_ROLES)


def may_manage(user: Any) -> bool:
    return bool(scoping.is_active_user(user) and user.role in UNIT_ROLES and user.enterprise_id)


def is_principal(user: Any) -> bool:
    return bool(
        scoping.is_active_user(user)
        and user.role == Role.ENTERPRISE_PRINCIPAL
        and user.enterprise_id
    )


def visible_posts(user: Any) -> QuerySet[ResponsibilityPost]:
    return scoping.visible(user, ResponsibilityPost)


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PostRow:
    post: ResponsibilityPost
    workers: list[Worker]
    unsigned: list[Worker]


@dataclass(frozen=True)
class DutyStatus:
    enterprise: Enterprise
    year: int
    today: dt.date
    check: dr.DutyCheck
    rows: list[PostRow]
    unlisted: list[Worker]
    report_year: int
    report_quarter: int
    report_due: dt.date
    report_status: str
    reports: list[DutyReport]


def _enterprise(user: Any, enterprise_id: Any) -> Enterprise:
    if enterprise_id in (None, "") and scoping.is_active_user(user) and user.enterprise_id:
        enterprise_id = user.enterprise_id
    pk = _id(enterprise_id)
    ent = scoping.visible_enterprises(user).filter(pk=pk).first() if pk else None
    if ent is None:
        raise NotFound(_("No such enterprise in your scope."))
    return ent


def duty_status(
    user: Any, enterprise_id: Any = None, *, year: int | None = None, today: dt.date | None = None
) -> DutyStatus:
    ent = _enterprise(user, enterprise_id)
    today = today or timezone.localdate()
    year = year or today.year
    posts = list(visible_posts(user).filter(enterprise=ent, active=True).order_by("post", "pk"))
    workers = list(
        scoping.visible(user, Worker).filter(enterprise=ent, active=True).order_by("name", "pk")
    )
    letters = list(
        scoping.visible(user, ResponsibilityLetter)
        .filter(post__enterprise=ent, year=year)
        .values_list("worker_id", "post__post")
    )
    check = dr.check(
        posts={p.post: p.duties for p in posts},
        workers=[dr.WorkerLine(w.pk, w.post) for w in workers],
        signed=letters,
    )
    unsigned = set(check.unsigned)
    by_key: dict[str, list[Worker]] = defaultdict(list)
    for w in workers:
        by_key[dr.post_key(w.post)].append(w)
    rows = [
        PostRow(
            p,
            by_key.get(dr.post_key(p.post), []),
            [w for w in by_key.get(dr.post_key(p.post), []) if w.pk in unsigned],
        )
        for p in posts
    ]
    unlisted_ids = set(check.unlisted)
    ry, rq = dr.last_ended_quarter(today)
    reports = list(
        scoping.visible(user, DutyReport).filter(enterprise=ent).order_by("-year", "-quarter")[:12]
    )
    submitted = (
        any(r.year == ry and r.quarter == rq for r in reports)
        or DutyReport.objects.filter(enterprise=ent, year=ry, quarter=rq).exists()
    )
    return DutyStatus(
        enterprise=ent,
        year=year,
        today=today,
        check=check,
        rows=rows,
        unlisted=[w for w in workers if w.pk in unlisted_ids],
        report_year=ry,
        report_quarter=rq,
        report_due=dr.report_due(ry, rq),
        report_status=dr.report_status(ry, rq, submitted=submitted, today=today),
        reports=reports,
    )


@dataclass(frozen=True)
class OverviewRow:
    enterprise: Enterprise
    posts: int
    posts_without_duties: int
    workers: int
    missing: int
    report_status: str


def duty_overview(user: Any, *, today: dt.date | None = None) -> list[OverviewRow]:
    """For regulators: every enterprise in scope with its missing signatures this year and
    whether the last ended quarter's report is overdue. A few queries whatever the rows."""
    if not is_regulator(user) and not (
        scoping.is_active_user(user) and user.role == Role.PLATFORM_ADMIN
    ):
        raise Forbidden(_("Only regulators see the jurisdiction's responsibility lists."))
    today = today or timezone.localdate()
    year = today.year
    ry, rq = dr.last_ended_quarter(today)
    ents = list(scoping.visible_enterprises(user).order_by("name", "pk")[:OVERVIEW_LIMIT])
    ids = [e.pk for e in ents]
    posts: dict[int, dict[str, str]] = defaultdict(dict)
    for eid, name, duties in ResponsibilityPost.objects.filter(
        enterprise_id__in=ids, active=True
    ).values_list("enterprise_id", "post", "duties"):
        posts[eid][name] = duties
    workers: dict[int, list[dr.WorkerLine]] = defaultdict(list)
    for eid, wid, post in Worker.objects.filter(enterprise_id__in=ids, active=True).values_list(
        "enterprise_id", "pk", "post"
    ):
        workers[eid].append(dr.WorkerLine(wid, post))
    signed: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for eid, wid, post in ResponsibilityLetter.objects.filter(
        post__enterprise_id__in=ids, year=year
    ).values_list("post__enterprise_id", "worker_id", "post__post"):
        signed[eid].append((wid, post))
    reported = set(
        DutyReport.objects.filter(enterprise_id__in=ids, year=ry, quarter=rq).values_list(
            "enterprise_id", flat=True
        )
    )
    out = []
    for e in ents:
        c = dr.check(posts=posts[e.pk], workers=workers[e.pk], signed=signed[e.pk])
        out.append(
            OverviewRow(
                e,
                len(posts[e.pk]),
                len(c.posts_without_duties),
                len(workers[e.pk]),
                c.missing,
                dr.report_status(ry, rq, submitted=e.pk in reported, today=today),
            )
        )
    return out


# --- writing -----------------------------------------------------------------------------


def _id(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value < 2**63 else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
        return number if 0 < number < 2**63 else None
    return None


def _text(
    errors: dict[str, list[str]], value: Any, name: str, limit: int, required: bool = True
) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.setdefault(name, []).append(_("Enter text."))
        return ""
    value = value.strip()
    if required and not value:
        errors.setdefault(name, []).append(_("This field is required."))
    elif len(value) > limit:
        errors.setdefault(name, []).append(_("At most %(n)d characters.") % {"n": limit})
    return value


def _int_in(errors, value: Any, name: str, low: int, high: int) -> int:
    number = value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    if number is None or not low <= number <= high:
        errors.setdefault(name, []).append(
            _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
        )
        return low
    return number


def _date(errors, value: Any, name: str) -> dt.date:
    today = timezone.localdate()
    if value in (None, ""):
        return today
    day = value if isinstance(value, dt.date) else None
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None:
        errors.setdefault(name, []).append(_("Enter a date (YYYY-MM-DD)."))
        return today
    if day > today:
        errors.setdefault(name, []).append(_("The date may not be in the future."))
    return day


def duty_post_save(
    *, actor: Actor, post: Any, duties: Any, active: Any = True
) -> ResponsibilityPost:
    """Add a post to the enterprise's list, or replace the duties of a post already in it
    (the principal or a safety officer)."""
    user = actor.user
    if not may_manage(user):
        raise Forbidden(_("Only the enterprise's principal or safety officer keeps its list."))
    errors: dict[str, list[str]] = {}
    name = " ".join(_text(errors, post, "post", POST_LIMIT).split())
    # Duties may come later: a post listed without them is flagged (duty_rules.check).
    text = _text(errors, duties, "duties", DUTIES_LIMIT, required=False)
    if not isinstance(active, bool):
        errors.setdefault("active", []).append(_("Enter true or false."))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        Enterprise.objects.select_for_update().get(pk=user.enterprise_id)
        same = [
            p
            for p in ResponsibilityPost.objects.select_for_update().filter(
                enterprise_id=user.enterprise_id
            )
            if dr.post_key(p.post) == dr.post_key(name)
        ]
        if same:
            row = same[0]
            before = {"duties": row.duties, "active": row.active}
            row.duties, row.active, row.updated_at = text, active, timezone.now()
            row.save(update_fields=["duties", "active", "updated_at"])
            action = "duty_post_update"
        else:
            before = {}
            row = ResponsibilityPost.objects.create(
                enterprise_id=user.enterprise_id, post=name, duties=text, active=active
            )
            action = "duty_post_create"
        audit_append(
            actor=actor,
            action=action,
            obj=row,
            summary=row.post,
            changes={"before": before, "duties": text, "active": active},
        )
    return row


def duty_letters_record(
    *, actor: Actor, post_id: Any, worker_ids: Any, year: Any = None, signed_on: Any = None
) -> list[ResponsibilityLetter]:
    """Record the letters signed by workers of a post for a year, in bulk. Workers who
    already signed this year's are skipped (a second submission changes nothing); a
    worker not holding the post, or not the enterprise's, is refused."""
    user = actor.user
    pk = _id(post_id)
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    year = today.year if year in (None, "") else _int_in(errors, year, "year", 2000, today.year + 1)
    day = _date(errors, signed_on, "signed_on")
    if not isinstance(worker_ids, list) or not worker_ids:
        errors.setdefault("worker_ids", []).append(_("Choose at least one worker."))
        ids: list[int] = []
    else:
        ids = [_id(w) for w in worker_ids]
        if None in ids or len(ids) > MAX_LETTERS:
            errors.setdefault("worker_ids", []).append(_("Choose workers from the list."))
        ids = sorted({i for i in ids if i})
    with transaction.atomic():
        if pk is None or not visible_posts(user).filter(pk=pk).exists():
            raise NotFound(_("No such post in your scope."))
        post = ResponsibilityPost.objects.select_for_update().get(pk=pk)
        if not may_manage(user) or user.enterprise_id != post.enterprise_id:
            raise Forbidden(_("Only the enterprise's principal or safety officer records letters."))
        if not post.active:
            raise Conflict(_("This post is no longer in use."))
        workers = {
            w.pk: w
            for w in Worker.objects.filter(
                pk__in=ids, enterprise_id=post.enterprise_id, active=True
            )
        }
        wrong = [
            i
            for i in ids
            if i not in workers or dr.post_key(workers[i].post) != dr.post_key(post.post)
        ]
        if wrong:
            errors.setdefault("worker_ids", []).append(
                _("Not a worker of this post: %(ids)s.") % {"ids": ", ".join(map(str, wrong))}
            )
        if errors:
            raise ValidationFailed(errors)
        done = set(
            ResponsibilityLetter.objects.filter(
                post=post, year=year, worker_id__in=ids
            ).values_list("worker_id", flat=True)
        )
        created = []
        for wid in ids:
            if wid in done:
                continue
            try:
                with transaction.atomic():
                    created.append(
                        ResponsibilityLetter.objects.create(
                            post=post, worker_id=wid, year=year, signed_on=day, recorded_by=user
                        )
                    )
            except IntegrityError:  # recorded at the same moment by someone else
                continue
        if created:
            audit_append(
                actor=actor,
                action="duty_letters_record",
                obj=post,
                summary=f"{post.post} {year}: {len(created)}",
                changes={"year": year, "signed_on": day, "workers": [e.worker_id for e in created]},
            )
    return created


def duty_report_submit(*, actor: Actor, year: Any, quarter: Any, text: Any) -> DutyReport:
    """The principal's report on duty performance for a quarter that has begun; one per
    quarter (a second is a Conflict)."""
    user = actor.user
    if not is_principal(user):
        raise Forbidden(_("Only the enterprise's principal reports on duty performance."))
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    y = _int_in(errors, year, "year", 2000, today.year)
    q = _int_in(errors, quarter, "quarter", 1, 4)
    body = _text(errors, text, "text", REPORT_LIMIT)
    if not errors and dr.quarter_start(y, q) > today:
        errors.setdefault("quarter", []).append(_("This quarter has not begun."))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        Enterprise.objects.select_for_update().get(pk=user.enterprise_id)
        if DutyReport.objects.filter(enterprise_id=user.enterprise_id, year=y, quarter=q).exists():
            raise Conflict(_("The report for this quarter was already submitted."))
        report = DutyReport.objects.create(
            enterprise_id=user.enterprise_id, year=y, quarter=q, text=body, submitted_by=user
        )
        audit_append(
            actor=actor,
            action="duty_report_submit",
            obj=report,
            summary=f"{y}Q{q}",
            changes={"year": y, "quarter": q, "late": today > dr.report_due(y, q)},
        )
    return report

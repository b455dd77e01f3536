"""Daily commitment notices: submitting and correcting them, the job that flags missing
ones after 10:00, and the scoped reads the pages use (who owes a notice, the day's board,
an enterprise's history, declared states against what monitoring saw).

Who writes: the enterprise's principal and safety officer, for their own enterprise.
Everybody reads through anjian.core.scoping (enterprise staff their own enterprise,
regulators their scope, the platform administrator everything).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import Role
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.people.commitment_counts import compare_notices
from anjian.registry.models import Enterprise, EnterpriseStatus
from anjian.risks.models import MajorHazardInstallation, RiskUnit

from . import observed, rules
from .models import DailyCommitment, DeclaredUnit, MissingNotice, UnitState

JOB_ACTOR = Actor.system("job", "commitments_flag_missing")
SUBMITTERS = frozenset({Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_SAFETY_OFFICER})
TZ = settings.TIME_ZONE


def may_submit(user: Any, enterprise_id: int) -> bool:
    return (
        scoping.is_active_user(user)
        and user.role in SUBMITTERS
        and user.enterprise_id == enterprise_id
    )


# --- who owes a notice ------------------------------------------------------------------


def owing(enterprises: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    """The enterprises of `enterprises` that owe a daily notice (rules.owes_notice, in SQL)."""
    # One set of ids (a UNION of the flagged and of those with a major installation), not
    # "flag OR EXISTS": an OR with a subquery makes PostgreSQL test every enterprise in
    # scope (100,000 for a county) to find the few thousand that owe; the UNION starts
    # from those few (the partial index enterprise_major_flag).
    flagged = Enterprise.objects.filter(has_major_hazard=True).order_by().values("pk")
    installed = (
        MajorHazardInstallation.objects.filter(is_major=True).order_by().values("enterprise_id")
    )
    return enterprises.exclude(status=EnterpriseStatus.CLOSED).filter(
        pk__in=flagged.union(installed)
    )


def enterprise_owes(enterprise_id: int) -> bool:
    return owing(Enterprise.objects.filter(pk=enterprise_id)).exists()


# --- the units an enterprise declares ---------------------------------------------------


@dataclass(frozen=True)
class Unit:
    key: rules.UnitKey
    name: str
    kind_label: str


def units_of(enterprise_id: int) -> list[Unit]:
    """Every unit the enterprise declares: its major hazard installations, then its risk
    analysis units, by name."""
    out = [
        Unit((rules.INSTALLATION, pk), name, str(_("major hazard installation")))
        for pk, name in MajorHazardInstallation.objects.filter(enterprise_id=enterprise_id)
        .order_by("name", "pk")
        .values_list("pk", "name")
    ]
    out += [
        Unit((rules.RISK_UNIT, pk), name, str(_("risk unit")))
        for pk, name in RiskUnit.objects.filter(enterprise_id=enterprise_id)
        .order_by("name", "pk")
        .values_list("pk", "name")
    ]
    return out


def latest_before(enterprise_id: int, day: dt.date) -> DailyCommitment | None:
    return (
        DailyCommitment.objects.filter(enterprise_id=enterprise_id, date__lt=day, is_current=True)
        .order_by("-date")
        .first()
    )


def current_for(enterprise_id: int, day: dt.date) -> DailyCommitment | None:
    return DailyCommitment.objects.filter(
        enterprise_id=enterprise_id, date=day, is_current=True
    ).first()


def prefill(enterprise_id: int, day: dt.date) -> dict[str, Any]:
    """Initial values of the form of `day`: each unit's state as declared on the previous
    notice (running if new), the principal's name from the registry and the usual wording."""
    units = units_of(enterprise_id)
    prev = latest_before(enterprise_id, day)
    prev_states = {u.key: u.state for u in prev.units.all()} if prev else {}
    states = rules.prefill_states([u.key for u in units], prev_states)
    enterprise = Enterprise.objects.only("principal").get(pk=enterprise_id)
    return {
        "units": units,
        "states": states,
        "principal_name": (prev.principal_name if prev else "") or enterprise.principal,
        "commitment": rules.DEFAULT_COMMITMENT,
        "previous": prev,
    }


# --- writes ---------------------------------------------------------------------------------


@dataclass
class NoticeData:
    """What a notice says. `states` maps each unit key to running / stopped / maintenance."""

    principal_name: str
    commitment: str
    judgement: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    states: dict[rules.UnitKey, str] = field(default_factory=dict)


def _validate(enterprise_id: int, data: NoticeData) -> list[Unit]:
    errors: dict[str, list[str]] = {}
    if not data.principal_name.strip():
        errors["principal_name"] = [_("Give the principal's name.")]
    elif len(data.principal_name.strip()) > 64:
        errors["principal_name"] = [_("At most 64 characters.")]
    if not data.commitment.strip():
        errors["commitment"] = [_("The principal's commitment is required.")]
    for name, problem in rules.validate_counts(data.counts).items():
        errors[name] = [
            _("Enter a whole number from 0 to %(max)d.") % {"max": rules.COUNT_MAX}
            if problem == "out_of_range"
            else _("Enter a whole number.")
        ]
    units = units_of(enterprise_id)
    known = {u.key for u in units}
    for key, state in data.states.items():
        if key not in known:
            errors.setdefault("units", []).append(_("A unit is not one of this enterprise's."))
            break
        if state not in rules.UNIT_STATES:
            errors[f"unit_{key[0]}_{key[1]}"] = [_("Choose running, stopped or maintenance.")]
    for unit in units:
        if unit.key not in data.states:
            errors[f"unit_{unit.key[0]}_{unit.key[1]}"] = [_("Declare this unit's state.")]
    if errors:
        raise ValidationFailed(errors)
    return units


def _write(
    *,
    actor: Actor,
    enterprise_id: int,
    day: dt.date,
    data: NoticeData,
    units: list[Unit],
    now: dt.datetime,
    version: int,
    supersedes: DailyCommitment | None,
    reason: str,
) -> DailyCommitment:
    counts = {name: data.counts.get(name, 0) for name in rules.COUNT_FIELDS}
    notice = DailyCommitment.objects.create(
        enterprise_id=enterprise_id,
        date=day,
        version=version,
        supersedes=supersedes,
        is_current=True,
        submitted_at=now,
        submitted_by=actor.user,
        submitted_by_label=actor.label,
        late=rules.is_late(now, day, TZ),
        principal_name=data.principal_name.strip(),
        commitment=data.commitment.strip(),
        judgement=data.judgement.strip(),
        correction_reason=reason,
        **counts,
    )
    DeclaredUnit.objects.bulk_create(
        DeclaredUnit(
            commitment=notice,
            installation_id=u.key[1] if u.key[0] == rules.INSTALLATION else None,
            risk_unit_id=u.key[1] if u.key[0] == rules.RISK_UNIT else None,
            name=u.name[:128],
            state=data.states[u.key],
        )
        for u in units
    )
    audit_append(
        actor=actor,
        action="commitment_correct" if supersedes else "commitment_submit",
        obj=notice,
        summary=f"{enterprise_id} {day.isoformat()} v{version}",
        changes={
            "date": day.isoformat(),
            "version": version,
            "late": notice.late,
            "principal_name": notice.principal_name,
            "counts": counts,
            "states": {f"{k[0]}:{k[1]}": s for k, s in data.states.items()},
            **({"reason": reason} if reason else {}),
        },
    )
    return notice


def _check_writer(actor: Actor, enterprise_id: int) -> None:
    if actor.user is None or not may_submit(actor.user, enterprise_id):
        if (
            actor.user is not None
            and not scoping.visible_enterprises(actor.user).filter(pk=enterprise_id).exists()
        ):
            raise NotFound(_("No such enterprise."))
        raise Forbidden(_("Only the enterprise's principal or safety officer submits the notice."))


def commitment_submit(
    *,
    actor: Actor,
    enterprise_id: int,
    data: NoticeData,
    day: dt.date | None = None,
    now: dt.datetime | None = None,
) -> DailyCommitment:
    """Submit the notice of `day` (today by default; a past day may be submitted late, a
    future day not). A second submission of the same day is refused: correct instead."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    day = day or today
    _check_writer(actor, enterprise_id)
    if day > today:
        raise ValidationFailed({"date": [_("A notice cannot be submitted for a future day.")]})
    return _write_first(
        actor=actor, enterprise_id=enterprise_id, day=day, data=data, submitted_at=now
    )


def _write_first(
    *, actor: Actor, enterprise_id: int, day: dt.date, data: NoticeData, submitted_at: dt.datetime
) -> DailyCommitment:
    """The first version of a day's notice, validated; a day already on record is refused."""
    units = _validate(enterprise_id, data)
    try:
        with transaction.atomic():
            # Lock the enterprise: two submissions of one day queue here.
            Enterprise.objects.select_for_update().filter(pk=enterprise_id).first()
            if DailyCommitment.objects.filter(enterprise_id=enterprise_id, date=day).exists():
                raise Conflict(_("The notice of this day was submitted already; correct it."))
            return _write(
                actor=actor,
                enterprise_id=enterprise_id,
                day=day,
                data=data,
                units=units,
                now=submitted_at,
                version=1,
                supersedes=None,
                reason="",
            )
    except IntegrityError as exc:  # lost a race the lock did not cover (SQLite)
        raise Conflict(_("The notice of this day was submitted already; correct it.")) from exc


def commitment_correct(
    *,
    actor: Actor,
    commitment_id: int,
    data: NoticeData,
    reason: str,
    now: dt.datetime | None = None,
) -> DailyCommitment:
    """Correct a submitted notice: a new version supersedes the current one, which is kept
    unchanged (only its `is_current` flag drops). Refused on a version already superseded."""
    now = now or timezone.now()
    old = DailyCommitment.objects.filter(pk=commitment_id).only("enterprise_id").first()
    if old is None:
        raise NotFound(_("No such notice."))
    _check_writer(actor, old.enterprise_id)
    errors = {}
    if not reason.strip():
        errors["reason"] = [_("Say why the notice is corrected.")]
    try:
        units = _validate(old.enterprise_id, data)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    try:
        with transaction.atomic():
            locked = DailyCommitment.objects.select_for_update().get(pk=commitment_id)
            if not locked.is_current:
                raise Conflict(_("This notice was corrected meanwhile; open the newest version."))
            DailyCommitment.objects.filter(pk=locked.pk).update(is_current=False)
            return _write(
                actor=actor,
                enterprise_id=locked.enterprise_id,
                day=locked.date,
                data=data,
                units=units,
                now=now,
                version=locked.version + 1,
                supersedes=locked,
                reason=reason.strip()[:255],
            )
    except IntegrityError as exc:
        raise Conflict(_("This notice was corrected meanwhile; open the newest version.")) from exc


def commitment_load(
    *,
    actor: Actor,
    enterprise_id: int,
    day: dt.date,
    data: NoticeData,
    submitted_at: dt.datetime,
) -> DailyCommitment:
    """Load a notice submitted elsewhere (a migration from another platform, the demo's
    history): the machine's or the platform administrator's write, with the time it was
    submitted there (late after 10:00 like any other). Validated like a submission; a day
    already on record is refused."""
    user = actor.user
    if user is not None and user.role != Role.PLATFORM_ADMIN:
        raise Forbidden(_("Only the platform loads notices submitted elsewhere."))
    if timezone.localdate(submitted_at) < day:
        raise ValidationFailed({"date": [_("A notice cannot be submitted for a future day.")]})
    return _write_first(
        actor=actor, enterprise_id=enterprise_id, day=day, data=data, submitted_at=submitted_at
    )


# --- the job ------------------------------------------------------------------------------


def _tell_enterprise(enterprise_id: int, day: dt.date) -> None:
    from django.urls import reverse

    from anjian.accounts.models import User
    from anjian.core.notify import notify

    notify(
        recipients=User.objects.filter(
            enterprise_id=enterprise_id, role__in=list(SUBMITTERS), is_active=True
        ),
        kind="deadline",
        title=_("The daily commitment notice of %(day)s is missing") % {"day": day.isoformat()},
        body=_(
            "It was due by 10:00. Submit it now: it will be recorded as late, and the "
            "regulators see it as missing until then."
        ),
        link=reverse("commitments:today"),
    )


def commitments_flag_missing(
    *, day: dt.date | None = None, now: dt.datetime | None = None
) -> dict[str, int]:
    """After 10:00, flag every enterprise that owes the notice of `day` (today) and has
    none, and tell its principal and safety officers. Idempotent: an enterprise is flagged
    and told once per day; before the deadline nothing happens."""
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    if now <= rules.deadline(day, TZ):
        return {"flagged": 0, "already": 0, "before_deadline": 1}
    submitted = DailyCommitment.objects.filter(enterprise=OuterRef("pk"), date=day)
    flagged_already = MissingNotice.objects.filter(enterprise=OuterRef("pk"), date=day)
    candidates = (
        owing(Enterprise.objects.all())
        .exclude(Exists(submitted))
        .annotate(flagged=Exists(flagged_already))
        .values_list("pk", "flagged")
    )
    flagged = already = 0
    for enterprise_id, was_flagged in candidates:
        if was_flagged:
            already += 1
            continue
        try:
            with transaction.atomic():
                row = MissingNotice.objects.create(
                    enterprise_id=enterprise_id, date=day, flagged_at=now
                )
                audit_append(
                    actor=JOB_ACTOR,
                    action="commitment_missing",
                    obj=row,
                    summary=f"{enterprise_id} {day.isoformat()}",
                    changes={"date": day.isoformat()},
                )
                _tell_enterprise(enterprise_id, day)
        except IntegrityError:
            already += 1  # flagged meanwhile by another run
            continue
        flagged += 1
    return {"flagged": flagged, "already": already, "before_deadline": 0}


# --- reads ----------------------------------------------------------------------------------


def visible_notices(user: Any) -> QuerySet[DailyCommitment]:
    return scoping.visible(user, DailyCommitment)


def get_notice(user: Any, pk: int) -> DailyCommitment:
    notice = (
        visible_notices(user)
        .select_related("enterprise", "supersedes", "submitted_by")
        .prefetch_related("units")
        .filter(pk=pk)
        .first()
    )
    if notice is None:
        raise NotFound(_("No such notice."))
    return notice


def history(user: Any, enterprise_id: int) -> tuple[Enterprise, QuerySet[DailyCommitment]]:
    enterprise = scoping.visible_enterprises(user).filter(pk=enterprise_id).first()
    if enterprise is None:
        raise NotFound(_("No such enterprise."))
    notices = (
        visible_notices(user).filter(enterprise_id=enterprise_id).order_by("-date", "-version")
    )
    return enterprise, notices


@dataclass
class BoardRow:
    enterprise: Enterprise
    status: str
    notice: DailyCommitment | None  # the current version
    first_submitted_at: dt.datetime | None
    versions: int


def day_board(user: Any, day: dt.date, now: dt.datetime | None = None) -> list[BoardRow]:
    """Every enterprise in the user's scope that owes the notice of `day`, with its status
    (on time / late / missing / due) and its current version. Three queries."""
    now = now or timezone.now()
    enterprises = list(
        owing(scoping.visible_enterprises(user))
        .select_related("division")
        .order_by("division__code", "name")
    )
    ids = [e.pk for e in enterprises]
    current: dict[int, DailyCommitment] = {}
    first: dict[int, dt.datetime] = {}
    versions: dict[int, int] = {}
    for n in DailyCommitment.objects.filter(enterprise_id__in=ids, date=day).order_by("version"):
        versions[n.enterprise_id] = versions.get(n.enterprise_id, 0) + 1
        first.setdefault(n.enterprise_id, n.submitted_at)
        if n.is_current:
            current[n.enterprise_id] = n
    return [
        BoardRow(
            enterprise=e,
            status=rules.day_status(day, now, first.get(e.pk), TZ),
            notice=current.get(e.pk),
            first_submitted_at=first.get(e.pk),
            versions=versions.get(e.pk, 0),
        )
        for e in enterprises
    ]


def status_counts(rows: Iterable[BoardRow]) -> dict[str, int]:
    counts = dict.fromkeys(rules.DAY_STATUSES, 0)
    for row in rows:
        counts[row.status] += 1
    return counts


def day_counts(user: Any, day: dt.date, now: dt.datetime | None = None) -> dict[str, int]:
    """status_counts of the day's board in one aggregate query (the home tile: no rows)."""
    now = now or timezone.now()
    due_at = rules.deadline(day, TZ)
    enterprises = owing(scoping.visible_enterprises(user))
    # The day's first versions of the owing enterprises (one per enterprise: the unique
    # constraint), counted on their side, rather than a subquery per enterprise.
    got = DailyCommitment.objects.filter(
        date=day, version=1, enterprise_id__in=enterprises.values("pk")
    ).aggregate(
        on_time=Count("pk", filter=Q(submitted_at__lte=due_at)),
        late=Count("pk", filter=Q(submitted_at__gt=due_at)),
    )
    unsent = enterprises.count() - got["on_time"] - got["late"]
    past = now > due_at
    return {**got, rules.MISSING: unsent if past else 0, rules.DUE: 0 if past else unsent}


def today_status(enterprise_id: int, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    day = timezone.localdate(now)
    first = (
        DailyCommitment.objects.filter(enterprise_id=enterprise_id, date=day, version=1)
        .values_list("submitted_at", flat=True)
        .first()
    )
    return rules.day_status(day, now, first, TZ)


@dataclass
class DifferenceRow:
    notice: DailyCommitment
    unit_name: str
    declared: str
    kind: str
    alarms: int
    points: int

    @property
    def declared_label(self) -> str:
        return str(UnitState(self.declared).label)


def _day_window(day: dt.date, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    since = dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(TZ))
    return since, min(since + dt.timedelta(days=1), max(now, since))


def differences(
    user: Any, day: dt.date, now: dt.datetime | None = None
) -> tuple[list[DifferenceRow], int]:
    """Declared states of the day's current notices in the user's scope against what
    monitoring observed that day (anjian.commitments.observed). Returns the differences and
    the number of notices compared."""
    now = now or timezone.now()
    notices = list(
        visible_notices(user)
        .filter(date=day, is_current=True)
        .select_related("enterprise")
        .prefetch_related("units")
        .order_by("enterprise__name")
    )
    declared_units = [u for n in notices for u in n.units.all()]
    since, until = _day_window(day, now)
    seen = observed.observe({u.key for u in declared_units}, since, until)
    rows: list[DifferenceRow] = []
    for n in notices:
        units = {u.key: u for u in n.units.all()}
        for diff in rules.compare(
            {k: u.state for k, u in units.items()}, {k: seen.get(k) for k in units}
        ):
            obs = seen.get(diff.unit)
            rows.append(
                DifferenceRow(
                    notice=n,
                    unit_name=units[diff.unit].name,
                    declared=diff.declared,
                    kind=diff.kind,
                    alarms=diff.alarms,
                    points=obs.points if obs else 0,
                )
            )
    return rows, len(notices)


@dataclass
class PermitDifference:
    """A notice's declared count of one kind of special work against the permits this
    platform recorded for that enterprise and day (anjian.people). Fewer declared than
    recorded is the telling case: work done without being declared."""

    notice: DailyCommitment
    field: str
    label: str
    declared: int
    recorded: int

    @property
    def undeclared(self) -> bool:
        return self.recorded > self.declared


def _permit_differences(notices: list[DailyCommitment], day: dt.date) -> list[PermitDifference]:
    by_notice = compare_notices(notices, day)
    rows = []
    for n in notices:
        for name, declared, recorded in by_notice.get(n.pk, ()):
            label = str(DailyCommitment._meta.get_field(name).verbose_name)
            rows.append(PermitDifference(n, name, label, declared, recorded))
    return rows


def permit_differences(user: Any, day: dt.date) -> list[PermitDifference]:
    """Declared special work of the day's current notices in the user's scope against the
    permits recorded, undeclared work first."""
    notices = list(
        visible_notices(user)
        .filter(date=day, is_current=True)
        .select_related("enterprise")
        .order_by("enterprise__name")
    )
    rows = _permit_differences(notices, day)
    return sorted(rows, key=lambda r: not r.undeclared)


def notice_permit_differences(notice: DailyCommitment) -> list[PermitDifference]:
    """The same for one notice (its page)."""
    return _permit_differences([notice], notice.date)


def states_from_post(units: list[Unit], post: Mapping[str, str]) -> dict[rules.UnitKey, str]:
    """The declared states in a form post (`unit_<kind>_<pk>` → state); absent ones left out."""
    out: dict[rules.UnitKey, str] = {}
    for u in units:
        value = post.get(field_name(u.key))
        if value:
            out[u.key] = value
    return out


def field_name(key: rules.UnitKey) -> str:
    return f"unit_{key[0]}_{key[1]}"


STATE_CHOICES = UnitState.choices

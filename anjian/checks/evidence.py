"""Authenticity signals as sentences: a signal's code and evidence dict (anjian.checks.
authenticity) → a title, a summary with its figures and detail lines, and the record ids
to link. English msgids, Chinese on the pages (zh-hans). No database access: checker and
unit names come in a mapping the page reads in one query each (`names`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Lines shown per signal: the figures say how many there are in all.
DETAIL_LINES = 3
LINKS = 10

TITLES = {
    "identical_answers": gettext_lazy("Identical answers and text"),
    "normal_despite_findings": gettext_lazy("All normal while others found problems"),
    "alarm_during_normal_check": gettext_lazy("Sensor alarm during a check marked normal"),
    "burst": gettext_lazy("Many checks filled in at one sitting"),
    "back_dated": gettext_lazy("Back-dated check"),
    "too_short": gettext_lazy("Too quick for its items"),
    "far_from_site": gettext_lazy("Position far from the site"),
    "photo_reused": gettext_lazy("Photo reused"),
    "shared_device": gettext_lazy("Device shared by checkers"),
}


@dataclass
class Rendered:
    code: str
    title: str
    summary: str = ""
    details: list[str] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)


@dataclass
class Names:
    """Display names of the evidence's checkers (user ids) and units ("u<id>"/"i<id>")."""

    checkers: Mapping[str, str] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)

    def checker(self, value: Any) -> str:
        return self.checkers.get(str(value), str(value))

    def unit(self, value: Any) -> str:
        return self.units.get(str(value), str(value))


def when(value: Any) -> str:
    """An ISO time of the evidence in local time, to the minute."""
    if not value:
        return "—"
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


def _ids(values: Sequence[Any]) -> list[int]:
    out = []
    for value in values:
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            continue
    return out


# Device ids and photo hashes are codes, shown as such (monospace, not words to translate).
MONO = ("device", "photo")


def _fill(template: str, params: Mapping[str, Any], *, mono: Sequence[str] = ()) -> str:
    """`template % params` as safe HTML: every value escaped (notes and names are user
    text), the codes among them in a monospace span."""
    values = {
        key: format_html('<span class="mono">{}</span>', value)
        if key in mono
        else conditional_escape(value)
        for key, value in params.items()
    }
    return mark_safe(template % values)


def _detail(code: str, ev: Mapping[str, Any], names: Names) -> str:
    """One group's or one record's evidence as a sentence."""
    if code == "identical_answers":
        return _fill(
            _("%(checker)s wrote “%(note)s” with the same answers on %(records)s records."),
            {
                "checker": names.checker(ev.get("checker")),
                "note": ev.get("note", ""),
                "records": ev.get("records", 0),
            },
            mono=MONO,
        )
    if code == "normal_despite_findings":
        return _fill(
            _(
                "%(unit)s: %(records)s checks over %(days)s days (%(from)s to %(to)s) found no "
                "hazard, while others found %(findings)s problems and sensors raised %(alarms)s "
                "alarms there."
            ),
            {
                "unit": names.unit(ev.get("unit")),
                "records": ev.get("records", 0),
                "days": ev.get("days", 0),
                "from": when(ev.get("from")),
                "to": when(ev.get("to")),
                "findings": len(ev.get("findings", ())),
                "alarms": len(ev.get("alarms", ())),
            },
            mono=MONO,
        )
    if code == "alarm_during_normal_check":
        return _fill(
            _(
                "Checked %(check_from)s to %(check_to)s, all %(items)s items normal, while a "
                "sensor alarm at %(unit)s was active from %(alarm_from)s to %(alarm_to)s."
            ),
            {
                "check_from": when(ev.get("check_from")),
                "check_to": when(ev.get("check_to")),
                "items": ev.get("items", 0),
                "unit": names.unit(ev.get("unit")),
                "alarm_from": when(ev.get("alarm_from")),
                "alarm_to": when(ev.get("alarm_to")),
            },
            mono=MONO,
        )
    if code == "burst":
        return _fill(
            _(
                "%(checker)s submitted %(records)s checks due on %(due_days)s different days "
                "(%(due_from)s to %(due_to)s) within %(minutes)s minutes, from %(submitted_from)s."
            ),
            {
                "checker": names.checker(ev.get("checker")),
                "records": ev.get("records", 0),
                "due_days": ev.get("due_days", 0),
                "due_from": when(ev.get("due_from")),
                "due_to": when(ev.get("due_to")),
                "minutes": ev.get("minutes", 0),
                "submitted_from": when(ev.get("submitted_from")),
            },
            mono=MONO,
        )
    if code == "back_dated":
        return _fill(
            _(
                "Due %(due_at)s, claimed started %(started_at)s, but submitted %(submitted_at)s: "
                "%(hours)s hours after the due time."
            ),
            {
                "due_at": when(ev.get("due_at")),
                "started_at": when(ev.get("started_at")),
                "submitted_at": when(ev.get("submitted_at")),
                "hours": ev.get("hours_after_due", 0),
            },
            mono=MONO,
        )
    if code == "too_short":
        return _fill(
            _(
                "%(items)s items in %(seconds)s seconds (%(per_item)s s an item, less than "
                "%(threshold)s s)."
            ),
            {
                "items": ev.get("items", 0),
                "seconds": ev.get("seconds", 0),
                "per_item": ev.get("seconds_per_item", 0),
                "threshold": ev.get("threshold", 0),
            },
            mono=MONO,
        )
    if code == "far_from_site":
        return _fill(
            _("Position %(distance)s m from the site (more than %(threshold)s m)."),
            {
                "distance": ev.get("distance_m", 0),
                "threshold": round(ev.get("threshold_m", 0)),
            },
            mono=MONO,
        )
    if code == "photo_reused":
        return _fill(
            _(
                "Its photo %(photo)s matches photos of %(others)s other records in "
                "%(enterprises)s enterprises."
            ),
            {
                "photo": ev.get("photo", ""),
                "others": ev.get("other_records", 0),
                "enterprises": len(ev.get("enterprises", ())),
            },
            mono=MONO,
        )
    if code == "shared_device":
        if "with" in ev:  # one record's evidence
            return _fill(
                _("Device %(device)s was used by %(checker)s together with %(others)s."),
                {
                    "device": ev.get("device", ""),
                    "checker": names.checker(ev.get("checker")),
                    "others": "、".join(names.checker(w.get("checker")) for w in ev["with"]),
                },
                mono=MONO,
            )
        return _fill(
            _(
                "Device %(device)s: %(checkers)s checkers in %(enterprises)s enterprises used it "
                "together for %(records)s records."
            ),
            {
                "device": ev.get("device", ""),
                "checkers": len(ev.get("checkers", ())),
                "enterprises": len(ev.get("enterprises", ())),
                "records": ev.get("records", 0),
            },
            mono=MONO,
        )
    return ""


def render_enterprise_signal(signal: Mapping[str, Any], names: Names | None = None) -> Rendered:
    """An enterprise signal (evidence with records, of, share, penalty, ids and groups or
    examples) as a title, a summary and up to DETAIL_LINES detail lines."""
    names = names or Names()
    code = str(signal.get("name", ""))
    ev = signal.get("evidence") or {}
    out = Rendered(code=code, title=str(TITLES.get(code, code)))
    out.summary = _(
        "%(records)s of %(of)s records (%(share)s%%); the score loses %(penalty)s%% for it."
    ) % {
        "records": ev.get("records", 0),
        "of": ev.get("of", 0),
        "share": round(float(ev.get("share", 0)) * 100, 1),
        "penalty": round(float(ev.get("penalty", 0)) * 100, 1),
    }
    for group in (ev.get("groups") or [])[:DETAIL_LINES]:
        out.details.append(_detail(code, group, names))
    for example in (ev.get("examples") or [])[:DETAIL_LINES]:
        out.details.append(
            _fill(
                _("Record %(id)s: %(text)s"),
                {"id": example.get("id"), "text": _detail(code, example, names)},
            )
        )
    extra = int(ev.get("group_count", 0)) - DETAIL_LINES
    if extra > 0:
        out.details.append(_("and %(count)s more like these.") % {"count": extra})
    out.ids = sorted(_ids(ev.get("ids") or []))[:LINKS]  # the scorer sorts ids as text
    return out


def render_record_signal(signal: Mapping[str, Any], names: Names | None = None) -> Rendered:
    """A record's signal: its title and its own evidence as one sentence."""
    names = names or Names()
    code = str(signal.get("name", ""))
    ev = signal.get("evidence") or {}
    out = Rendered(code=code, title=str(TITLES.get(code, code)))
    out.summary = _detail(code, ev, names)
    if code == "photo_reused":
        out.ids = _ids([e.get("id") for e in ev.get("examples", ())])[:LINKS]
    elif code == "shared_device" and "with" in ev:
        out.ids = _ids([w.get("id") for w in ev["with"]])[:LINKS]
    return out


def referenced(signals: Sequence[Mapping[str, Any]]) -> tuple[set[str], set[str]]:
    """Checker ids and unit keys the evidence names, for one query each."""
    checkers: set[str] = set()
    units: set[str] = set()

    def visit(ev: Mapping[str, Any]) -> None:
        if ev.get("checker"):
            checkers.add(str(ev["checker"]))
        if ev.get("unit"):
            units.add(str(ev["unit"]))
        for w in ev.get("with", ()) or ():
            if isinstance(w, Mapping) and w.get("checker"):
                checkers.add(str(w["checker"]))
        for key in ("groups", "examples"):
            for inner in ev.get(key, ()) or ():
                if isinstance(inner, Mapping):
                    visit(inner)

    for signal in signals:
        visit(signal.get("evidence") or {})
    return checkers, units

"""The ledger in the shape of the national table t_yhzlxx (隐患治理信息), as the provincial
dual-prevention platforms take it: one JSON object per hazard with the table's own keys
and codes (docs/national-tables.md gives the source and the mapping). Written as JSON
Lines (one record per line) so a whole county streams in constant memory.

`record()` is the mapping itself (pure on the values it is given); `national_export()`
runs it over the rows a user may see, with the ledger's filters, and audits the export.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db.models import Prefetch
from django.utils import timezone

from anjian.core.audit import Actor, audit_append

from . import workflow as wf
from .models import NATIONAL_STATE, Hazard, HazardPhoto, PhotoKind

# t_yhzlxx code lists (national-schema.md; the codes as the platforms exchange them).
DANGER_LEVEL = {wf.GENERAL: "0", wf.MAJOR: "1"}
DANGER_MANAGE_TYPE = {wf.ON_SPOT: "0", wf.BY_DEADLINE: "1"}
HAZARD_DANGER_TYPE = {
    "safety": "1",
    "process": "2",
    "electrical": "3",
    "instrument": "4",
    "fire": "5",
    "layout": "6",
    "equipment": "7",
    "other": "8",
}
MANAGEMENT_CLASSIFICATION = {"people": "1", "things": "2", "management": "3"}

KEYS = (
    "DANGER_ID",
    "DANGER_NAME",
    "HAZARD_CODE",
    "RISK_MEASURE_ID",
    "RECORD_ID",
    "DANGER_LEVEL",
    "REGIST_TIME",
    "REGISTRANT",
    "DANGER_SRC",
    "DANGER_MANAGE_TYPE",
    "HAZARD_DANGER_TYPE",
    "DANGER_DESC",
    "DANGER_REASON",
    "CONTROL_MEASURES",
    "COST",
    "LIABLE_PERSON",
    "DANGER_MANAGE_DEADLINE",
    "CHECK_ACCEPT_PERSON",
    "CHECK_ACCEPT_TIME",
    "CHECK_ACCEPT_COMMENT",
    "DANGER_STATE",
    "MANAGEMENT_CLASSIFICATION",
    "OCCURRENCE_LINK",
    "ATTACHMENTS1",
    "ATTACHMENTS2",
    "FJ",
    "CREATE_TIME",
    "CREATE_BY",
    "UPDATE_TIME",
    "UPDATE_BY",
    "DELETE_MARK",
    "COMPANY_CODE",
    "COMPANY_NAME",
    "TYSHXYDM",
)

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def _time(value: Any) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime(TIME_FORMAT)


def _name(user: Any) -> str:
    if user is None:
        return ""
    return getattr(user, "display_name", "") or user.get_username()


def record(hazard: Hazard, photos: Iterable[HazardPhoto] = ()) -> dict[str, str]:
    """One t_yhzlxx record. Photos are named by their stored file (the platforms want the
    images themselves; the file names let a sender attach them)."""
    before = [p.image.name for p in photos if p.kind == PhotoKind.BEFORE]
    after = [p.image.name for p in photos if p.kind == PhotoKind.AFTER]
    deadline = hazard.deadline or hazard.listing_deadline
    accepted = hazard.state == wf.CLOSED
    enterprise = hazard.enterprise
    out = {
        "DANGER_ID": str(hazard.uuid),
        "DANGER_NAME": hazard.display_name,
        "HAZARD_CODE": str(hazard.risk_unit.risk_object_id) if hazard.risk_unit_id else "",
        "RISK_MEASURE_ID": str(hazard.control_measure_id or ""),
        "RECORD_ID": "",  # check records (t_yhpcjl) come with the inspections
        "DANGER_LEVEL": DANGER_LEVEL[hazard.level],
        "REGIST_TIME": _time(hazard.registered_at),
        "REGISTRANT": _name(hazard.registered_by or hazard.reported_by),
        "DANGER_SRC": hazard.check_kind,
        "DANGER_MANAGE_TYPE": DANGER_MANAGE_TYPE[hazard.handling],
        "HAZARD_DANGER_TYPE": HAZARD_DANGER_TYPE[hazard.hazard_type],
        "DANGER_DESC": hazard.description,
        "DANGER_REASON": hazard.cause,
        "CONTROL_MEASURES": hazard.measures,
        "COST": "" if hazard.funds is None else str(hazard.funds),
        "LIABLE_PERSON": hazard.liable_person,
        "DANGER_MANAGE_DEADLINE": f"{deadline.isoformat()} 23:59:59" if deadline else "",
        "CHECK_ACCEPT_PERSON": (
            (_name(hazard.accepted_by) or hazard.accept_comment[:32]) if accepted else ""
        ),
        "CHECK_ACCEPT_TIME": _time(hazard.accepted_at) if accepted else "",
        "CHECK_ACCEPT_COMMENT": hazard.accept_comment if accepted else "",
        "DANGER_STATE": NATIONAL_STATE[hazard.state],
        "MANAGEMENT_CLASSIFICATION": MANAGEMENT_CLASSIFICATION[hazard.category],
        "OCCURRENCE_LINK": hazard.occurrence_link,
        "ATTACHMENTS1": ",".join(before),
        "ATTACHMENTS2": ",".join(after),
        "FJ": "",
        "CREATE_TIME": _time(hazard.registered_at),
        "CREATE_BY": _name(hazard.registered_by or hazard.reported_by),
        "UPDATE_TIME": _time(hazard.updated_at),
        "UPDATE_BY": "",
        "DELETE_MARK": "0",
        "COMPANY_CODE": enterprise.uscc,
        "COMPANY_NAME": enterprise.name,
        "TYSHXYDM": enterprise.uscc,
    }
    return out


def records(queryset) -> Iterator[dict[str, str]]:
    """Records of a queryset in chunks: a fixed number of queries per 1,000 rows."""
    rows = queryset.select_related(
        "enterprise", "risk_unit", "registered_by", "reported_by", "accepted_by"
    ).prefetch_related(Prefetch("photos", queryset=HazardPhoto.objects.order_by("id")))
    for hazard in rows.iterator(chunk_size=1000):
        yield record(hazard, hazard.photos.all())


def national_export(*, actor: Actor, filters: Any, stream: IO[bytes]) -> int:
    """Write the actor's ledger (scoped and filtered as the ledger page) as t_yhzlxx JSON
    Lines and audit who took how many rows."""
    from . import ledger

    count = 0
    for row in records(ledger.ledger_search(actor.user, filters).order_by("pk")):
        stream.write(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
        count += 1
    audit_append(
        actor=actor,
        action="hazard_national_export",
        object_type="hazards.hazard",
        summary=f"隐患治理信息(t_yhzlxx)导出 {count}条",
        changes={"filters": filters.as_params(), "rows": count},
    )
    return count

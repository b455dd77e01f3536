"""The project's check lists (检查表库): one list per published determination standard
(重大事故隐患判定标准, anjian.hazards.reference) and industry, each item the standard's
official wording of a situation that is a major accident hazard. A self-check answers
"normal" when the situation is not present. The lists follow the data files: an item whose
text could not be found (MISSING there) is not on any list, and `checklist_library_sync`
brings the stored lists up to date when the files change. An enterprise's adopted task keeps
the items as they were copied when it adopted the list."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from anjian.hazards import reference


@dataclass(frozen=True)
class LibraryItem:
    content: str
    basis: str
    reference_item: str


@dataclass(frozen=True)
class LibraryList:
    key: str  # "gm2023:HR-IT-MET"
    industry: str  # registry industry code
    title: str
    document: str
    items: tuple[LibraryItem, ...]

    def name(self, industry_name: str) -> str:
        return f"{self.title}（{industry_name}）排查表"

    @property
    def basis(self) -> str:
        return f"《{self.title}》（{self.document}）"


def _item_basis(item: reference.ListItem) -> str:
    where = item.article or ""
    if not item.whole_article and item.number:
        where += (
            f"第{_chinese_number(item.number)}项"
            if not item.article
            else f"（{_chinese_number(item.number)}）"
        )
    return f"《{item.title}》{where}"


_DIGITS = "〇一二三四五六七八九"


def _chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 14 → 十四, 20 → 二十: how the standards number their items."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + ("" if ones == 0 else _DIGITS[ones])


def library() -> list[LibraryList]:
    """The lists, in the order of the determination files, one per standard and industry."""
    grouped: dict[tuple[str, str], list[reference.ListItem]] = defaultdict(list)
    for item in reference.items().values():
        for code in item.industries:
            grouped[(item.list_id, code)].append(item)
    out = []
    order = {lst["id"]: n for n, lst in enumerate(reference.lists())}
    for (list_id, code), items in sorted(
        grouped.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])
    ):
        first = items[0]
        out.append(
            LibraryList(
                key=f"{list_id}:{code}",
                industry=code,
                title=first.title,
                document=first.document,
                items=tuple(
                    LibraryItem(content=i.text, basis=_item_basis(i), reference_item=i.id)
                    for i in items
                ),
            )
        )
    return out


def sync(checklist_model: Any, item_model: Any, industry_model: Any) -> dict[str, int]:
    """Create or update the library's lists (also run by the data migration, with the
    historical models). Idempotent: a second run changes nothing."""
    industries = {i.code: i for i in industry_model.objects.all()}
    created = updated = 0
    for lst in library():
        industry = industries.get(lst.industry)
        if industry is None:  # an industry the registry does not know: no list for it
            continue
        row = checklist_model.objects.filter(key=lst.key).first()
        if row is None:
            row = checklist_model.objects.create(
                key=lst.key, name=lst.name(industry.name), industry=industry, basis=lst.basis
            )
            created += 1
        else:
            row.name, row.industry, row.basis = lst.name(industry.name), industry, lst.basis
            row.save(update_fields=["name", "industry", "basis"])
        wanted = [(n, i.content, i.basis, i.reference_item) for n, i in enumerate(lst.items, 1)]
        have = list(
            item_model.objects.filter(checklist=row)
            .order_by("position")
            .values_list("position", "content", "basis", "reference_item")
        )
        if have != wanted:
            item_model.objects.filter(checklist=row).delete()
            item_model.objects.bulk_create(
                item_model(checklist=row, position=n, content=c, basis=b, reference_item=r)
                for n, c, b, r in wanted
            )
            updated += 1
    return {"created": created, "updated": updated}


def ensure_library() -> None:
    """Load the library when its rows are gone (a test that flushes the database removes
    what the data migration loaded); one query when they are there."""
    from anjian.registry.models import Industry

    from .models import Checklist, ChecklistItem

    if not Checklist.objects.filter(key__isnull=False).exists():
        sync(Checklist, ChecklistItem, Industry)

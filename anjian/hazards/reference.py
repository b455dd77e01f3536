"""The published major-hidden-danger determination lists (重大事故隐患判定标准), one JSON
file per list, data/determination_<list id>.json (docs/determination-lists.md says where
each text came from).

Each item's `text` is the official Chinese wording, verbatim from a named source; `text_en`
is an English gloss of ours (not official), shown when the English UI is active. An item
whose official text could not be found is kept in the file as `missing: true` so the gap is
visible, but it cannot be chosen: `item()` and `items()` leave it out. Choosing an item makes
a hazard major and the hazard keeps a citation of it (list, article, item number, text), so
the citation survives a later edit of the data files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

DATA = Path(__file__).with_name("data")
PATTERN = "determination_*.json"  # matched by the package data glob data/*.json


@dataclass(frozen=True)
class ListItem:
    id: str  # "hc2017-5", "gm2023-11-3", "gm2023-14", "fmm2022-1-20"
    list_id: str
    document: str  # "安监总管三〔2017〕121号"
    title: str
    article: str  # "第十一条"; "" for a list numbered by items only
    number: int
    text: str  # the official Chinese wording
    unconfirmed: bool  # kept for old callers: every selectable item is verified (False)
    sources: tuple[str, ...]
    text_zh: str = ""  # the same official text (citations have always carried it)
    text_en: str = ""  # English gloss, not official; "" when there is none
    article_label: str = ""  # short label for pickers: "第十一条", "一"
    whole_article: bool = False  # the item is a whole article (gm2023-14), not a numbered item
    industries: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.text_zh:
            object.__setattr__(self, "text_zh", self.text)

    def display_text(self) -> str:
        """The official Chinese text, or the English gloss when English is active and the
        item has one."""
        if not chinese_active() and self.text_en:
            return self.text_en
        return self.text

    def citation(self) -> dict[str, Any]:
        """What a hazard stores about the item it was determined major by. The keys of
        older citations (item_id … unconfirmed) are kept; `text` is now the official text."""
        out: dict[str, Any] = {
            "item_id": self.id,
            "list": self.list_id,
            "document": self.document,
            "title": self.title,
            "article": self.article,
            "number": self.number,
            "text": self.text,
            "text_zh": self.text_zh,
            "unconfirmed": self.unconfirmed,
        }
        if self.text_en:
            out["text_en"] = self.text_en
        if self.whole_article:
            out["whole_article"] = True
        return out


def chinese_active() -> bool:
    """True unless the active language is English. Without an active language (no
    request, translations off) the Chinese text is the default: the UI is Chinese first."""
    try:
        lang = translation.get_language()
    except ImproperlyConfigured:  # no settings: imported outside Django
        lang = None
    return not (lang or "").lower().startswith("en")


def _source_label(source: dict[str, Any]) -> str:
    if source.get("url"):
        return source["url"]
    if source.get("repo"):
        where = f"{source['repo']}:{source.get('path', '')}"
        return f"{where}@{source['commit'][:12]}" if source.get("commit") else where
    return source.get("title", "")


def _stats(lst: dict[str, Any]) -> dict[str, Any]:
    rows = lst["items"]
    counted = [r for r in rows if r.get("counts", True)]
    return {
        "found_count": sum(1 for r in counted if r.get("verified") and not r.get("missing")),
        "missing_count": sum(1 for r in rows if r.get("missing")),
        "selectable_count": sum(1 for r in rows if r.get("verified") and not r.get("missing")),
    }


@cache
def raw() -> dict[str, Any]:
    """All lists as stored, ordered, each with its counts (found_count: items found
    verbatim that count toward official_count; missing_count; selectable_count)."""
    lists = []
    for path in sorted(DATA.glob(PATTERN)):
        lst = json.loads(path.read_text(encoding="utf-8"))
        lst.update(_stats(lst))
        lists.append(lst)
    if not lists:
        raise ImproperlyConfigured(f"No determination lists ({PATTERN}) in {DATA}")
    lists.sort(key=lambda lst: (lst.get("order", 99), lst["id"]))
    return {"lists": lists}


@cache
def items() -> dict[str, ListItem]:
    """The items that may be chosen: found verbatim in a named source. MISSING items are
    left out."""
    out: dict[str, ListItem] = {}
    for lst in raw()["lists"]:
        articles = {a["article"]: a for a in lst.get("articles", ())}
        for row in lst["items"]:
            if row.get("missing") or not row.get("verified"):
                continue
            article = articles.get(row["article"] or "", {})
            out[row["id"]] = ListItem(
                id=row["id"],
                list_id=lst["id"],
                document=lst["document"],
                title=lst["title"],
                article=row["article"] or "",
                number=row["number"],
                text=row["text"],
                text_en=row.get("text_en", ""),
                unconfirmed=False,
                sources=tuple(_source_label(lst["sources"][key]) for key in row["sources"]),
                article_label=article.get("label", row["article"] or ""),
                whole_article=bool(row.get("whole_article")),
                industries=tuple(article.get("industries") or lst.get("industries") or ()),
            )
    return out


def item(item_id: str) -> ListItem | None:
    """The item, or None for an unknown id or a MISSING item (it cannot be chosen)."""
    return items().get(item_id)


def missing() -> list[dict[str, Any]]:
    """The rows kept as MISSING (known to exist, text not found), with their list id."""
    return [
        {**row, "list": lst["id"]}
        for lst in raw()["lists"]
        for row in lst["items"]
        if row.get("missing")
    ]


def lists() -> list[dict[str, Any]]:
    """The lists with their articles and items (MISSING ones included, flagged), for the
    form's picker and GET /hazard-lists."""
    return raw()["lists"]


def industry_matches(item_industries: tuple[str, ...], code: str) -> bool:
    """True when an item applies to the industry `code`: the same code or a sub-sector of
    it by code ("HR-IT-MET" is under "HR-IT")."""
    return any(code == c or code.startswith(c + "-") for c in item_industries)


def items_for_industry(code: str) -> list[ListItem]:
    """The selectable items that apply to an industry (registry code), e.g. "HR-IT-MET"
    gets 第三、四、十一至十四条 of the 工贸 list."""
    return [i for i in items().values() if industry_matches(i.industries, code)]

"""The two published major-hidden-danger determination lists (standards.md A8), loaded
once from data/major_hazard_lists.json. Choosing an item makes a hazard major and the
hazard cites it (list, article, item number, text), so the citation survives a later
edit of the data file. Each item carries the English short form (`text`) and a Chinese
short form (`text_zh`); neither is the official wording. The page shows the one that
matches the active language."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

DATA = Path(__file__).with_name("data") / "major_hazard_lists.json"


@dataclass(frozen=True)
class ListItem:
    id: str  # "hc2017-5", "gm2023-11-3"
    list_id: str
    document: str  # "安监总管三〔2017〕121号"
    title: str
    article: str  # "第十一条", or "" for a list numbered by items only
    number: int
    text: str
    unconfirmed: bool
    sources: tuple[str, ...]
    text_zh: str = ""  # Chinese short form; the English text when the file has none

    def __post_init__(self) -> None:
        if not self.text_zh:
            object.__setattr__(self, "text_zh", self.text)

    def display_text(self) -> str:
        """The Chinese short form unless the active language is English."""
        return self.text_zh if chinese_active() else self.text

    def citation(self) -> dict[str, Any]:
        """What a hazard stores about the item it was determined major by."""
        return {
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


def chinese_active() -> bool:
    """True unless the active language is English. Without an active language (no
    request, translations off) the Chinese text is the default: the UI is Chinese first."""
    try:
        lang = translation.get_language()
    except ImproperlyConfigured:  # no settings: imported outside Django
        lang = None
    return not (lang or "").lower().startswith("en")


@cache
def raw() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))


@cache
def items() -> dict[str, ListItem]:
    out: dict[str, ListItem] = {}
    for lst in raw()["lists"]:
        for row in lst["items"]:
            out[row["id"]] = ListItem(
                id=row["id"],
                list_id=lst["id"],
                document=lst["document"],
                title=lst["title"],
                article=row["article"] or "",
                number=row["number"],
                text=row["text"],
                text_zh=row.get("text_zh") or row["text"],
                unconfirmed=bool(row.get("unconfirmed", False)),
                sources=tuple(row.get("sources", ())),
            )
    return out


def item(item_id: str) -> ListItem | None:
    return items().get(item_id)


def lists() -> list[dict[str, Any]]:
    """Lists with their articles and items, for the form's picker."""
    return raw()["lists"]

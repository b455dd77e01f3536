"""The two determination lists as data (standards.md A8)."""

import re
from collections import Counter

from django.template import engines
from django.utils import translation

from anjian.hazards import reference
from anjian.hazards.forms import major_item_choices
from anjian.hazards.templatetags.hazards_ui import item_text

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_given_the_chemical_list_when_loaded_then_twenty_numbered_confirmed_items():
    items = [i for i in reference.items().values() if i.list_id == "hc2017"]
    assert [i.number for i in items] == list(range(1, 21))
    assert {i.document for i in items} == {"安监总管三〔2017〕121号"}
    assert not any(i.unconfirmed for i in items)
    assert all(i.sources and i.sources[0].startswith("S27") for i in items)


def test_given_the_industry_list_when_loaded_then_articles_and_counts_as_transcribed():
    items = [i for i in reference.items().values() if i.list_id == "gm2023"]
    counts = Counter(i.article for i in items)
    assert counts == {
        "第三条": 3,
        "第四条": 4,
        "第六条": 8,
        "第七条": 2,
        "第十一条": 10,
        "第十二条": 2,
        "第十三条": 2,
    }
    unconfirmed = {(i.article, i.number) for i in items if i.unconfirmed}
    assert unconfirmed == {
        *(("第十一条", n) for n in range(6, 11)),
        ("第十二条", 1),
        ("第十二条", 2),
        ("第十三条", 1),
        ("第十三条", 2),
    }
    assert all(i.sources for i in items if not i.unconfirmed)
    assert all(not i.sources for i in items if i.unconfirmed)


def test_given_the_file_when_loaded_then_ids_unique_and_documented_as_short_forms():
    raw = reference.raw()
    ids = [row["id"] for lst in raw["lists"] for row in lst["items"]]
    assert len(ids) == len(set(ids)) == 51
    assert raw["verbatim"] is False
    gm = next(lst for lst in raw["lists"] if lst["id"] == "gm2023")
    assert (gm["item_count"], gm["in_force"], gm["complete"]) == (64, "2023-05-15", False)
    assert set(raw["sources"]) == {"S27", "S28"}


def test_given_an_item_when_cited_then_list_article_number_and_text():
    item = reference.item("gm2023-6-7")
    assert item.citation() == {
        "item_id": "gm2023-6-7",
        "list": "gm2023",
        "document": "应急管理部令第10号",
        "title": "工贸企业重大事故隐患判定标准",
        "article": "第六条",
        "number": 7,
        "text": "Water cooling of electro-fused-product furnaces has failed.",
        "text_zh": "电熔制品电炉水冷设备失效。",
        "unconfirmed": False,
    }
    assert reference.item("nope") is None


def test_given_the_file_when_loaded_then_every_item_has_a_chinese_short_form():
    raw = reference.raw()
    rows = [row for lst in raw["lists"] for row in lst["items"]]
    assert len(rows) == 51
    for row in rows:
        assert row["text_zh"].strip() and CJK.search(row["text_zh"]), row["id"]
        assert reference.item(row["id"]).text_zh == row["text_zh"]
    assert "text_zh" in raw["about"] and raw["verbatim"] is False


def test_given_an_item_when_cited_then_citation_carries_the_chinese_text():
    item = reference.item("hc2017-6")
    citation = item.citation()
    assert citation["text_zh"] == item.text_zh == "全压力式液化烃储罐未按国家标准设置注水措施。"
    assert citation["text"] == item.text


def test_given_the_language_when_displayed_then_chinese_unless_english():
    item = reference.item("hc2017-6")
    citation = item.citation()
    with translation.override("zh-hans"):
        assert item.display_text() == item.text_zh
        assert item_text(citation) == item.text_zh
        labels = dict(major_item_choices()[1][1])
        assert labels["hc2017-6"] == f"6. {item.text_zh}"
    with translation.override("en"):
        assert item.display_text() == item.text
        assert item_text(citation) == item.text
        labels = dict(major_item_choices()[1][1])
        assert labels["hc2017-6"] == f"6. {item.text}"
    page = engines["django"].from_string("{% load hazards_ui %}{{ c|item_text }}")
    with translation.override("zh-hans"):
        assert page.render({"c": citation}) == item.text_zh
    with translation.override("en"):
        assert page.render({"c": citation}) == item.text


def test_given_an_old_citation_without_chinese_when_displayed_then_english_text():
    old = {k: v for k, v in reference.item("gm2023-6-7").citation().items() if k != "text_zh"}
    with translation.override("zh-hans"):
        assert item_text(old) == old["text"]
    assert item_text(None) == ""

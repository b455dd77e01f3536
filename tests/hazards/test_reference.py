"""The two determination lists as data (standards.md A8)."""

from collections import Counter

from anjian.hazards import reference


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
        "unconfirmed": False,
    }
    assert reference.item("nope") is None

"""The determination lists as data (docs/determination-lists.md): official texts, counts,
sources, MISSING items that cannot be chosen, citations and their display."""

import importlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.template import engines
from django.utils import translation

from anjian.core.errors import ValidationFailed
from anjian.hazards import reference
from anjian.hazards.forms import major_item_choices
from anjian.hazards.templatetags.hazards_ui import item_text
from anjian.registry.models import Industry
from tests.hazards.helpers import report

CJK = re.compile(r"[\u4e00-\u9fff]")
HALF_WIDTH_NEXT_TO_CJK = re.compile(r"[\u4e00-\u9fff][,;:()]|[,;:()][\u4e00-\u9fff]")
INDUSTRIES = Path(reference.__file__).parents[1] / "registry" / "data" / "industries.json"

# list id: (items found verbatim that count toward the official count, official count)
EXPECTED = {
    "hc2017": (20, 20),
    "gm2023": (64, 64),
    "yhbz2017": (20, 20),
    "fmm2022": (64, 64),
    "fmm2024s": (8, 8),
    "rqjy2023": (11, None),
    "dlys2023": (6, None),
    "fwsz2022": (0, None),
    "gb35181": (0, None),
}


def the_list(list_id: str) -> dict:
    return next(lst for lst in reference.lists() if lst["id"] == list_id)


def of(list_id: str) -> list[reference.ListItem]:
    return [i for i in reference.items().values() if i.list_id == list_id]


# --- the lists, their counts and sources --------------------------------------------------


def test_given_the_lists_when_loaded_then_found_and_official_counts_per_list():
    assert {
        lst["id"]: (lst["found_count"], lst["official_count"]) for lst in reference.lists()
    } == (EXPECTED)


def test_given_a_list_when_loaded_then_complete_only_when_every_item_was_found():
    for lst in reference.lists():
        whole = (
            lst["official_count"] is not None
            and lst["found_count"] == lst["official_count"]
            and lst["missing_count"] == 0
        )
        assert lst["complete"] is whole, lst["id"]
        assert lst["official_count_source"].strip(), lst["id"]
    assert {lst["id"] for lst in reference.lists() if lst["complete"]} == {
        "hc2017",
        "gm2023",
        "yhbz2017",
        "fmm2022",
        "fmm2024s",
    }


def test_given_the_lists_when_loaded_then_metadata_for_every_list():
    for lst in reference.lists():
        for key in ("title", "document", "issuer", "scope", "status"):
            assert lst[key], (lst["id"], key)
        assert isinstance(lst["dates"], dict) and lst["sources"], lst["id"]
        assert lst["industries"], lst["id"]
    assert the_list("gm2023")["dates"] == {
        "adopted": "2023-03-20",
        "published": "2023-04-14",
        "in_force": "2023-05-15",
    }
    assert the_list("fmm2022")["document"] == "矿安〔2022〕88号"
    assert the_list("fmm2022")["dates"]["in_force"] == "2022-09-01"
    assert {the_list(i)["status"] for i in ("fwsz2022", "gb35181")} == {"superseded"}


def test_given_every_item_when_loaded_then_ids_unique_and_verified_or_missing():
    rows = [row for lst in reference.lists() for row in lst["items"]]
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids))
    for row in rows:
        assert bool(row.get("verified")) != bool(row.get("missing")), row["id"]


def test_given_a_verified_item_when_loaded_then_it_names_sources_the_list_describes():
    for lst in reference.lists():
        for row in lst["items"]:
            if row.get("verified"):
                assert row["sources"], row["id"]
                assert row["text"].strip() and CJK.search(row["text"]), row["id"]
            for key in row["sources"]:
                source = lst["sources"][key]
                assert source.get("url") or source.get("repo") or source.get("title"), key
                assert source.get("script", "simplified") in ("simplified", "traditional")
    for item in reference.items().values():
        assert item.sources and all(item.sources), item.id


def test_given_the_texts_when_loaded_then_full_width_punctuation_in_chinese():
    for lst in reference.lists():
        for row in lst["items"]:
            assert not HALF_WIDTH_NEXT_TO_CJK.search(row["text"]), row["id"]
        for article in lst["articles"]:
            assert not HALF_WIDTH_NEXT_TO_CJK.search(article.get("lead") or ""), lst["id"]


def test_given_the_industry_codes_when_loaded_then_they_are_registry_industries():
    codes = {row["code"] for row in json.loads(INDUSTRIES.read_text("utf-8"))["industries"]}
    for lst in reference.lists():
        assert set(lst["industries"]) <= codes, lst["id"]
        for article in lst["articles"]:
            assert set(article["industries"]) <= codes, (lst["id"], article["article"])
    assert the_list("yhbz2017")["industries"] == ["HR-FIREWORKS"]
    assert the_list("fmm2022")["industries"] == the_list("fmm2024s")["industries"] == ["HR-MINE"]
    assert the_list("hc2017")["industries"] == ["HR-HAZCHEM"]


# --- 工贸 (应急管理部令第10号) ---------------------------------------------------------------


def test_given_the_industry_list_then_every_article_with_its_official_item_count():
    counts = Counter(i.article for i in of("gm2023"))
    assert counts == {
        "第三条": 3,
        "第四条": 8,
        "第五条": 13,
        "第六条": 8,
        "第七条": 7,
        "第八条": 7,
        "第九条": 2,
        "第十条": 2,
        "第十一条": 10,
        "第十二条": 2,
        "第十三条": 2,
        "第十四条": 1,
    }
    groups = Counter()
    for article in the_list("gm2023")["articles"]:
        groups[article["group"]] += article["item_count"] or 0
    assert groups == {"管理类": 3, "行业类": 47, "专项类": 14, None: 0}
    assert not any(i.unconfirmed for i in of("gm2023"))


def test_given_the_review_corrections_then_the_official_wording():
    assert (
        reference.item("gm2023-13-1").text
        == "未对有限空间进行辨识、建立安全管理台账，并且未设置明显的安全警示标志的；"
    )
    assert "未对有限空间进行辨识、建立安全管理台账，并且未设置明显的安全警示标志" in (
        reference.item("gm2023-13-1").text
    )
    assert reference.item("gm2023-13-2") and reference.item("gm2023-13-3") is None
    assert reference.item("gm2023-4-2").text.startswith("生产期间冶炼、精炼和铸造生产区域")
    four_three = reference.item("gm2023-4-3").text
    assert all(k in four_three for k in ("中间罐漏钢坑（槽）", "漏钢回转溜槽", "模铸流程"))
    assert "铸造用熔炼炉、精炼炉、保温炉" in reference.item("gm2023-7-2").text
    for article in ("第五条", "第八条", "第九条", "第十条"):
        assert any(i.article == article for i in of("gm2023")), article


def test_given_article_fourteen_then_a_selectable_whole_article_outside_the_64():
    item = reference.item("gm2023-14")
    assert item.article == "第十四条" and item.whole_article
    assert item.text.startswith("本标准所列情形中直接关系生产安全的监控、报警、防护等设施")
    assert item.text.endswith("失效或者无效均判定为重大事故隐患。")
    row = next(r for r in the_list("gm2023")["items"] if r["id"] == "gm2023-14")
    assert row["counts"] is False
    assert item.citation()["whole_article"] is True


def test_given_the_articles_then_their_lead_sentences():
    leads = {a["article"]: a["lead"] for a in the_list("gm2023")["articles"]}
    assert leads["第五条"] == "有色企业有下列情形之一的，应当判定为重大事故隐患："
    assert leads["第十三条"].startswith("存在硫化氢、一氧化碳等中毒风险的有限空间作业的工贸企业")
    assert leads["第十四条"] is None
    assert the_list("gm2023")["provisions"]["第二条"].startswith("本标准适用于判定冶金、有色")


def test_given_an_industry_then_the_items_that_apply_to_it():
    metallurgy = {i.article for i in reference.items_for_industry("HR-IT-MET")}
    assert metallurgy == {"第三条", "第四条", "第十一条", "第十二条", "第十三条", "第十四条"}
    commerce = {i.article for i in reference.items_for_industry("HR-IT-COM")}
    assert "第四条" not in commerce and "第三条" in commerce
    assert {i.list_id for i in reference.items_for_industry("HR-MINE")} == {"fmm2022", "fmm2024s"}
    assert len(reference.items_for_industry("HR-FIREWORKS")) == 20


# --- the other lists ----------------------------------------------------------------------


def test_given_the_chemical_list_then_twenty_numbered_items_with_their_old_ids():
    items = of("hc2017")
    assert [i.id for i in items] == [f"hc2017-{n}" for n in range(1, 21)]
    assert {i.document for i in items} == {"安监总管三〔2017〕121号"}
    assert reference.item("hc2017-6").text == "全压力式液化烃储罐未按国家标准设置注水措施。"
    assert "（包括化工园区、工业园区）" in reference.item("hc2017-8").text
    assert reference.item("hc2017-5") and reference.item("hc2017-12")  # used by the demo


def test_given_the_fireworks_list_then_twenty_items():
    items = of("yhbz2017")
    assert [i.number for i in items] == list(range(1, 21))
    assert items[0].text == "主要负责人、安全生产管理人员未依法经考核合格。"
    assert items[19].text == "零售点与居民居住场所设置在同一建筑物内或者在零售场所使用明火。"
    assert the_list("yhbz2017")["lead"].startswith("依据有关法律法规、部门规章和国家标准")


def test_given_the_mining_lists_then_their_sections_and_items():
    counts = Counter(i.article for i in of("fmm2022"))
    assert counts == {
        "一、金属非金属地下矿山重大事故隐患": 32,
        "二、金属非金属露天矿山重大事故隐患": 13,
        "三、尾矿库重大事故隐患": 19,
    }
    first = reference.item("fmm2022-1-1").text
    assert first.startswith("安全出口存在下列情形之一的：\n1.")
    assert "且安全出口的间距小于30米" in first
    assert "上隆（凸起）" in reference.item("fmm2022-2-8").text
    assert len(of("fmm2024s")) == 8


def test_given_a_traditional_script_source_then_the_text_is_simplified():
    gas = reference.item("rqjy2023-9-2")
    assert gas.text == "燃气引入管、立管、水平干管设置在卫生间内；"
    road = reference.item("dlys2023-3-4").text
    assert "台风橙色" in road and "臺" not in road
    assert the_list("rqjy2023")["sources"]["shineu"]["script"] == "traditional"


# --- MISSING items cannot be chosen -------------------------------------------------------


def test_given_a_missing_item_then_it_cannot_be_chosen():
    missing = reference.missing()
    assert {row["id"] for row in missing} == {"rqjy2023-5-3"}
    for row in missing:
        assert reference.item(row["id"]) is None
        assert row["id"] not in reference.items()
        assert row["text"] == ""
    offered = {value for _, group in major_item_choices()[1:] for value, _ in group}
    assert "rqjy2023-5-3" not in offered and "rqjy2023-5-1" in offered
    assert offered == set(reference.items())
    groups = {label for label, _ in major_item_choices()[1:]}
    assert not any("2022版" in g or "GB 35181" in g for g in groups)  # nothing to choose


def test_given_a_missing_item_when_reported_then_refused(world):
    with pytest.raises(ValidationFailed) as err:
        report(world, major_item="rqjy2023-5-3")
    assert list(err.value.errors) == ["major_item"]
    hazard = report(world, major_item="gm2023-13-1")
    assert hazard.major_item["text"] == reference.item("gm2023-13-1").text


# --- citations and display ---------------------------------------------------------------


def test_given_an_item_when_cited_then_list_article_number_and_official_text():
    item = reference.item("gm2023-6-7")
    assert item.citation() == {
        "item_id": "gm2023-6-7",
        "list": "gm2023",
        "document": "应急管理部令第10号",
        "title": "工贸企业重大事故隐患判定标准",
        "article": "第六条",
        "number": 7,
        "text": "电熔制品电炉的水冷设备失效的；",
        "text_zh": "电熔制品电炉的水冷设备失效的；",
        "unconfirmed": False,
        "text_en": "Water cooling of electro-fused-product furnaces has failed.",
    }
    assert reference.item("nope") is None


def test_given_the_language_when_displayed_then_official_text_unless_english_gloss():
    item = reference.item("hc2017-6")
    citation = item.citation()
    with translation.override("zh-hans"):
        assert item.display_text() == item.text
        assert item_text(citation) == item.text
        labels = dict(major_item_choices()[1][1])
        assert labels["hc2017-6"] == f"6. {item.text}"
        assert dict(major_item_choices()[2][1])["gm2023-11-3"].startswith("第十一条（3）干式")
    with translation.override("en"):
        assert item.display_text() == item.text_en
        labels = dict(major_item_choices()[1][1])
        assert labels["hc2017-6"] == f"6. {item.text_en}"
    mining = reference.item("fmm2022-2-3")
    with translation.override("en"):
        assert mining.text_en == "" and mining.display_text() == mining.text
    page = engines["django"].from_string("{% load hazards_ui %}{{ c|item_text }}")
    with translation.override("zh-hans"):
        assert page.render({"c": citation}) == item.text


def test_given_an_old_citation_when_displayed_then_it_still_renders():
    old = {
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
    with translation.override("zh-hans"):
        assert item_text(old) == "电熔制品电炉水冷设备失效。"
        no_zh = {k: v for k, v in old.items() if k != "text_zh"}
        assert item_text(no_zh) == old["text"]
    with translation.override("en"):
        assert item_text(old) == old["text"]
    assert item_text(None) == ""


# --- the 烟花爆竹 industry ----------------------------------------------------------------


def test_given_the_registry_then_the_fireworks_industry(db):
    from anjian.registry.reference import ensure_reference

    ensure_reference()  # a transactional test on this worker may have flushed the migrations' rows
    fireworks = Industry.objects.get(code="HR-FIREWORKS")
    assert (fireworks.name, fireworks.category, fireworks.parent) == ("烟花爆竹", "high_risk", None)
    codes = [row["code"] for row in json.loads(INDUSTRIES.read_text("utf-8"))["industries"]]
    assert fireworks.sort == codes.index("HR-FIREWORKS")


def test_given_the_fireworks_migration_when_run_again_then_one_row(db):
    migration = importlib.import_module("anjian.registry.migrations.0004_fireworks_industry")
    Industry.objects.filter(code="HR-FIREWORKS").update(name="旧名称")
    migration.forwards(django_apps, None)
    migration.forwards(django_apps, None)
    assert Industry.objects.filter(code="HR-FIREWORKS").count() == 1
    assert Industry.objects.get(code="HR-FIREWORKS").name == "烟花爆竹"

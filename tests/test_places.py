"""Who and where: an agency is placed by what names it — its name, the title, the page's metadata
and breadcrumb, its signature — never by an address, a road name or a place its prose mentions."""

from __future__ import annotations

from conftest import parse_json

from etl.extract.places import own_jurisdiction, place, zones

BODY = (
    "一、总体情况\n"
    "2023年，我局持续推进政务公开，全年主动公开政府信息120条。围绕台湾进口冷链产品防控、赴杭州市学习考察等"
    "工作及时发布信息，与重庆市签订政务服务合作协议。\n"
    "如对本报告有疑问，请与我局办公室联系（地址：金井镇中山大道中段3号，邮编：350400）。\n"
    "二、主动公开政府信息情况\n"
)


def _parse(tmp_path, text: str) -> dict:
    p = tmp_path / "report.txt"
    p.write_text(text, encoding="utf-8")
    return parse_json(p)


def test_addresses_roads_and_places_in_the_prose_never_place_an_agency(tmp_path):
    got = _parse(tmp_path, "区财政金融局2023年政府信息公开工作年度报告\n" + BODY)
    assert got["ok"], got["error"]
    assert (got["province"], got["city"], got["county"]) == (None, None, None)


def test_a_zone_in_the_title_places_the_agency_in_its_city(tmp_path):
    got = _parse(tmp_path, "平潭综合实验区财政金融局2023年政府信息公开工作年度报告\n" + BODY)
    assert (got["province"], got["city"]) == ("福建省", "福州市")
    assert got["county"] is None  # the zone is no county-level division


def test_a_zone_across_cities_is_placed_in_its_province_only():
    z = {z.name: z for z in zones()}
    assert (z["西咸新区"].province, z["西咸新区"].city) == ("陕西省", None)
    assert place("西咸新区某街道办事处", None).placement.province == "陕西省"
    assert place("西咸新区某街道办事处", None).placement.city is None


def test_a_namesake_is_resolved_by_the_page_metadata_or_left_null_with_a_finding():
    alone = place("西湖区人民政府办公室", "西湖区人民政府办公室2023年政府信息公开工作年度报告")
    assert alone.placement.province is None and "西湖区" in alone.doubt
    with_meta = place("西湖区人民政府办公室", None, ["南昌市西湖区人民政府办公室"])
    assert (with_meta.placement.province, with_meta.placement.county) == ("江西省", "西湖区")


def test_sources_naming_different_provinces_leave_the_place_null():
    r = place("杭州市财政局", None, ["南昌市财政局"])
    assert r.placement.province is None and r.doubt


def test_the_jurisdiction_the_report_names_as_its_own_completes_a_name_without_place(tmp_path):
    text = (
        "市民政局2023年政府信息公开工作年度报告\n一、总体情况\n"
        "2023年，通过九江市人民政府门户网站主动公开政府信息86条（地址：南昌市红谷滩区某路1号）。\n"
    )
    got = _parse(tmp_path, text)
    assert (got["province"], got["city"]) == ("江西省", "九江市")
    assert own_jurisdiction("地址：南昌市红谷滩区某路1号；赴杭州市学习") == []

"""Finding identities (the warehouse loader computes the same) and region scopes."""

from __future__ import annotations

import hashlib

import pytest

from etl.review.errors import ScopeInvalid
from etl.review.identity import (
    agency_key,
    agency_key_for_name,
    canonical_cells,
    finding_id,
    reading_finding_id,
    report_finding_id,
)
from etl.review.scope import Scope, parse_scope


def test_agency_key_is_region_code_and_name_key():
    assert agency_key("360702", "赣州市章贡区教育局") == "360702:赣州市章贡区教育局"
    assert agency_key(None, "某局") == ":某局"
    # name variants of one agency meet on one key (etl.warehouse.agencies.name_key)
    assert agency_key_for_name("360700", "中共赣州市委 办公厅") == agency_key_for_name("360700", "赣州市委办公室")


def test_report_finding_id_matches_the_agreed_formula():
    ak = "360702:赣州市章贡区教育局"
    expected = hashlib.sha1(f"{ak}|2023|t3_row_sum|t3.a.total,t3.b.total".encode()).hexdigest()[:16]
    assert report_finding_id(ak, 2023, "t3_row_sum", "t3.b.total,t3.a.total") == expected
    assert report_finding_id(ak, 2023, "t3_row_sum", ["t3.a.total", "t3.b.total"]) == expected
    assert len(expected) == 16 and int(expected, 16) >= 0


def test_reading_finding_id_matches_the_agreed_formula():
    sha = "0f" * 32
    expected = hashlib.sha1(f"{sha}|ocr_read|t2.a,t2.b".encode()).hexdigest()[:16]
    assert reading_finding_id(sha, "ocr_read", "t2.b,t2.a") == expected
    assert finding_id("reading", agency="x", year=1, rule="ocr_read", cells="t2.a,t2.b", report_sha256=sha) == expected


def test_ids_depend_on_every_part_and_not_on_cell_order():
    base = report_finding_id("1:a", 2023, "r", "x,y")
    assert report_finding_id("1:a", 2023, "r", "y,x,") == base
    others = {
        report_finding_id("2:a", 2023, "r", "x,y"),
        report_finding_id("1:a", 2024, "r", "x,y"),
        report_finding_id("1:a", 2023, "s", "x,y"),
        report_finding_id("1:a", 2023, "r", "x"),
    }
    assert base not in others and len(others) == 4
    # a report finding keeps its id across files; a reading doubt belongs to one file
    assert reading_finding_id("a" * 64, "r", "x") != reading_finding_id("b" * 64, "r", "x")
    assert (
        canonical_cells(None) == ""
        and report_finding_id("1:a", None, "missing_report", "")
        == hashlib.sha1(b"1:a||missing_report|").hexdigest()[:16]
    )
    with pytest.raises(ValueError):
        finding_id("guess", agency="a", year=1, rule="r", cells="", report_sha256=None)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("全国", Scope()),
        ("", Scope()),
        ("江西省", Scope("江西省", None, None, "360000")),
        ("江西省/赣州市", Scope("江西省", "赣州市", None, "360700")),
        ("江西省／赣州市/章贡区", Scope("江西省", "赣州市", "章贡区", "360702")),
        ("北京市/东城区", Scope("北京市", None, "东城区", "110101")),  # a municipality's district
    ],
)
def test_parse_scope(text, expected):
    got = parse_scope(text)
    assert got == expected
    assert parse_scope(got.text()) == got


@pytest.mark.parametrize(
    "text, words",
    [
        ("江西", "不是省级行政区的全称"),
        ("江西省/杭州市", "之下没有“杭州市”"),
        ("江西省//章贡区", "格式不对"),
        ("江西省/赣州市/章贡区/水南镇", "格式不对"),
        ("赣州市", "不是省级行政区的全称"),
    ],
)
def test_bad_scopes_are_refused_in_chinese(text, words):
    with pytest.raises(ScopeInvalid, match=words):
        parse_scope(text)


def test_scope_contains_its_subtree_only():
    ganzhou = parse_scope("江西省/赣州市")
    assert ganzhou.contains("江西省", "赣州市", "章贡区")
    assert ganzhou.contains("江西省", "赣州市", None)
    assert not ganzhou.contains("江西省", "南昌市", "东湖区")
    assert not ganzhou.contains("江西省", None, None)  # a provincial agency is above the scope
    assert not ganzhou.contains("浙江省", "杭州市", None)
    assert not ganzhou.contains(None, None, None)
    county = parse_scope("江西省/赣州市/章贡区")
    assert county.contains("江西省", "赣州市", "章贡区") and not county.contains("江西省", "赣州市", "南康区")
    assert parse_scope("全国").contains(None, None, None) and parse_scope("全国").contains("浙江省", "杭州市", None)
    dongcheng = parse_scope("北京市/东城区")
    assert dongcheng.contains("北京市", None, "东城区") and not dongcheng.contains("北京市", None, "西城区")
    assert parse_scope("江西省").contains("江西省", "赣州市", "章贡区")

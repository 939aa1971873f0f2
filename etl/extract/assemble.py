"""Normalize: a Document (any format) to the canonical Report record."""

from __future__ import annotations

import dataclasses
import re

from etl.errors import NotAReport
from etl.extract.metadata import (
    agency_from_text,
    find_title,
    publish_date,
    section_lines,
    statistics_year,
    trusted_names,
)
from etl.extract.places import gazetteer, place
from etl.extract.prose import case_counts, find_metrics
from etl.extract.reflow import reflow, remap
from etl.extract.rows import grid_rows, is_prose, text_rows
from etl.extract.t2prose import t2_from_prose
from etl.extract.tables import TableResult, map_rows
from etl.model import Document, Finding, ProseCount, Report, Value
from etl.registry.fields import TABLE_TITLES

_TABLE_START = re.compile(r"第二十条|信息内容|申请人情况|本年新收|[勾钩]稽关系")


def _table_zone(lines: tuple[str, ...], sections: dict[int, int]) -> tuple[int, int]:
    """1-based [start, end) of the lines that hold the tables."""
    start = sections.get(2)
    for i, ln in enumerate(lines):
        if _TABLE_START.search(ln) and len(ln.strip()) < 60:
            start = min(start or i + 1, i + 1)
            break
    if start is None:
        return 0, 0
    end = len(lines) + 1
    for no in (5, 6):
        at = sections.get(no)
        if at and at > start:
            end = at
            break
    return start, end


def _tables(doc: Document, sections: dict[int, int]) -> tuple[TableResult, tuple[int, int]]:
    zone = _table_zone(doc.lines, sections)
    if doc.tables:
        rows = [r for t in doc.tables for r in grid_rows(t)]
        res = map_rows(rows)
        if res.t2_rows or res.t3_rows or res.t4_found:
            return res, zone
    if zone == (0, 0):
        return TableResult(), zone
    start, end = zone
    return map_rows(text_rows(list(doc.lines[start - 1 : end - 1]), start)), zone


_PERIOD_WORDS = re.compile(r"统计(期限|时限|期间|时间)|所列数据")
_NAMES_REPORT = re.compile(r"20\d\d\s*年度?政府信息公开(工作)?(年度)?报告")
# the notices that prescribe the report's format, or the report saying it is one
_CITES_FORMAT = re.compile(
    r"国办公开办函\s*[〔\[【(（]\s*20(?:19|21)\s*[〕\]】)）]|年度报告格式|编制本年度报告|编制本报告"
)
_REPORT_WORDS = ("政府信息公开条例", "年度报告", "依申请公开", "主动公开", "政府信息公开")


def _looks_like_report(text: str, has_title: bool, sections: dict[int, int], tables: bool) -> bool:
    """A report shows its structure (title, section headings, tables or the statistics
    period) and speaks of 政府信息公开; a news article about 政务公开 does not do both."""
    structure = 3 * has_title + 3 * tables + len(sections) + 2 * bool(_PERIOD_WORDS.search(text[:6000]))
    structure += 2 * bool(_NAMES_REPORT.search(text[:6000]))
    structure += 2 * bool(_CITES_FORMAT.search(text[:3000]))
    words = sum(1 for w in _REPORT_WORDS if w in text)
    return structure >= 1 and structure + words >= 4 and words >= 1


def _format_version(res: TableResult) -> str:
    if res.t2_style:
        return res.t2_style
    if {"other_no_correction", "other_no_fee"} & res.t3_rows:
        return "2021"
    if "other_merged" in res.t3_rows:
        return "2019"
    return "unknown"


def _fuller_agency(agency: str, text: str) -> str:
    """ "市人民政府办公室" as a title prints it, completed from the text ("天门市人民政府办公室")
    when a place name stands right before it there."""
    if not agency or agency[0] not in "市县区州":
        return agency
    g = gazetteer()
    for m in re.finditer(re.escape(agency[1:]), text):
        head = text[max(0, m.start() - 8) : m.start()]
        for size in range(len(head), 1, -1):
            piece = head[-size:]
            if piece in g.full and piece.endswith(agency[0]):
                return piece + agency[1:]
    return agency


def _as_printed(name: str, doc: Document) -> str:
    """The agency name in the characters the report printed (traditional on mirror sites):
    the same span of the original line, once the inserted pinyin is taken out."""
    from etl.read.textnorm import PINYIN_GLOSS, normalise_line

    for norm, raw in zip(doc.lines, doc.original):
        at = norm.find(name)
        if at >= 0:
            cleaned = PINYIN_GLOSS.sub("", normalise_line(raw))
            if len(cleaned) == len(norm):
                return cleaned[at : at + len(name)]
    return name


def parse_document(doc: Document) -> Report:
    cut = reflow(doc.lines)
    if cut is None:
        return _parse(doc)
    lines, where = cut
    # line n of the cut text came from line where[n-1] of the document: locations point there
    return _relocate(_parse(dataclasses.replace(doc, lines=lines, original=())), where, doc)


def _relocate(r: Report, where: tuple[int, ...], doc: Document) -> Report:
    def v(x: Value | None) -> Value | None:
        return None if x is None else Value(x.value, x.raw, remap(x.loc, where))

    return dataclasses.replace(
        r,
        t2={k: v(x) for k, x in r.t2.items()},
        t3={row: {c: v(x) for c, x in cols.items()} for row, cols in r.t3.items()},
        t4={k: v(x) for k, x in r.t4.items()},
        narrative={k: ProseCount(m.value, m.evidence, remap(m.loc, where)) for k, m in r.narrative.items()},
        findings=tuple(dataclasses.replace(f, cells=tuple(remap(c, where) for c in f.cells)) for f in r.findings),
        text="\n".join(doc.lines),
    )


def _parse(doc: Document) -> Report:
    lines = doc.lines
    text = "\n".join(lines)
    sections = section_lines(lines)
    res, (zs, ze) = _tables(doc, sections)
    if not res.t2_rows and 2 in sections:  # table 2 written as sentences
        t2 = t2_from_prose(lines, sections[2], min([n for n in (sections.get(3), ze) if n] or [len(lines) + 1]))
        if t2:
            res.t2.update(t2)
            res.t2_rows.update(k.rsplit("_", 1)[0] for k in t2)
            res.t2_style = res.t2_style or "2021"
    title = find_title(lines)
    found_tables = bool(res.t2_rows or res.t3_rows or res.t4_found)
    if not _looks_like_report(text, title is not None, sections, found_tables):
        raise NotAReport("不是政府信息公开工作年度报告：找不到报告标题、“总体情况”等部分标题或统计表", file=doc.source)

    agency = (title.agency if title else None) or agency_from_text(lines)
    named = agency  # simplified characters, for the gazetteer
    if agency:
        agency = named = _fuller_agency(agency, text)
        if doc.traditional:
            agency = _as_printed(agency, doc)
    period_year = statistics_year(text)
    title_year = title.year if title else None
    year = period_year or title_year
    if year is None:
        m = re.search(r"(20\d\d)\s*年", text)
        year = int(m.group(1)) if m else None
    pub, _ = publish_date(lines, doc.page_meta)

    reading = place(named, title.text if title else None, trusted_names(lines, doc.page_meta), text[:4000])
    where = reading.placement
    place_findings = (
        (Finding("place_uncertain", "warning", reading.doubt, ("province", "city", "county")),) if reading.doubt else ()
    )

    if zs:
        headings = set(sections.values())  # kept: they tell the prose what each part is about
        prose = "\n".join(
            ln if not (zs <= i + 1 < ze) or is_prose(ln) or i + 1 in headings else "" for i, ln in enumerate(lines)
        )
    else:
        prose = text
    new, carried = res.t3["new_received"]["total"], res.t3["carried_over"]["total"]
    table_new = new.value if new is not None and carried is not None and carried.value == 0 else None
    metrics, prose_findings = find_metrics(prose, year, table_new)
    found = set(sections)
    if res.t2_rows:
        found.add(2)
    if res.t3_rows:
        found.add(3)
    if res.t4_found:
        found.add(4)
    return Report(
        source=doc.source,
        fmt=doc.fmt,
        agency=agency,
        year=year,
        publish_date=pub,
        province=where.province,
        city=where.city,
        county=where.county,
        region_code=where.code,
        format_version=_format_version(res),
        sections=tuple(sorted(found)),
        t2=res.t2,
        t3=res.t3,
        t4=res.t4,
        narrative=metrics,
        findings=tuple(res.findings) + tuple(prose_findings) + place_findings + table_presence(res),
        title_year=title_year,
        period_year=period_year,
        narrative_counts=case_counts(prose),
        text=text,
        prose=prose,
        encoding=doc.encoding,
    )


def table_presence(res: TableResult) -> tuple[Finding, ...]:
    out = []
    for name, present in (("t2", res.t2_rows), ("t3", res.t3_rows), ("t4", res.t4_found)):
        if not present:
            out.append(Finding("missing_table", "error", f"未找到{TABLE_TITLES[name]}，其中各项记为空", (name,)))
    return tuple(out)

"""Checks from page data: what the agency's own website shows (supervision notes, rows 1, 3, 4
and 5): published late by the page's time, report unavailable or not a report file, changed
after publication, report not in the agency's 年报 column.

They run over a DuckDB table of page evidence, `page_evidence`, built from the collector's
manifests (etl.collect.manifest.read_manifests) by load_page_evidence. Its columns are defined
once, in PAGE_EVIDENCE_COLUMNS below. One row is one content a URL served (one row per version)
or one failed fetch of a URL, for one column it was found in. Times are China time without a
zone: page_published as the page printed it, first_seen/last_seen as the collector saw it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from etl.collect.manifest import CHINA, Manifest
from etl.registry.rules import BY_ID, RULES
from etl.warehouse.agencies import deadline, kind_of, level_of

TABLE = "page_evidence"

# (column, DuckDB type, meaning): the one definition of the page-evidence table
PAGE_EVIDENCE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("agency", "VARCHAR", "the agency's name from the registry or seeds file (NULL when none was given)"),
    ("agency_kind", "VARCHAR", "government, department, township or other (NULL: judged from the name)"),
    (
        "agency_level",
        "VARCHAR",
        "central, province, city, county, township or unknown (from the region code)",
    ),
    ("year", "INTEGER", "the report year, read from the link's or the page's title (NULL if none)"),
    ("kind", "VARCHAR", "list (a page of the 年报 column), page (a report page) or attachment"),
    ("url", "VARCHAR", "the URL as linked"),
    ("column_url", "VARCHAR", "the 年报 column it was found in"),
    ("report_page_url", "VARCHAR", "attachments: the report page that links them"),
    ("title", "VARCHAR", "the link's title in the column (or the page's heading)"),
    (
        "http_status",
        "INTEGER",
        "200 for a content served; for a failed fetch its status, NULL when no answer",
    ),
    ("error", "VARCHAR", "why the fetch failed, in Chinese; NULL for a content served"),
    (
        "blocked",
        "BOOLEAN",
        "listed but not fetched by choice: robots.txt forbids it, or it is on another site",
    ),
    ("content_type", "VARCHAR", "the Content-Type the site declared"),
    ("size", "BIGINT", "bytes"),
    ("sha256", "VARCHAR", "sha256 of the bytes (NULL for a failed fetch)"),
    (
        "text_sha256",
        "VARCHAR",
        "pages: sha256 of the article text, which is what changes when a page changes",
    ),
    (
        "problem",
        "VARCHAR",
        "why the bytes are not a usable report file (empty, an error page, damaged), in Chinese",
    ),
    ("version", "INTEGER", "1, 2, ...: the order of the contents this URL served (NULL for a failed fetch)"),
    ("page_published", "TIMESTAMP", "the page's printed 发布时间 (the report page's, for attachments)"),
    ("page_published_text", "VARCHAR", "that time as printed, with its label or source"),
    (
        "first_seen",
        "TIMESTAMP",
        "first time the collector saw this content at this URL (failed fetch: its time)",
    ),
    ("last_seen", "TIMESTAMP", "last time the URL served this content (failed fetch: its time)"),
)

PAGE_RULES = {r.id: r.zh for r in RULES if r.scope == "page"}  # their words live in the rule registry


@dataclass(frozen=True)
class PageFinding:
    rule: str
    severity: str  # error, warning or info, as in the findings table
    agency: str | None
    year: int | None
    url: str | None
    message: str
    cells: str  # the evidence columns it rests on, comma-separated, as page.<column>

    def __post_init__(self) -> None:
        r = BY_ID.get(self.rule)
        if r is None or r.scope != "page" or self.severity not in r.severities:
            raise ValueError(f"page finding of an unregistered rule or severity: {self.rule} {self.severity}")


def _whose(agency: str | None, year: int | None) -> str:
    if not agency:
        return ""
    return f"{agency} {year} 年度报告的" if year else f"{agency} 的"


def create_page_evidence(con: duckdb.DuckDBPyConnection) -> None:
    cols = ", ".join(f"{name} {typ}" for name, typ, _ in PAGE_EVIDENCE_COLUMNS)
    con.execute(f"CREATE OR REPLACE TABLE {TABLE} ({cols})")


def _local(t: datetime | None) -> datetime | None:
    """Fetch times carry their zone; the table holds China time without one."""
    if t is None or t.tzinfo is None:
        return t
    return t.astimezone(CHINA).replace(tzinfo=None)


def _level(region_code: str | None, kind: str, name: str) -> str:
    from etl.extract.places import gazetteer

    g = gazetteer()
    if not region_code or region_code not in g.by_code:
        return level_of(None, None, None, kind, name)
    p = g.placement(region_code)
    return level_of(p.province, p.city, p.county, kind, name)


def evidence_rows(manifests: Iterable[Manifest]) -> list[tuple]:
    """The page-evidence rows of the manifests, in PAGE_EVIDENCE_COLUMNS order."""
    rows = []
    for m in manifests:
        for s in m.sources:
            kind = s.agency_kind or (kind_of(s.agency) if s.agency else None)
            level = _level(s.region_code, kind, s.agency) if s.agency and kind else None
            head = (s.agency, kind, level, s.year, m.kind, s.url, s.column_url, s.report_page_url, s.title)
            if m.sha256 is None:
                when = _local(s.fetched_at)
                rows.append(
                    (
                        *head,
                        s.http_status,
                        s.error,
                        s.blocked,
                        None,
                        None,
                        None,
                        None,
                        None,
                        None,
                        _local(s.page_published),
                        s.page_published_text,
                        when,
                        when,
                    )
                )
                continue
            order = sorted(s.versions, key=lambda v: v.first_seen)
            number = next((i for i, v in enumerate(order, start=1) if v.sha256 == m.sha256), None)
            mine = order[number - 1] if number else None
            published = (mine.page_published if mine else None) or s.page_published
            rows.append(
                (
                    *head,
                    200,
                    None,
                    False,
                    m.content_type,
                    m.size,
                    m.sha256,
                    m.text_sha256,
                    m.problem,
                    number,
                    _local(published),
                    s.page_published_text,
                    _local(s.first_seen or (mine.first_seen if mine else None)),
                    _local(s.last_seen or (mine.last_seen if mine else None)),
                )
            )
    return rows


def load_page_evidence(con: duckdb.DuckDBPyConnection, manifests: Iterable[Manifest]) -> int:
    create_page_evidence(con)
    rows = evidence_rows(manifests)
    if rows:
        marks = ", ".join("?" for _ in PAGE_EVIDENCE_COLUMNS)
        con.executemany(f"INSERT INTO {TABLE} VALUES ({marks})", rows)
    return len(rows)


def _deadline(year: int, kind: str | None, level: str | None, agency: str, township: tuple[int, int]) -> date:
    return deadline(year, kind or kind_of(agency), level or "unknown", township)


def late(con: duckdb.DuckDBPyConnection, township_deadline: tuple[int, int] = (1, 31)) -> list[PageFinding]:
    """The report's earliest printed time on the site after the deadline; where the site prints
    none, its first sighting, but only if the column was already watched before the deadline."""
    rows = con.execute(f"""
        SELECT e.agency, e.year, any_value(e.agency_kind), any_value(e.agency_level),
               min(e.page_published), arg_min(e.page_published_text, e.page_published),
               arg_min(e.url, e.page_published),
               min(e.first_seen), arg_min(e.url, e.first_seen),
               (SELECT min(c.first_seen) FROM {TABLE} c
                 WHERE c.kind = 'list' AND c.url = c.column_url AND c.agency = e.agency)
        FROM {TABLE} e
        WHERE e.kind IN ('page', 'attachment') AND e.agency IS NOT NULL AND e.year IS NOT NULL
        GROUP BY e.agency, e.year ORDER BY e.agency, e.year""").fetchall()
    out = []
    for agency, year, kind, level, pub, pub_text, pub_url, first, first_url, watched in rows:
        dl = _deadline(year, kind, level, agency, township_deadline)
        law = f"法定期限 {dl:%Y-%m-%d}（条例第四十九条）"
        if pub is not None:
            if pub.date() > dl:
                out.append(
                    PageFinding(
                        "page_late",
                        "warning",
                        agency,
                        year,
                        pub_url,
                        f"{agency} {year} 年度报告在网站上的发布时间为 {pub:%Y-%m-%d}（{pub_text}），"
                        f"晚于{law} {(pub.date() - dl).days} 天",
                        "page.page_published",
                    )
                )
        elif first is not None and watched is not None and watched.date() <= dl < first.date():
            out.append(
                PageFinding(
                    "page_late",
                    "warning",
                    agency,
                    year,
                    first_url,
                    f"{agency} {year} 年度报告页面未标明发布时间；自 {watched:%Y-%m-%d} 起监测其年报栏目，"
                    f"{first:%Y-%m-%d} 才首次发现该报告，晚于{law}至少 {(first.date() - dl).days} 天",
                    "page.first_seen",
                )
            )
    return out


def unavailable(con: duckdb.DuckDBPyConnection) -> list[PageFinding]:
    """The latest word on each report page and attachment: a failed fetch, or bytes that are no report file.
    What the collector chose not to fetch (robots.txt, another site) is not held against the agency."""
    rows = con.execute(f"""
        SELECT agency, year, kind, url, http_status, error, problem, size, last_seen FROM (
          SELECT *, row_number() OVER (PARTITION BY url, column_url
                                       ORDER BY last_seen DESC, (sha256 IS NULL) DESC) AS rn
          FROM {TABLE} WHERE kind IN ('page', 'attachment'))
        WHERE rn = 1 AND NOT coalesce(blocked, false)
          AND (error IS NOT NULL OR http_status >= 400 OR problem IS NOT NULL OR size = 0)
        ORDER BY agency, year, url""").fetchall()
    out = []
    for agency, year, kind, url, status, error, problem, size, when in rows:
        what = "附件" if kind == "attachment" else "报告页面"
        reason = error or problem or ("文件为空（0 字节）" if size == 0 else f"HTTP {status}")
        cells = "page.http_status,page.error" if error or (status or 0) >= 400 else "page.problem,page.size"
        who = _whose(agency, year)
        out.append(
            PageFinding(
                "page_unavailable",
                "error",
                agency,
                year,
                url,
                f"{who}{what}无法获取或不是可读的报告文件：{reason}（{when:%Y-%m-%d %H:%M} 采集，{url}）",
                cells,
            )
        )
    return out


def changed(con: duckdb.DuckDBPyConnection) -> list[PageFinding]:
    """The same URL serving a different report (pages: a different article text) on a later crawl;
    a changed printed 发布时间 is named too."""
    rows = con.execute(f"""
        SELECT agency, year, kind, url, first_seen, prev_seen, page_published, prev_published FROM (
          SELECT *, coalesce(text_sha256, sha256) AS content,
                 lag(coalesce(text_sha256, sha256)) OVER w AS prev_content,
                 lag(first_seen) OVER w AS prev_seen, lag(page_published) OVER w AS prev_published
          FROM {TABLE} WHERE kind IN ('page', 'attachment') AND sha256 IS NOT NULL
          WINDOW w AS (PARTITION BY url, column_url ORDER BY version))
        WHERE prev_content IS NOT NULL AND content <> prev_content
        ORDER BY agency, year, url, first_seen""").fetchall()
    out = []
    for agency, year, kind, url, seen, prev_seen, pub, prev_pub in rows:
        what = "附件" if kind == "attachment" else "报告页面"
        date_note = ""
        if pub is not None and prev_pub is not None and pub != prev_pub:
            date_note = f"，页面发布时间也由 {prev_pub:%Y-%m-%d %H:%M} 改为 {pub:%Y-%m-%d %H:%M}"
        who = _whose(agency, year)
        out.append(
            PageFinding(
                "page_changed",
                "warning",
                agency,
                year,
                url,
                f"{who}{what}在发布后被改动：{prev_seen:%Y-%m-%d %H:%M} 采集的内容与 "
                f"{seen:%Y-%m-%d %H:%M} 采集的不同{date_note}（两个版本均已保存，{url}）",
                "page.sha256,page.page_published",
            )
        )
    return out


def not_in_column(
    con: duckdb.DuckDBPyConnection,
    years: Iterable[int] | None = None,
    township_deadline: tuple[int, int] = (1, 31),
) -> list[PageFinding]:
    """Each agency whose column was walked, for each year (default: every year any column
    shows) whose deadline had passed at the column's last crawl: a report listed for it."""
    if years is None:
        years = [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT year FROM {TABLE} WHERE year IS NOT NULL "
                "AND kind IN ('page', 'attachment') ORDER BY year"
            ).fetchall()
        ]
    years = sorted(set(years))
    columns = con.execute(f"""
        SELECT agency, column_url, any_value(agency_kind), any_value(agency_level), max(last_seen),
               arg_max(error, last_seen)
        FROM {TABLE} WHERE kind = 'list' AND url = column_url AND agency IS NOT NULL
        GROUP BY agency, column_url ORDER BY agency""").fetchall()
    have = set(
        con.execute(f"""SELECT DISTINCT agency, column_url, year FROM {TABLE}
                               WHERE kind IN ('page', 'attachment') AND year IS NOT NULL""").fetchall()
    )
    out = []
    for agency, column_url, kind, level, last_crawl, error in columns:
        for year in years:
            if (agency, column_url, year) in have:
                continue
            dl = _deadline(year, kind, level, agency, township_deadline)
            if last_crawl is None or last_crawl.date() <= dl:
                continue  # not due yet when the column was last looked at
            if error:
                msg = f"{agency} 的政府信息公开年报栏目无法打开（{error}），未能找到其 {year} 年度报告（{column_url}）"
            else:
                msg = (
                    f"{agency} 的政府信息公开年报栏目中没有 {year} 年度报告（{column_url}，{last_crawl:%Y-%m-%d} 采集）"
                )
            out.append(PageFinding("page_not_in_column", "error", agency, year, column_url, msg, "page.column_url"))
    return out


def run_all(
    con: duckdb.DuckDBPyConnection,
    years: Iterable[int] | None = None,
    township_deadline: tuple[int, int] = (1, 31),
) -> list[PageFinding]:
    return [
        *late(con, township_deadline),
        *unavailable(con),
        *changed(con),
        *not_in_column(con, years, township_deadline),
    ]

"""What a briefing says, gathered from the warehouse: every number comes from a named query in
dashboard.queries, and the summary paragraph is written from those numbers by plain rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from dashboard import queries as q
from dashboard.metrics import BY_KEY, LOW_COVERAGE, fmt

HEADLINE_KEYS = (
    "reports",
    "on_time_rate",
    "error_rate",
    "applications",
    "substantive_rate",
    "normative_issued",
    "normative_repealed",
    "normative_valid",
    "policy_interpretations",
    "responses_to_concerns",
    "reviews",
    "lawsuits",
    "correction_rate",
    "review_correction_rate",
    "litigation_correction_rate",
)
# metrics the summary reports as rising or falling (counts whose change a leader reads as news)
TREND_KEYS = (
    "applications",
    "normative_issued",
    "normative_repealed",
    "policy_interpretations",
    "responses_to_concerns",
    "reviews",
    "lawsuits",
)


class ScopeError(ValueError):
    """A scope typed on the command line that names no place in the warehouse."""


@dataclass(frozen=True)
class Headline:
    """A headline metric: this year's and last year's values with the reports they cover, and the
    change over the panel of agencies that have the value in both years."""

    key: str
    label: str
    unit: str
    value: float | None
    previous: float | None
    covered: int = 0
    reports: int = 0
    prev_covered: int = 0
    prev_reports: int = 0
    panel_value: float | None = None
    panel_previous: float | None = None
    panel_agencies: int = 0

    def change(self) -> str:
        """Year-over-year change in words a reader expects: points for rates, percent for counts,
        computed over the panel (the raw count of reports for the number of reports)."""
        if self.key == "reports":
            now, before = self.value, self.previous
        else:
            now, before = self.panel_value, self.panel_previous
        if now is None or before is None:
            return "—"
        if self.unit == "%":
            return f"{(now - before) * 100:+.1f} 个百分点"
        if before == 0:
            return "上年为 0" if now else "持平"
        return f"{(now - before) / before * 100:+.1f}%"

    def coverage(self) -> str:
        return f"{self.covered:,}/{self.reports:,}" if self.reports else "—"

    @property
    def rising(self) -> bool | None:
        now, before = (self.value, self.previous) if self.key == "reports" else (self.panel_value, self.panel_previous)
        if now is None or before is None or now == before:
            return None
        return now > before


@dataclass(frozen=True)
class Brief:
    scope: q.Scope
    year: int
    generated: dt.date
    data_as_of: str
    expected: int  # registered agencies in scope
    counts: dict  # reports, late, date_unknown, inconsistent, copied, demo
    headlines: tuple[Headline, ...]
    missing: pl.DataFrame  # registered agencies without a report this year
    late: pl.DataFrame
    errors: pl.DataFrame
    copied: pl.DataFrame
    normative: pl.DataFrame  # per year
    outcomes: pl.DataFrame  # per year
    t4: pl.DataFrame  # per year
    subregions: pl.DataFrame  # on-time rate per sub-region this year
    formats: pl.DataFrame
    files: pl.DataFrame  # whole warehouse: loaded / rejected / duplicate
    findings: pl.DataFrame  # rule, severity, n

    @property
    def title(self) -> str:
        return f"{self.scope.name()}{self.year}年度政府信息公开工作年度报告分析简报"

    @property
    def empty(self) -> bool:
        return not self.counts.get("reports")

    def headline(self, key: str) -> Headline:
        return next(h for h in self.headlines if h.key == key)


def resolve_scope(con, text: str | None) -> q.Scope:
    """ "全国" or empty → the whole country; otherwise a province, city or county name, or a path
    such as "江西省/赣州市". An unknown or ambiguous name raises ScopeError with what to type."""
    text = (text or "").strip()
    if text in ("", "全国"):
        return q.Scope()
    parts = [p for p in text.replace("／", "/").split("/") if p.strip()]
    found = q.place_matches(con, parts[-1].strip())
    if len(parts) > 1:
        found = found.filter(pl.any_horizontal(pl.col(c) == parts[0].strip() for c in ("province", "city")))
    if found.height == 0:
        raise ScopeError(f"库中没有“{text}”的报告或机关。请写省、市或县的全称，如“江西省”“赣州市”，或“全国”。")
    if found.height > 1:
        options = "、".join("/".join(x for x in row if x) for row in found.rows())
        raise ScopeError(f"“{text}”有重名：{options}。请写成“省/市”的形式。")
    province, city, county = found.row(0)
    return q.Scope(province=province, city=city, county=county)


def latest_year(con) -> int | None:
    years = q.years(con)
    return int(years["year"].max()) if years.height else None


def gather(con, scope: q.Scope, year: int, today: dt.date | None = None) -> Brief:
    kpis = q.kpis(con, scope, year, HEADLINE_KEYS)
    headlines = tuple(
        Headline(
            r["key"],
            BY_KEY[r["key"]].zh,
            BY_KEY[r["key"]].unit,
            r["value"] if r["key"] != "reports" else r["reports"],
            r["previous"] if r["key"] != "reports" else r["prev_reports"],
            r["covered"],
            r["reports"],
            r["prev_covered"],
            r["prev_reports"],
            r["panel_value"],
            r["panel_previous"],
            r["panel_agencies"],
        )
        for r in kpis.iter_rows(named=True)
    )
    loaded_at = q.status(con)["loaded_at"][0]
    return Brief(
        scope=scope,
        year=year,
        generated=today or dt.date.today(),
        data_as_of=loaded_at.strftime("%Y-%m-%d %H:%M") if loaded_at else "未知",
        expected=q.expected_reports(con, scope),
        counts=q.scope_counts(con, scope, year).row(0, named=True),
        headlines=headlines,
        missing=q.not_filed(con, scope, year),
        late=q.late_reports(con, scope, year, 10),
        errors=q.error_reports(con, scope, year, 10),
        copied=q.copied_reports(con, scope, year, 10),
        normative=q.normative_pairs(con, scope),
        outcomes=q.outcome_groups_by_year(con, scope),
        t4=q.t4_by_year(con, scope),
        subregions=q.metric_by_subregion(con, scope, "on_time_rate", year),
        formats=q.format_mix(con, scope, year),
        files=q.source_counts(con),
        findings=q.finding_counts(con, scope, year),
    )


def _num(h: Headline) -> str:
    return f"{fmt(h.value, h.unit)}{'' if h.unit == '%' else h.unit}"


def summary(b: Brief) -> str:
    """One paragraph from the numbers, by fixed rules: what the scope filed, what rose and fell,
    and how many reports are late, missing, inconsistent or copied."""
    c = b.counts
    if b.empty:
        return (
            f"{b.year}年度，{b.scope.name()}在库中没有政府信息公开工作年度报告"
            + (f"；名录中应报的 {b.expected:,} 个机关均未见报告。" if b.expected else "。")
            + "本简报因此不含统计和图表。"
        )
    parts = [
        f"{b.year}年度，{b.scope.name()}共收到政府信息公开工作年度报告 {c['reports']:,} 份"
        + (f"（名录应报 {b.expected:,} 个机关）" if b.expected else "")
        + "。"
    ]
    ups, downs = [], []
    for key in TREND_KEYS:
        h = b.headline(key)
        if h.rising is None or h.panel_previous in (None, 0):
            continue
        text = f"{h.label} {_num(h)}（按两年均有数的 {h.panel_agencies:,} 个机关计 {h.change()}）"
        (ups if h.rising else downs).append(text)
    if ups:
        parts.append("与上年相比，上升的有：" + "、".join(ups) + "。")
    if downs:
        parts.append(("下降的有：" if ups else "与上年相比，下降的有：") + "、".join(downs) + "。")
    if not ups and not downs:
        parts.append(
            "上年没有可比数据，本简报不作同比。"
            if not any(h.panel_agencies for h in b.headlines)
            else "主要指标与上年持平。"
        )
    thin = [h for h in b.headlines if h.reports and h.covered / h.reports < LOW_COVERAGE]
    if thin:
        parts.append(
            "以下指标只有部分报告写明，合计偏低、仅供参考："
            + "、".join(f"{h.label}（{h.covered:,}/{h.reports:,} 份）" for h in thin)
            + "。"
        )
    on_time = b.headline("on_time_rate")
    timing = f"按时发布率 {fmt(on_time.value, '%')}，逾期发布 {c['late']:,} 份"
    if c["date_unknown"]:
        timing += f"，发布日期不明 {c['date_unknown']:,} 份"
    parts.append(timing + f"；名录中 {b.missing.height:,} 个机关未发布报告。")
    parts.append(
        f"{c['inconsistent']:,} 份报告的表格数字不平衡或合计不符，{c['copied']:,} 份报告正文与上一年度高度雷同。"
    )
    return "".join(parts)

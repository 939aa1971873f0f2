"""Plotly figures built from Polars frames. No Streamlit here: the same functions draw the static
charts of a printed briefing. Every text a figure shows is given to it by the caller, in the
caller's language; axes of counts and rates start at 0; category labels get the margin they need
(automargin), so a long name is never cut."""

from __future__ import annotations

import functools
import json
import math

import plotly.colors as pc
import plotly.graph_objects as go
import polars as pl

from etl.paths import DATA

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
PALETTE = [
    "#1f5fa8",
    "#d9822b",
    "#2e8b57",
    "#b03a48",
    "#7a5195",
    "#4a9fb5",
    "#8c6d31",
    "#c9a227",
    "#e377c2",
    "#17becf",
    "#7f7f7f",
    "#bcbd22",
]
MAX_LINES = len(PALETTE)  # more lines than colours cannot be told apart
STATE_COLORS = {
    "按时": "#2e8b57",
    "逾期": "#e69b3a",
    "有错误": "#c0392b",
    "逾期且有错误": "#6d1a36",
    "未发布": "#444444",
    "日期不明": "#c9c9c9",
}


def _layout(fig: go.Figure, title: str | None = None, height: int = 360) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left") if title else None,
        height=height,
        margin=dict(l=10, r=20, t=48 if title else 16, b=10),
        font=dict(family=FONT, size=13),
        colorway=PALETTE,
        legend=dict(orientation="h", y=-0.18, x=0),
        plot_bgcolor="white",
        paper_bgcolor="white",
        separators=".,",
    )
    fig.update_xaxes(showgrid=False, automargin=True)
    fig.update_yaxes(gridcolor="#eeeeee", automargin=True)
    return fig


def _num(v, percent: bool) -> str:
    if v is None:
        return "—"
    return f"{v:.1%}" if percent else f"{v:,.0f}"


def sparkline(df: pl.DataFrame, x: str = "year", y: str = "value") -> go.Figure:
    fig = go.Figure(go.Scatter(x=df[x].to_list(), y=df[y].to_list(), mode="lines+markers", line=dict(width=2)))
    fig.update_layout(
        height=70,
        margin=dict(l=0, r=0, t=0, b=0),
        xaxis=dict(visible=False),
        yaxis=dict(visible=False, rangemode="tozero"),
        showlegend=False,
        plot_bgcolor="white",
    )
    return fig


def lines(
    df: pl.DataFrame,
    title: str,
    y_label: str,
    percent: bool = False,
    low_coverage: float | None = None,
    coverage_label: str = "覆盖",
) -> go.Figure:
    """One line per `part` over `year`, y from 0. With `covered` and `reports` columns, a point
    whose coverage is below `low_coverage` is drawn hollow and its hover says how many reports it
    covers."""
    fig = go.Figure()
    has_cov = {"covered", "reports"} <= set(df.columns)
    for i, part in enumerate(df["part"].unique(maintain_order=True).to_list()):
        sub = df.filter(pl.col("part") == part).sort("year")
        color = PALETTE[i % len(PALETTE)]
        hover, symbols = None, None
        if has_cov:
            cov = list(zip(sub["covered"].to_list(), sub["reports"].to_list()))  # counts: never NULL
            hover = [
                f"{part} {y}：{_num(v, percent)}<br>{coverage_label} {c:,}/{n:,}"
                for y, v, (c, n) in zip(sub["year"].to_list(), sub["value"].to_list(), cov)
            ]
            if low_coverage is not None:
                symbols = ["circle-open" if n and c / n < low_coverage else "circle" for c, n in cov]
        fig.add_trace(
            go.Scatter(
                x=sub["year"].to_list(),
                y=sub["value"].to_list(),
                mode="lines+markers",
                name=str(part),
                line=dict(color=color, width=2),
                marker=dict(size=8, symbol=symbols, color=color, line=dict(width=2, color=color)),
                hovertext=hover,
                hoverinfo="text" if hover else None,
            )
        )
    fig.update_yaxes(tickformat=".0%" if percent else ",", rangemode="tozero")
    fig.update_xaxes(dtick=1)
    if y_label and not percent:  # the unit, written level above the axis (a rotated 件 reads badly)
        fig.add_annotation(
            text=y_label, xref="paper", yref="paper", x=0, y=1.02, showarrow=False, xanchor="right", yanchor="bottom"
        )
    return _layout(fig, title)


def paired_bars(df: pl.DataFrame, title: str, labels: tuple[str, str]) -> go.Figure:
    fig = go.Figure(
        [
            go.Bar(x=df["year"].to_list(), y=df["issued"].to_list(), name=labels[0]),
            go.Bar(x=df["year"].to_list(), y=df["repealed"].to_list(), name=labels[1]),
        ]
    )
    fig.update_layout(barmode="group")
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(rangemode="tozero", tickformat=",")
    return _layout(fig, title)


def ranking(
    df: pl.DataFrame,
    title: str,
    percent: bool = False,
    count_label: str | None = None,
    max_rows: int = 40,
    gap_label: str = "……",
) -> go.Figure:
    """Horizontal bars, best first. With more than `max_rows` rows the top and the bottom halves
    are both shown (the laggards are never cut), with a gap row between them. With `count_label`
    (a format such as "{name}（{n:,} 份）") and a `covered` column, each name says how many
    reports its value rests on."""
    d = df.drop_nulls("value").sort("value", descending=True)
    names = d["name"].to_list()
    if count_label and "covered" in d.columns:
        names = [count_label.format(name=n, n=c) for n, c in zip(names, d["covered"].to_list())]
    values = d["value"].to_list()
    if d.height > max_rows:
        half = max_rows // 2
        names = names[:half] + [gap_label] + names[-half:]
        values = values[:half] + [None] + values[-half:]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=names,
            orientation="h",
            text=["" if v is None else _num(v, percent) for v in values],
            textposition="outside",
            cliponaxis=False,
            marker_color=PALETTE[0],
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    top = max((v for v in values if v is not None), default=1) or 1
    fig.update_xaxes(tickformat=".0%" if percent else ",", range=[0, top * 1.25], rangemode="tozero")
    if percent:  # no tick beyond 100 %: the room on the right is for the values' text
        fig.update_xaxes(tickvals=[i / 5 for i in range(6) if i / 5 <= top * 1.25])
    return _layout(fig, title, height=max(260, 24 * len(names) + 90))


def bars(labels: list[str], values: list, title: str, percent: bool = False, notes: list[str] | None = None):
    """Horizontal bars in the given order (applicant types, outcomes): full labels, values beside."""
    text = [
        _num(v, percent) + (f"（{n}）" if notes and n else "") for v, n in zip(values, notes or [None] * len(values))
    ]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            text=text,
            textposition="outside",
            cliponaxis=False,
            marker_color=PALETTE[0],
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    top = max((v for v in values if v is not None), default=1) or 1
    fig.update_xaxes(tickformat=".0%" if percent else ",", range=[0, top * 1.3])
    return _layout(fig, title, height=max(240, 26 * len(labels) + 90))


def heatmap(df: pl.DataFrame, title: str, percent: bool = False, coverage_label: str = "覆盖") -> go.Figure:
    """Sub-region x year from columns part, year, value (and covered, reports)."""
    parts = sorted(df["part"].drop_nulls().unique().to_list())
    years = sorted(df["year"].unique().to_list())
    grid = {(r["part"], r["year"]): r for r in df.iter_rows(named=True)}
    z = [[(grid.get((p, y)) or {}).get("value") for y in years] for p in parts]

    def hover(p, y):
        r = grid.get((p, y))
        if r is None:
            return f"{p} {y}：—"
        cov = f"<br>{coverage_label} {r['covered']:,}/{r['reports']:,}" if "covered" in r else ""
        return f"{p} {y}：{_num(r['value'], percent)}{cov}"

    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[str(y) for y in years],
            y=parts,
            colorscale="Blues",
            hovertext=[[hover(p, y) for y in years] for p in parts],
            hoverinfo="text",
            colorbar=dict(tickformat=".0%" if percent else ","),
            xgap=1,
            ygap=1,
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    return _layout(fig, title, height=max(300, 20 * len(parts) + 100))


def _signed_area(ring: list) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:])) / 2


@functools.lru_cache(maxsize=4)
def outlines(level: str) -> dict:
    """Simplified official outlines shipped in data/outlines/ (provinces, cities, counties)."""
    return json.loads((DATA / "outlines" / f"{level}.geojson").read_text(encoding="utf-8"))


def _color(value: float | None, lo: float, hi: float) -> str:
    if value is None:
        return "#e8e8e8"
    t = 0.0 if hi <= lo else (value - lo) / (hi - lo)
    return pc.sample_colorscale("Blues", [0.12 + 0.88 * t])[0]


def choropleth(df: pl.DataFrame, level: str, title: str, percent: bool = False) -> go.Figure:
    """df: code, name, value. The outlines shipped in data/outlines/ drawn as filled SVG
    polygons: no base map, tiles or WebGL are needed, so it works offline in any browser.
    Each region also has a marker at its centre, so a click selects it."""
    geo = outlines(level)
    by_code = {f["id"]: f for f in geo["features"]}
    d = df.filter(pl.col("code").is_in(list(by_code)))
    fig = go.Figure()
    if d.height == 0:
        return _layout(fig, title, height=480)
    vals = [v for v in d["value"].to_list() if v is not None]
    lo, hi = (min(vals), max(vals)) if vals else (0.0, 1.0)
    if hi - lo < 1e-9:  # one value everywhere: a scale from 0 to it, not an invented spread around it
        lo, hi = (0.0, hi) if hi > 0 else (0.0, 1.0)
    centres = []
    for row in d.iter_rows(named=True):
        feat = by_code[row["code"]]
        xs: list = []
        ys: list = []
        best = (0.0, 0.0, 0.0)
        for poly in feat["geometry"]["coordinates"]:
            ring = poly[0]
            xs += [x for x, _ in ring] + [None]
            ys += [y for _, y in ring] + [None]
            area = abs(_signed_area(ring))
            if area > best[0]:
                best = (area, sum(x for x, _ in ring) / len(ring), sum(y for _, y in ring) / len(ring))
        shown = _num(row["value"], percent)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                fill="toself",
                mode="lines",
                line=dict(color="white", width=0.7),
                fillcolor=_color(row["value"], lo, hi),
                hoveron="fills",
                hoverinfo="text",
                text=f"{row['name']}：{shown}",
                showlegend=False,
            )
        )
        centres.append((best[1], best[2], row["name"], shown))
    fig.add_trace(
        go.Scatter(
            x=[c[0] for c in centres],
            y=[c[1] for c in centres],
            mode="markers",
            marker=dict(size=9, color="rgba(255,255,255,0.9)", line=dict(width=1.5, color="#1f3f6a")),
            customdata=[c[2] for c in centres],
            text=[f"{c[2]}：{c[3]}" for c in centres],
            hoverinfo="text",
            showlegend=False,
            name="regions",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            showlegend=False,
            hoverinfo="skip",
            marker=dict(
                colorscale=[[0, _color(lo, lo, hi)], [1, _color(hi, lo, hi)]],
                cmin=lo,
                cmax=hi,
                color=[lo],
                showscale=True,
                colorbar=dict(tickformat=".0%" if percent else ",", thickness=14),
            ),
        )
    )
    mid_lat = sum(c[1] for c in centres) / len(centres)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / max(0.3, math.cos(math.radians(mid_lat))))
    fig.update_layout(hovermode="closest", clickmode="event+select", dragmode=False)
    return _layout(fig, title, height=520)


def coverage_grid(df: pl.DataFrame, title: str, state_labels: dict[str, str]) -> go.Figure:
    """Agency x year coloured by state (按时, 逾期, 有错误, 逾期且有错误, 未发布, 日期不明), with a
    legend in `state_labels`' words. Drawn as stacked bars, one segment per year, so that a click on
    a cell selects it (its customdata is the agency's id and the year). A blank cell: no report from
    an agency not in the registry."""
    agencies = df["name"].unique(maintain_order=True).to_list()
    ids = dict(zip(df["name"].to_list(), df["agency_id"].to_list()))
    years = sorted(df["year"].unique().to_list())
    cell = {(r["name"], r["year"]): r["state"] for r in df.iter_rows(named=True)}
    fig = go.Figure()
    for y in years:
        states = [cell.get((a, y)) for a in agencies]
        fig.add_trace(
            go.Bar(
                x=[1] * len(agencies),
                y=agencies,
                orientation="h",
                marker=dict(
                    color=[STATE_COLORS.get(s or "", "#ffffff") for s in states], line=dict(color="white", width=1)
                ),
                customdata=[[ids[a], y] for a in agencies],
                hovertext=[f"{a} {y}：{state_labels.get(s or '', '—')}" for a, s in zip(agencies, states)],
                hoverinfo="text",
                showlegend=False,
                name=str(y),
            )
        )
    for s in STATE_COLORS:  # the legend: one square per state
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker=dict(symbol="square", size=12, color=STATE_COLORS[s]),
                name=state_labels[s],
                showlegend=True,
            )
        )
    fig.update_layout(barmode="stack", bargap=0.08, clickmode="event+select", dragmode=False)
    fig.update_yaxes(autorange="reversed", type="category", showgrid=False)
    fig.update_xaxes(
        side="top",
        range=[0, len(years)],
        tickvals=[i + 0.5 for i in range(len(years))],
        ticktext=[str(y) for y in years],
        showgrid=False,
        zeroline=False,
    )
    fig = _layout(fig, title, height=max(300, 18 * len(agencies) + 140))
    fig.update_layout(legend=dict(orientation="h", y=-0.02, yanchor="top", x=0))
    return fig


def stacked(df: pl.DataFrame, x: str, series: list[tuple[str, str]], title: str, percent: bool = False) -> go.Figure:
    fig = go.Figure([go.Bar(x=df[x].to_list(), y=df[col].to_list(), name=name) for col, name in series])
    fig.update_layout(barmode="stack")
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(tickformat=".0%" if percent else ",", rangemode="tozero")
    return _layout(fig, title)


# the 督办 workflow's states (etl.review.workflow.REPORT_STATES), in the order a finding moves
FOLLOWUP_COLORS = {
    "待核实": "#c9c9c9",
    "已确认": "#e69b3a",
    "已通知": "#1f5fa8",
    "逾期未改": "#b03a48",
    "已整改": "#2e8b57",
    "已排除": "#8c8c8c",
}


def state_bars(df: pl.DataFrame, title: str, state_labels: dict[str, str], count_label: str) -> go.Figure:
    """One horizontal bar per region (`region`), split by the findings' state (`state`, `n`): where
    the work stands. Regions with the most open findings first; every segment says its count."""
    totals = df.group_by("region").agg(pl.col("n").sum()).sort("n", "region", descending=[True, False])
    regions = totals["region"].to_list()
    n = {(r["region"], r["state"]): r["n"] for r in df.iter_rows(named=True)}
    fig = go.Figure()
    for s, color in FOLLOWUP_COLORS.items():
        values = [n.get((r, s), 0) for r in regions]
        if not any(values):
            continue
        fig.add_trace(
            go.Bar(
                x=values,
                y=regions,
                orientation="h",
                name=state_labels[s],
                marker=dict(color=color, line=dict(color="white", width=1)),
                text=[v if v else "" for v in values],
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
                hovertemplate="%{y}：" + state_labels[s] + " %{x:,}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", bargap=0.25, uniformtext=dict(minsize=10, mode="hide"), showlegend=True)
    fig.update_yaxes(autorange="reversed", type="category", showgrid=False)
    most = totals["n"].max() if totals.height else 0
    fig.update_xaxes(title=count_label, tickformat=",d", rangemode="tozero", showgrid=True, gridcolor="#eeeeee")
    if most is not None and most <= 10:
        fig.update_xaxes(dtick=1)  # counts: no ticks at 0.5
    fig = _layout(fig, title, height=max(260, 30 * len(regions) + 130))
    fig.update_layout(legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0), margin=dict(t=90))
    return fig

"""Plotly figures built from Polars frames. No Streamlit here: the same functions can draw
the static charts of a printed briefing."""

from __future__ import annotations

import functools
import json
import math

import plotly.colors as pc
import plotly.graph_objects as go
import polars as pl

from etl.paths import DATA

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
PALETTE = ["#1f5fa8", "#d9822b", "#2e8b57", "#b03a48", "#7a5195", "#4a9fb5", "#a0a0a0", "#c9a227"]
STATE_COLORS = {
    "按时": "#2e8b57",
    "逾期": "#d9822b",
    "有错误": "#b03a48",
    "未发布": "#555555",
    "日期不明": "#c9c9c9",
}


def _layout(fig: go.Figure, title: str | None = None, height: int = 360) -> go.Figure:
    fig.update_layout(
        title=title,
        height=height,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        font=dict(family=FONT, size=13),
        colorway=PALETTE,
        legend=dict(orientation="h", y=-0.15),
        plot_bgcolor="white",
    )
    fig.update_xaxes(showgrid=False)
    fig.update_yaxes(gridcolor="#eeeeee")
    return fig


def sparkline(df: pl.DataFrame, x: str = "year", y: str = "value") -> go.Figure:
    fig = go.Figure(go.Scatter(x=df[x].to_list(), y=df[y].to_list(), mode="lines+markers", line=dict(width=2)))
    fig.update_layout(
        height=70,
        margin=dict(l=0, r=0, t=0, b=0),
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
        showlegend=False,
        plot_bgcolor="white",
    )
    return fig


def lines(df: pl.DataFrame, title: str, y_label: str, percent: bool = False) -> go.Figure:
    """One line per `part` over `year`."""
    fig = go.Figure()
    for part in df["part"].unique(maintain_order=True).to_list():
        sub = df.filter(pl.col("part") == part)
        fig.add_trace(
            go.Scatter(x=sub["year"].to_list(), y=sub["value"].to_list(), mode="lines+markers", name=str(part))
        )
    fig.update_yaxes(title=y_label, tickformat=".0%" if percent else ",")
    fig.update_xaxes(dtick=1)
    return _layout(fig, title)


def paired_bars(df: pl.DataFrame, title: str, labels: tuple[str, str] = ("本年制发", "本年废止")) -> go.Figure:
    fig = go.Figure(
        [
            go.Bar(x=df["year"].to_list(), y=df["issued"].to_list(), name=labels[0]),
            go.Bar(x=df["year"].to_list(), y=df["repealed"].to_list(), name=labels[1]),
        ]
    )
    fig.update_layout(barmode="group")
    fig.update_xaxes(dtick=1)
    return _layout(fig, title)


def ranking(df: pl.DataFrame, title: str, percent: bool = False, top: int = 30) -> go.Figure:
    d = df.drop_nulls("value").sort("value", descending=True).head(top)
    fig = go.Figure(
        go.Bar(
            x=d["value"].to_list(),
            y=d["name"].to_list(),
            orientation="h",
            text=[f"{v:.1%}" if percent else f"{v:,.0f}" for v in d["value"].to_list()],
            textposition="auto",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickformat=".0%" if percent else ",")
    return _layout(fig, title, height=max(300, 22 * d.height + 60))


def heatmap(df: pl.DataFrame, title: str, percent: bool = False) -> go.Figure:
    """Sub-region x year from columns part, year, value."""
    parts = sorted(df["part"].drop_nulls().unique().to_list())
    years = sorted(df["year"].unique().to_list())
    grid = {(r["part"], r["year"]): r["value"] for r in df.iter_rows(named=True)}
    z = [[grid.get((p, y)) for y in years] for p in parts]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[str(y) for y in years],
            y=parts,
            colorscale="Blues",
            hovertemplate="%{y} %{x}: %{z}<extra></extra>",
            colorbar=dict(tickformat=".0%" if percent else ","),
        )
    )
    return _layout(fig, title, height=max(300, 20 * len(parts) + 80))


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
    Each region also has an invisible marker at its centre, so a click selects it."""
    geo = outlines(level)
    by_code = {f["id"]: f for f in geo["features"]}
    d = df.filter(pl.col("code").is_in(list(by_code)))
    fig = go.Figure()
    if d.height == 0:
        return _layout(fig, title, height=480)
    vals = [v for v in d["value"].to_list() if v is not None]
    lo, hi = (min(vals), max(vals)) if vals else (0.0, 1.0)
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
        shown = "—" if row["value"] is None else (f"{row['value']:.1%}" if percent else f"{row['value']:,.0f}")
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                fill="toself",
                mode="lines",
                line=dict(color="white", width=0.7),
                fillcolor=_color(row["value"], lo, hi),
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
            marker=dict(size=14, opacity=0.01),
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


def coverage_grid(df: pl.DataFrame, title: str) -> go.Figure:
    """Agency x year coloured by state (按时 / 逾期 / 有错误 / 未发布)."""
    states = list(STATE_COLORS)
    code = {s: i for i, s in enumerate(states)}
    agencies = df["name"].unique(maintain_order=True).to_list()
    years = sorted(df["year"].unique().to_list())
    cell = {(r["name"], r["year"]): r["state"] for r in df.iter_rows(named=True)}
    z = [[code.get(cell.get((a, y)), None) for y in years] for a in agencies]
    text = [[cell.get((a, y), "") for y in years] for a in agencies]
    n = len(states)
    scale = []
    for i, s in enumerate(states):
        scale += [(i / n, STATE_COLORS[s]), ((i + 1) / n, STATE_COLORS[s])]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[str(y) for y in years],
            y=agencies,
            text=text,
            zmin=-0.5,
            zmax=n - 0.5,
            colorscale=scale,
            showscale=False,
            xgap=2,
            ygap=1,
            hovertemplate="%{y} %{x}：%{text}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(side="top")
    return _layout(fig, title, height=max(300, 16 * len(agencies) + 80))


def donut(labels: list[str], values: list[float], title: str) -> go.Figure:
    fig = go.Figure(go.Pie(labels=labels, values=values, hole=0.5, sort=False, textinfo="percent+label"))
    fig.update_layout(showlegend=False)
    return _layout(fig, title)


def stacked(df: pl.DataFrame, x: str, series: list[tuple[str, str]], title: str, percent: bool = False) -> go.Figure:
    fig = go.Figure([go.Bar(x=df[x].to_list(), y=df[col].to_list(), name=name) for col, name in series])
    fig.update_layout(barmode="stack")
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(tickformat=".0%" if percent else ",")
    return _layout(fig, title)

"""数据: load runs, what became of every file (rejected and duplicate files with reasons),
unmatched agencies, format versions by year."""

import polars as pl
import streamlit as st

from dashboard import auth, charts
from dashboard import queries as q
from dashboard.state import header, lang, run, tr
from dashboard.ui import download, page_title, table

L = lang()
header(page_title("data"))

st.subheader(tr("入库记录", "Loads"))
runs = run(q.load_runs)
table(
    runs.with_columns(pl.col("started_at").dt.strftime("%Y-%m-%d %H:%M:%S"), pl.col("seconds").round(1)),
    {
        "run_id": tr("批次", "Run"),
        "started_at": tr("开始时间", "Started"),
        "files_seen": tr("文件数", "Files seen"),
        "files_new": tr("新文件或已变化的文件", "New or changed files"),
        "loaded": tr("入库报告", "Reports loaded"),
        "rejected": tr("拒收", "Rejected"),
        "duplicates": tr("重复", "Duplicates"),
        "skipped": tr("跳过（非报告格式）", "Skipped (not a report format)"),
        "unmatched": tr("未匹配机关", "Unmatched agencies"),
        "findings": tr("发现总数", "Findings"),
        "seconds": tr("耗时（秒）", "Seconds"),
    },
    key="dt_runs",
)

STATUS = {
    "loaded": ("入库", "loaded"),
    "rejected": ("拒收", "rejected"),
    "duplicate": ("重复", "duplicate"),
    "skipped": ("跳过（非报告文件）", "skipped (not a report)"),
}
i = 0 if L == "zh" else 1


def status_words(s: str) -> str:
    return STATUS.get(s, (s, s))[i]


st.subheader(tr("文件处理结果", "What became of each file"))
counts = run(q.source_counts).with_columns(pl.col("status").map_elements(status_words, return_dtype=pl.Utf8))
table(counts, {"status": tr("结果", "Result"), "files": tr("文件数", "Files")}, key="dt_counts")

st.subheader(tr("拒收和重复的文件（及原因）", "Rejected and duplicate files, with the reason"))
national = auth.region().national  # these two lists name files and agencies of every region
rej = run(q.rejected) if national else None
if rej is None:
    st.info(auth.w("national_only"), icon=":material/lock:")
elif rej.height:
    shown = rej.with_columns(pl.col("status").map_elements(status_words, return_dtype=pl.Utf8))
    table(
        shown,
        {
            "path": tr("文件", "File"),
            "status": tr("结果", "Result"),
            "reason": tr("原因", "Reason (as the loader words it, in Chinese)"),
            "size": tr("字节数", "Bytes"),
        },
        key="dt_rejected",
    )
    download(rej, "rejected.csv", key="dl_rejected")
else:
    st.success(tr("没有拒收或重复的文件。", "No rejected or duplicate files."))

st.subheader(tr("未匹配名录的机关（待核对）", "Agencies not matched to the registry (to check)"))
un = run(q.unmatched) if national else None
if un is None:
    st.info(auth.w("national_only"), icon=":material/lock:")
elif un.height:
    table(un, ["name", "province", "city", "county", "reports"], key="dt_unmatched")
    download(un, "unmatched.csv", key="dl_unmatched")
else:
    st.success(tr("没有未匹配的机关。", "Every agency is matched."))

st.subheader(tr("各年度报告的格式版本", "Format versions by year"))
fv = run(q.formats_by_year)
versions = fv["format_version"].unique().sort().to_list()
wide = fv.pivot(on="format_version", index="year", values="reports").sort("year")
st.plotly_chart(
    charts.stacked(wide, "year", [(v, tr(f"{v} 版", f"{v} format")) for v in versions], ""),
    width="stretch",
    key="data_formats",
)
st.caption(
    tr(
        "2019 版格式的报告没有“本年废止件数”“本年收费金额”，且“其他处理”只有一行：这些数字与 2021 版不可直接比较。",
        "Reports in the 2019 format have no 'repealed this year' or 'fees collected', and one 'other handling' "
        "row: those numbers are not comparable with the 2021 format.",
    )
)

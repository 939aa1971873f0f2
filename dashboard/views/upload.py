"""上传: drop report files or a zip; each is checked and parsed, shown with its result, and the person
loads the accepted ones in the background (etl/upload.py does the work)."""

import polars as pl
import streamlit as st

from dashboard import queries as q
from dashboard import work
from dashboard.state import (
    allow_upload,
    connection,
    db_path,
    global_params,
    lang,
    language_toggle,
    loading_note,
    run,
    tr,
)
from dashboard.ui import page_title, table
from etl import upload
from etl.read import limits
from etl.registry.rules import BY_ID, SEVERITY_WORDS, words

L = lang()
i = 0 if L == "zh" else 1
language_toggle()
st.title(page_title("upload"))
role = st.session_state.get("role")
if role not in ("reviewer", "admin") and not (role is None and allow_upload()):
    st.error(tr("只有审核员和管理员可以上传报告。", "Only reviewers and administrators can upload reports."))
    st.stop()
if connection() is not None:
    loading_note()
DB = db_path()

st.caption(
    tr(
        f"可上传 PDF、Word、WPS、Excel、网页、文本或图片（扫描件）格式的年度报告，或它们的 zip 压缩包。"
        f"单个文件不超过 {limits.MAX_FILE_MB} MB，压缩包解压后不超过 {limits.MAX_UNZIPPED_MB} MB，"
        f"一次最多 {upload.MAX_FILES} 个文件。每个文件先解析并显示结果，确认后再入库。",
        f"Upload annual reports as PDF, Word, WPS, Excel, web page, text or picture (scan) files, or a zip of them. "
        f"At most {limits.MAX_FILE_MB} MB a file, {limits.MAX_UNZIPPED_MB} MB unzipped, {upload.MAX_FILES} files at "
        f"once. Each file is parsed and shown first; you load it after checking.",
    )
)
# Streamlit's drop zone speaks English ("Upload", "200MB per file"): our words and our limit instead
# (a fixed style of our own; nothing from a file is ever rendered as HTML)
_zone = ".st-key-up_files [data-testid=stFileUploaderDropzone]"
_drop = tr(
    f"或把文件拖到这里（单个文件不超过 {limits.MAX_FILE_MB} MB）",
    f"or drop them here (at most {limits.MAX_FILE_MB} MB a file)",
)
st.html(
    f"""<style>
{_zone} button [data-testid=stMarkdownContainer] p {{ display: none; }}
{_zone} button [data-testid=stMarkdownContainer]::after {{ content: "{tr("选择文件", "Choose files")}"; }}
{_zone} [data-testid=stFileUploaderDropzoneInstructions] span {{ display: none; }}
{_zone} [data-testid=stFileUploaderDropzoneInstructions] div::after {{
  content: "{_drop}";
  font-size: 0.875rem; opacity: 0.7; }}
</style>"""
)
files = st.file_uploader(
    tr("拖入文件或压缩包", "Drop files or a zip"),
    accept_multiple_files=True,
    key="up_files",
)


def summary_of(p: upload.Preview) -> str:
    """The findings counted by severity, in words (the rules are listed below the table)."""
    if not p.findings:
        return tr("未发现问题", "no findings")
    counts = {}
    for f in p.findings:
        counts[f["severity"]] = counts.get(f["severity"], 0) + 1
    return tr("，", ", ").join(f"{SEVERITY_WORDS[s][i]} {n}" for s, n in counts.items() if s in SEVERITY_WORDS)


if files:
    signature = tuple((f.name, f.size, f.file_id) for f in files)
    if st.session_state.get("up_sig") != signature:
        with st.spinner(tr("正在检查和解析上传的文件……", "Checking and parsing the files…")):
            previews = upload.preview([(f.name, f.getvalue()) for f in files], DB)
        previews = upload.within(previews, work.account_scope(work.actor()))  # the account's region only
        shas = tuple(p.sha256 for p in previews if p.ok and p.sha256)
        if shas and connection() is not None:
            held = set(run(q.known_contents, shas).filter(pl.col("status") != "rejected")["sha256"].to_list())
            for p in previews:
                p.duplicate = p.sha256 in held
        st.session_state["up_sig"], st.session_state["up_previews"] = signature, previews
    previews = st.session_state["up_previews"]

    good = [p for p in previews if p.ok]
    st.subheader(tr("检查结果", "What was found"))
    st.caption(
        tr(
            f"共 {len(previews)} 个文件：可以入库 {len(good)} 个，不予接收 {len(previews) - len(good)} 个。",
            f"{len(previews)} files: {len(good)} can be loaded, {len(previews) - len(good)} refused.",
        )
    )

    def result(p: upload.Preview) -> str:
        if not p.ok:
            return tr("不予接收", "refused")
        if p.duplicate:
            return tr("已入库（内容相同）", "already loaded (same content)")
        return tr("可以入库", "can be loaded")

    rows = pl.DataFrame(
        {
            "name": [p.name for p in previews],
            "result": [result(p) for p in previews],
            "agency": [p.agency for p in previews],
            "year": [p.year for p in previews],
            "fmt": [upload.FORMAT_WORDS.get(p.ext, (p.ext or "—",) * 2)[i] for p in previews],
            "format_version": [
                (tr(f"{p.format_version} 版", f"{p.format_version} format") if p.format_version else None)
                for p in previews
            ],
            "reason": [p.reason for p in previews],
            "findings": [summary_of(p) if p.ok else None for p in previews],
        },
        schema_overrides={"year": pl.Int64},
    )
    table(
        rows,
        {
            "name": tr("文件", "File"),
            "result": tr("结果", "Result"),
            "agency": tr("机关", "Agency"),
            "year": tr("年度", "Year"),
            "fmt": tr("文件格式", "File format"),
            "format_version": tr("表格版本", "Table format"),
            "reason": tr("不予接收的原因", "Why it was refused (in Chinese)"),
            "findings": tr("发现的问题", "Findings"),
        },
        key="up_table",
    )
    refused = [p for p in previews if not p.ok]
    if refused:
        with st.expander(
            tr(f"不予接收的 {len(refused)} 个文件及原因", f"The {len(refused)} refused files, and why"), expanded=True
        ):
            st.markdown("\n".join(f"- **{p.name}**：{p.reason}" for p in refused))
    for p in good:
        if p.findings:
            with st.expander(f"{p.name}：{summary_of(p)}" if L == "zh" else f"{p.name}: {summary_of(p)}"):
                for f in p.findings:
                    doubt = BY_ID[f["rule"]].origin == "reading" if f["rule"] in BY_ID else False
                    tag = tr("（读数存疑，不计入该机关）", " (a doubt about our reading)") if doubt else ""
                    st.markdown(
                        f"- **{SEVERITY_WORDS.get(f['severity'], (f['severity'],) * 2)[i]}** "
                        f"{words(f['rule'], L)}{tag}：{f['message']}"
                    )

    loadable = [n for n, p in enumerate(previews) if p.ok]
    if loadable:
        chosen = st.multiselect(
            tr("要入库的文件", "Files to load"),
            loadable,
            default=[n for n in loadable if not previews[n].duplicate],
            format_func=lambda n: previews[n].name,
            key="up_chosen",
            placeholder=tr("请选择", "Choose"),
        )
        if st.button(
            tr(f"入库所选的 {len(chosen)} 个文件", f"Load the {len(chosen)} chosen files"),
            type="primary",
            disabled=not chosen or bool(st.session_state.get("up_job_running")),
            key="up_load",
        ):
            job_id = upload.start_load([previews[n] for n in chosen], DB, role)
            st.session_state["up_jobs"] = [*st.session_state.get("up_jobs", []), job_id]


@st.fragment(run_every=1.0)
def progress() -> None:
    """The background loads this session started: a progress bar each, the result when done."""
    running = False
    for job_id in st.session_state.get("up_jobs", []):
        job = upload.read_job(DB, job_id)
        if job is None:
            continue
        if job.state in ("waiting", "running"):
            running = True
            stage = job.stage_zh if L == "zh" else job.stage_en
            share = job.done / job.total if job.total else 0.0
            st.progress(
                share,
                text=tr(f"入库中：{stage}（{job.done}/{job.total}）", f"Loading: {stage} ({job.done}/{job.total})"),
            )
        elif job.state == "done":
            s = job.summary or {}
            st.success(
                tr(
                    f"入库完成：新入库报告 {s.get('loaded', 0)} 份，拒收 {s.get('rejected', 0)} 份，"
                    f"重复 {s.get('duplicates', 0)} 份，未变化 {s.get('unchanged', 0)} 份。结果见“数据”页。",
                    f"Loaded: {s.get('loaded', 0)} new reports, {s.get('rejected', 0)} rejected, "
                    f"{s.get('duplicates', 0)} duplicates, {s.get('unchanged', 0)} unchanged. See the Data page.",
                ),
                icon=":material/check_circle:",
            )
        else:
            st.error(tr("入库失败：", "The load failed (in Chinese): ") + (job.error or ""))
    st.session_state["up_job_running"] = running
    if st.session_state.get("up_jobs"):
        st.page_link(
            "views/data.py",
            label=tr("查看“数据”页", "Open the Data page"),
            icon=":material/database:",
            query_params=global_params(),
        )


if st.session_state.get("up_jobs"):
    progress()

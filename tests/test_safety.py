"""Bad input, limits, faults and safety: every bad file gets its outcome, the batch goes on,
what was loaded before is unchanged; the dashboard cannot write and binds every value."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURES, parse_json, q

from etl.pipeline import run_load

GANZHOU = FIXTURES / "samples" / "ganzhou-jkq-2023.txt"


def _docx(document_xml: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        z.writestr("word/document.xml", document_xml)
    return buf.getvalue()


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><document>&lol3;</document>'
)


def bad_inputs(folder: Path) -> dict[str, str]:
    """Write the bad-input suite; returns file name -> expected outcome (status or a reason word)."""
    text = GANZHOU.read_text(encoding="utf-8")
    html_page = f"<html><body><h1>某县教育局2023年政府信息公开工作年度报告</h1><p>{text[:4000]}</p></body></html>"
    from etl.demo.render import docx_bytes
    from tests.test_formats import printed

    good_docx = docx_bytes(printed(), __import__("random").Random(1))
    pdf = (FIXTURES / "samples" / "hongze-2024.pdf").read_bytes()
    files = {
        "empty.txt": (b"", "rejected:空"),
        "binary.html": (os.urandom(3000) + b"\0" * 50, "rejected"),
        "cut.pdf": (pdf[: len(pdf) // 2], "rejected:损坏"),
        "cut.docx": (good_docx[: len(good_docx) // 2], "rejected:损坏"),
        "cut.html": (html_page.encode()[: len(html_page.encode()) // 3], "loaded"),
        "laughs.docx": (_docx(LAUGHS), "rejected:实体"),
        "laughs.html": (
            f"<!DOCTYPE x [<!ENTITY a 'aaaa'>]><html><body>&a;{text}</body></html>".replace(
                "赣州经济技术开发区党政办公室", "赣州经开区教育局"
            ).encode(),
            "loaded",
        ),
        "gb18030.txt": (
            text.replace("\xa0", " ").replace("赣州经济技术开发区党政办公室", "赣州经开区财政局").encode("gb18030"),
            "loaded",
        ),
        "utf16.txt": (
            text.replace("赣州经济技术开发区党政办公室", "赣州经开区统计局").encode("utf-16"),
            "loaded",
        ),
        "news.html": (
            "<p>我市召开政务公开工作推进会，要求做好主动公开和依申请公开工作。</p>".encode(),
            "rejected:不是",
        ),
        "future.txt": (
            text.replace("2023", "2031").replace("赣州经济技术开发区党政办公室", "赣州经开区商务局").encode(),
            "loaded:future_year",
        ),
        "absurd.txt": (
            text.replace("\t13\n", "\t1000000000000\n", 1)
            .replace("赣州经济技术开发区党政办公室", "赣州经开区民政局")
            .encode(),
            "loaded",
        ),
        "negative.txt": (
            text.replace("\t56\n", "\t-5\n", 1).replace("赣州经济技术开发区党政办公室", "赣州经开区水利局").encode(),
            "loaded:t2_invalid_number",
        ),
        "same-as-good.txt": (text.encode(), "duplicate"),
        "photo.jpg": (b"\xff\xd8\xff\xe0" + os.urandom(500), "rejected:图片"),
    }
    for name, (data, _) in files.items():
        (folder / name).write_bytes(data)
    big = folder / "huge.txt"  # 200 MB, sparse: rejected by size before it is read
    with big.open("wb") as f:
        f.truncate(200 * 1024 * 1024)
    files["huge.txt"] = (b"", "rejected:过大")
    (folder / "loop").mkdir()
    os.symlink(folder, folder / "loop" / "back")  # a symlink loop
    return {k: v[1] for k, v in files.items()}


def test_bad_input_batch_keeps_what_was_loaded(tmp_path):
    db = tmp_path / "w.duckdb"
    good = tmp_path / "good"
    good.mkdir()
    shutil.copy(GANZHOU, good / "ganzhou.txt")
    run_load([str(good)], db, progress=False)
    before = q(db, "SELECT report_id, t2__normative_issued FROM reports")
    bad = tmp_path / "bad"
    bad.mkdir()
    expected = bad_inputs(bad)
    s = run_load([str(bad)], db, jobs=2, progress=False)
    assert s.written
    status = {Path(p).name: (st, reason or "") for p, st, reason in q(db, "SELECT path, status, reason FROM sources")}
    for name, want in expected.items():
        kind, _, word = want.partition(":")
        st, reason = status[name]
        assert st == kind, (name, st, reason)
        if kind == "rejected" and word:
            assert word in reason, (name, reason)
        if kind == "loaded" and word:
            rid = q(db, "SELECT report_id FROM sources WHERE path LIKE ?", ["%" + name])[0][0]
            assert q(db, "SELECT count(*) FROM findings WHERE report_id = ? AND rule = ?", [rid, word])[0][0] >= 1
    # what was loaded before is unchanged
    assert [r for r in q(db, "SELECT report_id, t2__normative_issued FROM reports") if r in before] == before
    absurd = q(
        db,
        "SELECT t2__normative_issued FROM reports r JOIN sources s USING (report_id) WHERE s.path LIKE '%absurd.txt'",
    )[0][0]
    assert absurd == 1e12  # printed as such, stored as such, and flagged by the checks it breaks


def test_parse_time_limit(monkeypatch):
    import etl.pipeline as pipeline
    from etl.read.source import read_source

    def slow(doc):
        import time

        time.sleep(5)

    monkeypatch.setattr(pipeline, "parse_document", slow)
    out = pipeline.parse_source(read_source(GANZHOU), seconds=1)
    assert out.report is None and "秒" in out.error and out.error_kind == "LimitExceeded"


def test_limits_are_configurable(tmp_path):
    code = "import etl.read.limits as l; print(l.MAX_FILE_MB, l.MAX_UNZIPPED_MB, l.PARSE_SECONDS)"
    env = {
        **os.environ,
        "GOVREPORT_MAX_FILE_MB": "7",
        "GOVREPORT_MAX_UNZIPPED_MB": "9",
        "GOVREPORT_PARSE_SECONDS": "3",
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["7", "9", "3"]


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("mount"), reason="mounting a small tmpfs needs root")
def test_disk_full_fails_cleanly(tmp_path):
    """The disk fills while the new database is written: the load fails, the old file is intact. (5 MB holds
    the one-report warehouse, 3.4 MB, but not its copy and the next load.)"""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=5m", "tmpfs", str(mnt)]).returncode != 0:
        pytest.fail("could not mount a tmpfs")
    try:
        db = mnt / "w.duckdb"
        src = tmp_path / "in"
        src.mkdir()
        shutil.copy(GANZHOU, src / "a.txt")
        run_load([str(src)], db, progress=False)
        before = db.read_bytes()
        from etl.demo.generate import generate

        generate(tmp_path / "more", seed=2, scale="small")
        with pytest.raises((OSError, duckdb.Error)):
            run_load([str(tmp_path / "more")], db, jobs=1, progress=False)
        assert db.read_bytes() == before
        assert not list(mnt.glob(".w.duckdb.loading-*"))
    finally:
        subprocess.run(["umount", str(mnt)])


HOSTILE = [
    "江西省' OR '1'='1",
    "x'; DROP TABLE reports; --",
    'a"b',
    "UNION SELECT * FROM sources",
    "%",
    "_",
    "\\",
]


@pytest.fixture
def one_report(tmp_path) -> Path:
    """A warehouse holding the one real sample report."""
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(GANZHOU, src / "a.txt")
    db = tmp_path / "w.duckdb"
    run_load([str(src)], db, progress=False)
    return db


def test_filters_bind_values_literally(one_report):
    """Quotes, semicolons and SQL keywords through every filter are matched literally."""
    from dashboard import queries as dq

    con = duckdb.connect(str(one_report), read_only=True)
    for bad in HOSTILE:
        scope = dq.Scope(bad, bad, bad, bad)
        for name, args in (
            ("kpis", (scope, 2023, ("reports", "applications"))),
            ("metric_by_year", (scope, "reports")),
            ("metric_by_subregion", (scope, "reports", 2023)),
            ("problem_grid", (scope, [2023])),
            ("findings", (scope, 2023, [bad], [bad])),
            ("compliance_scores", (scope, 2023)),
            ("not_filed", (scope, 2023)),
            ("cities", (bad,)),
            ("counties", (bad, bad)),
            ("search_agencies", (bad, scope)),
            ("applicants", (scope, 2023)),
            ("t4_by_year", (scope,)),
        ):
            df = dq.QUERIES[name](con, *args)
            assert df is not None
        assert dq.search_agencies(con, bad, dq.Scope()).height == 0
        assert dq.kpis(con, dq.Scope(bad), 2023, ("reports",))["reports"].to_list() == [0]
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
    con.close()


def test_dashboard_connection_cannot_write(one_report):
    con = duckdb.connect(str(one_report), read_only=True)  # as dashboard.state opens it
    with pytest.raises(duckdb.Error):
        con.execute("DELETE FROM reports")
    con.close()
    source = (Path(__file__).parents[1] / "dashboard" / "state.py").read_text(encoding="utf-8")
    assert "read_only=True" in source


def test_paths_inside_reports_are_never_opened(tmp_path, monkeypatch):
    """A report that names files (/etc/passwd, ../../x) is parsed as text; nothing opens them."""
    opened = []
    real_open = open

    def spy(file, *a, **k):
        opened.append(str(file))
        return real_open(file, *a, **k)

    text = GANZHOU.read_text(encoding="utf-8").replace(
        "（二）依申请公开", "（二）依申请公开 见 /etc/passwd 和 ../../secret.txt"
    )
    p = tmp_path / "r.txt"
    p.write_text(text, encoding="utf-8")
    monkeypatch.setattr("builtins.open", spy)
    got = parse_json(p)
    assert got["ok"]
    assert not [f for f in opened if "passwd" in f or "secret" in f]


def test_dashboard_answers_while_loads_replace_the_database(tmp_path, monkeypatch):
    """The dashboard (AppTest) renders in a loop while two loads replace the file: no error,
    and every answer is the old database's or a new one's, never a mix."""
    from streamlit.testing.v1 import AppTest

    from etl.demo.generate import generate

    db = tmp_path / "w.duckdb"
    generate(tmp_path / "c1", seed=31, scale="small")
    run_load([str(tmp_path / "c1")], db, jobs=1, progress=False)
    generate(tmp_path / "c2", seed=32, scale="small")
    generate(tmp_path / "c3", seed=33, scale="small")
    code = (
        "from etl.pipeline import run_load; from pathlib import Path; import sys; "
        "[run_load([c], Path(sys.argv[1]), jobs=1, progress=False) for c in sys.argv[2:]]"
    )
    counts = [q(db, "SELECT count(*) FROM reports WHERE year = 2023 AND NOT is_duplicate")[0][0]]
    loader = subprocess.Popen([sys.executable, "-c", code, str(db), str(tmp_path / "c2"), str(tmp_path / "c3")])
    monkeypatch.setenv("GOVDASH_DB", str(db))
    app = str(Path(__file__).parents[1] / "dashboard" / "app.py")
    shown = []
    while loader.poll() is None or not shown:
        at = AppTest.from_file(app, default_timeout=60)
        at.query_params["year"] = "2023"
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        shown.append(
            int(next(m.value for m in at.metric if m.label.startswith("收到报告")).split("/")[0].replace(",", ""))
        )
    assert loader.wait() == 0
    # the states a reader can see: before, after the first load, after the second
    con = duckdb.connect(str(db), read_only=True)
    final = con.execute("SELECT count(*) FROM reports WHERE year = 2023 AND NOT is_duplicate").fetchone()[0]
    con.close()
    assert shown[0] in counts or shown[0] <= final
    assert set(shown) <= set(range(counts[0], final + 1)) and len(set(shown)) <= 3


def test_unreadable_folder_is_recorded_and_the_rest_loads(tmp_path, monkeypatch):
    """A folder the loader may not read (root reads everything, so the refusal is simulated)."""
    import etl.read.source as extract

    src = tmp_path / "in"
    (src / "locked").mkdir(parents=True)
    shutil.copy(GANZHOU, src / "a.txt")
    real = os.scandir

    def scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(extract.os, "scandir", scandir)
    db = tmp_path / "w.duckdb"
    s = run_load([str(src)], db, jobs=1, progress=False)
    assert s.loaded == 1 and s.rejected == 1
    assert q(db, "SELECT reason FROM sources WHERE path LIKE '%locked'")[0][0] == "没有读取该文件夹的权限"

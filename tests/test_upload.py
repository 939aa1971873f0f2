"""The 上传 page and etl/upload.py: files and zips within the limits (zip slip and zip bombs refused
whole), each file parsed and shown before loading, the load in the background with its result on
the 数据 page, originals kept by sha256, two uploads loading at once lose nothing, and who sees the page."""

from __future__ import annotations

import io
import json
import stat
import time
import zipfile
from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURES
from streamlit.testing.v1 import AppTest

from etl import upload

APP = str(Path(__file__).parents[1] / "dashboard" / "app.py")
SAMPLE = FIXTURES / "real" / "dev" / "full-001.txt"  # the README's sample to drop: 平潭综合实验区 2023
OTHER = FIXTURES / "samples" / "ganzhou-jkq-2023.txt"
NOT_A_REPORT = "关于召开政务公开工作会议的通知\n各单位：定于下周一召开会议。".encode()


def _zip(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _symlink_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("link.txt")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(info, "/etc/passwd")
    return buf.getvalue()


def _lying_bomb() -> bytes:
    """A member whose header says 1 KB but which inflates to 300 MB (sizes patched after writing)."""
    data = _zip({"report.txt": b"\0" * (300 * 1024 * 1024)})
    out = bytearray(data)
    real = (300 * 1024 * 1024).to_bytes(4, "little")
    fake = (1024).to_bytes(4, "little")
    assert out.count(real) == 2  # local header and central directory
    return bytes(out.replace(real, fake))


# ---- unpacking within the limits ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["../../etc/cron.d/evil.txt", "/etc/evil.txt", "a/../../evil.txt", "C:/Windows/evil.txt", "..\\..\\evil.txt"],
)
def test_zip_slip_refuses_the_whole_zip(name):
    items = upload.unpack("报告.zip", _zip({"ok.txt": SAMPLE.read_bytes(), name: b"x"}))
    assert len(items) == 1 and items[0].data is None
    assert "压缩包以外" in items[0].reason and "整个压缩包不予接收" in items[0].reason


def test_symlink_member_refused():
    (item,) = upload.unpack("links.zip", _symlink_zip())
    assert item.data is None and "链接" in item.reason


def test_zip_bombs_refused():
    declared = upload.unpack("bomb.zip", _zip({"big.txt": b"\0" * (250 * 1024 * 1024)}))  # beyond 200 MB
    ratio = upload.unpack("ratio.zip", _zip({"r.txt": b"\0" * (40 * 1024 * 1024)}))  # 40 MB from 40 KB
    for items in (declared, ratio):
        assert len(items) == 1 and items[0].data is None and "压缩炸弹" in items[0].reason
    (lying,) = upload.unpack("bomb2.zip", _lying_bomb())  # inflated only as far as it declares, then refused
    assert lying.data is None and "损坏" in lying.reason


def test_zip_members_one_by_one():
    gbk = "报告/平潭.txt".encode("gb18030")  # a zip made on Chinese Windows: GBK names, no UTF-8 flag
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("AAAA/BBBB.txt", SAMPLE.read_bytes())
        z.writestr("inner.zip", _zip({"a.txt": b"a"}))
        z.writestr("__MACOSX/._x", b"junk")
        z.writestr("docs/", b"")
    assert len(gbk) == len(b"AAAA/BBBB.txt")
    items = upload.unpack("批量.zip", buf.getvalue().replace(b"AAAA/BBBB.txt", gbk))
    assert [(i.name, i.data is not None) for i in items] == [
        ("批量.zip / 报告/平潭.txt", True),
        ("批量.zip / inner.zip", False),
    ]
    assert "压缩包中的压缩包" in items[1].reason
    assert "损坏" in upload.unpack("坏.zip", b"PK\x03\x04 not really")[0].reason


def test_file_size_and_count_limits(monkeypatch):
    monkeypatch.setattr(upload.limits, "MAX_FILE_MB", 1)
    (big,) = upload.unpack("big.pdf", b"%PDF" + b"0" * (2 * 1024 * 1024))
    assert big.data is None and "不能超过 1 MB" in big.reason
    monkeypatch.setattr(upload, "MAX_FILES", 3)
    (many,) = upload.unpack("many.zip", _zip({f"{n}.txt": b"x" for n in range(5)}))
    assert "最多上传 3 个" in many.reason


def test_preview_parses_in_a_child_process_and_names_why(tmp_path):
    db = tmp_path / "w.duckdb"
    got = upload.preview(
        [
            ("平潭.txt", SAMPLE.read_bytes()),
            ("通知.txt", NOT_A_REPORT),
            ("x.exe", b"MZ"),
            ("copy.txt", SAMPLE.read_bytes()),
        ],
        db,
    )
    good, bad, exe, twin = got
    assert good.ok and good.agency == "平潭综合实验区" and good.year == 2023 and good.format_version == "2021"
    assert Path(good.staged).parent == tmp_path / "uploads" / "staging" and good.sha256 in good.staged
    assert not bad.ok and "不是政府信息公开工作年度报告" in bad.reason
    assert not exe.ok and "不是可读取的报告格式" in exe.reason
    assert not twin.ok and "内容完全相同" in twin.reason


# ---- the page ---------------------------------------------------------------------------------


def shown(el):
    """A table as the reader sees it: the headers in words (Streamlit's column labels)."""
    config = json.loads(el.proto.columns or "{}")
    return el.value.rename(columns={k.removeprefix("col:"): v.get("label", k) for k, v in config.items()})


def page(db: Path, monkeypatch, lang: str = "zh", role: str | None = None) -> AppTest:
    monkeypatch.setenv("GOVDASH_DB", str(db))
    monkeypatch.setenv("GOVREPORT_ALLOW_UPLOAD", "1")
    at = AppTest.from_file(APP, default_timeout=120)
    if lang == "en":
        at.query_params["lang"] = "en"
    if role:
        at.session_state["role"] = role
    at.run()
    at.switch_page("views/upload.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def wait_done(at: AppTest, seconds: float = 120) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        if at.success or at.error:
            return
        time.sleep(0.5)
    raise AssertionError("the background load did not finish")


def test_upload_page_previews_refuses_and_loads_in_background(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    at = page(db, monkeypatch)
    assert at.title[0].value == "上传"
    at.file_uploader(key="up_files").set_value(
        [
            ("平潭综合实验区2023年报.txt", SAMPLE.read_bytes(), "text/plain"),
            ("会议通知.txt", NOT_A_REPORT, "text/plain"),
            ("slip.zip", _zip({"../../evil.txt": SAMPLE.read_bytes()}), "application/zip"),
            ("bomb.zip", _zip({"big.txt": b"\0" * (250 * 1024 * 1024)}), "application/zip"),
        ]
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown_ = shown(at.dataframe[0])
    rows = {r["文件"]: r for r in shown_.to_dict("records")}
    assert set(shown_.columns) >= {
        "文件",
        "结果",
        "机关",
        "年度",
        "文件格式",
        "表格版本",
        "发现的问题",
        "不予接收的原因",
    }
    ok = rows["平潭综合实验区2023年报.txt"]
    assert (ok["结果"], ok["机关"], ok["年度"], ok["文件格式"], ok["表格版本"]) == (
        "可以入库",
        "平潭综合实验区",
        2023,
        "文本",
        "2021 版",
    )
    assert "_" not in str(ok["发现的问题"])  # the rules in words, not their ids
    assert "不是政府信息公开工作年度报告" in rows["会议通知.txt"]["不予接收的原因"]
    assert "压缩包以外" in rows["slip.zip"]["不予接收的原因"]
    assert "压缩炸弹" in rows["bomb.zip"]["不予接收的原因"]
    assert not db.exists()  # nothing is loaded before the person says so

    at.button(key="up_load").click()
    at.run()
    wait_done(at)
    assert not at.error and "新入库报告 1 份" in at.success[0].value
    con = duckdb.connect(str(db), read_only=True)
    path, status = con.execute("SELECT path, status FROM sources").fetchone()
    con.close()
    sha = upload.preview([("x.txt", SAMPLE.read_bytes())], db)[0].sha256
    assert status == "loaded" and path == str(tmp_path / "originals" / sha[:2] / f"{sha}.txt")
    note = json.loads(Path(path + ".upload.json").read_text(encoding="utf-8"))
    assert note["uploads"][0]["name"] == "平潭综合实验区2023年报.txt"

    at.switch_page("views/data.py")
    at.run()
    assert not at.exception
    runs = shown(at.dataframe[0])
    assert runs["入库报告"].tolist() == [1]

    again = page(db, monkeypatch)  # the same file again: known, not chosen by default
    again.file_uploader(key="up_files").set_value([("again.txt", SAMPLE.read_bytes(), "text/plain")])
    again.run()
    assert shown(again.dataframe[0])["结果"].tolist() == ["已入库（内容相同）"]
    assert again.multiselect(key="up_chosen").value == []


def test_upload_page_in_english(tmp_path, monkeypatch):
    at = page(tmp_path / "w.duckdb", monkeypatch, lang="en")
    assert at.title[0].value == "Upload"
    at.file_uploader(key="up_files").set_value(
        [("a.txt", SAMPLE.read_bytes(), "text/plain"), ("b.txt", NOT_A_REPORT, "text/plain")]
    )
    at.run()
    shown_ = shown(at.dataframe[0])
    assert list(shown_.columns)[:5] == ["File", "Result", "Agency", "Year", "File format"]
    assert shown_["Result"].tolist() == ["can be loaded", "refused"]
    assert shown_["File format"].tolist() == ["text", "text"]
    assert at.button(key="up_load").label == "Load the 1 chosen files"


def test_who_sees_the_upload_page(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVDASH_DB", str(tmp_path / "w.duckdb"))

    def links(role=None, setting=None) -> list[str]:
        if setting:
            monkeypatch.setenv("GOVREPORT_ALLOW_UPLOAD", setting)
        else:
            monkeypatch.delenv("GOVREPORT_ALLOW_UPLOAD", raising=False)
        at = AppTest.from_file(APP, default_timeout=60)
        if role:
            at.session_state["_auth_token"] = signed_in(role)
        at.run()
        return [p.proto.page for p in at.get("page_link")]

    def signed_in(role: str) -> str:
        """A session token of an account with this role, made as the login page makes one."""
        from etl.review.accounts import Accounts
        from etl.review.errors import AccountError
        from etl.review.store import open_store

        with open_store(tmp_path / "w.duckdb") as store:
            site = Accounts(store)
            try:
                site.add(f"上传测试{role}", "Upload-测试-口令-2025", role, "全国")
            except AccountError:
                pass
            return site.login(f"上传测试{role}", "Upload-测试-口令-2025").token

    assert not any("upload" in p for p in links())
    assert any("upload" in p for p in links(setting="1"))
    assert any("upload" in p for p in links(role="reviewer"))
    assert any("upload" in p for p in links(role="admin"))
    assert not any("upload" in p for p in links(role="viewer", setting="1"))


def test_two_uploads_loading_at_once_lose_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    first = upload.preview([("a.txt", SAMPLE.read_bytes())], db)
    second = upload.preview([("b.txt", OTHER.read_bytes())], db)
    jobs = [upload.start_load(first, db, "admin"), upload.start_load(second, db, "admin")]
    end = time.monotonic() + 180
    while time.monotonic() < end:
        states = [upload.read_job(db, j) for j in jobs]
        if all(s.state in ("done", "failed") for s in states):
            break
        time.sleep(0.5)
    assert [s.state for s in states] == ["done", "done"], [s.error for s in states]
    con = duckdb.connect(str(db), read_only=True)
    agencies = {r[0] for r in con.execute("SELECT agency_printed FROM reports").fetchall()}
    assert con.execute("SELECT count(*) FROM load_runs").fetchone()[0] == 2
    assert {"平潭综合实验区", "赣州经济技术开发区党政办公室"} <= agencies


def test_upload_waits_while_the_demo_replaces_the_database(tmp_path):
    """`make demo` loads the whole corpus into a new file that then replaces the database: an upload
    loaded meanwhile would be lost, so it waits for that load (its `<db>.loading.json` note)."""
    import subprocess
    import sys

    db = tmp_path / "w.duckdb"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        Path(str(db) + ".loading.json").write_text(json.dumps({"pid": sleeper.pid}), encoding="utf-8")
        job = upload.start_load(upload.preview([("a.txt", SAMPLE.read_bytes())], db), db)
        end = time.monotonic() + 60
        while time.monotonic() < end and "演示数据" not in (upload.read_job(db, job).stage_zh or ""):
            time.sleep(0.2)
        time.sleep(1)
        assert upload.read_job(db, job).state == "running" and not db.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    end = time.monotonic() + 120
    while time.monotonic() < end and upload.read_job(db, job).state == "running":
        time.sleep(0.5)
    assert upload.read_job(db, job).state == "done" and db.exists()


def test_a_scoped_account_loads_only_reports_of_its_region():
    from etl.review.scope import parse_scope

    def previews():
        return [
            upload.Preview("a.txt", "txt", 1, ok=True, province="江西省", city="赣州市", county="章贡区"),
            upload.Preview("b.txt", "txt", 1, ok=True, province="福建省", city="福州市"),
            upload.Preview("c.txt", "txt", 1, ok=True),  # no place read
            upload.Preview("d.txt", "txt", 1, reason="不是年度报告"),
        ]

    got = upload.within(previews(), parse_scope("江西省/赣州市"))
    assert [p.ok for p in got] == [True, False, False, False]
    assert "福建省/福州市" in got[1].reason and "江西省/赣州市" in got[1].reason and "地区未能识别" in got[2].reason
    assert got[3].reason == "不是年度报告"
    assert [p.ok for p in upload.within(previews(), parse_scope("全国"))] == [True, True, True, False]

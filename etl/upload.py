"""Reports uploaded through the dashboard (its 上传 page): unpacked within the limits of SECURITY.md,
parsed in a separate process and shown before anything is loaded, kept content-addressed, and
loaded in the background under the warehouse's writer lock.

- `unpack(name, data)`: one uploaded file, or the files of a zip. A zip whose member paths leave
  the archive (zip slip: `../`, an absolute path, a drive, a symbolic link) or that expands beyond
  the limits (a zip bomb: the sizes it declares, or the bytes it really yields) is refused whole,
  with the reason in words; a member that is too large, encrypted or itself a zip is refused alone.
  Member names are never used as paths: every file is stored under its sha256.
- `preview(items, db)`: each file staged as `<db folder>/uploads/staging/<sha256>.<ext>` and parsed
  by `python -m etl parse` in a child process (its per-file time limit works there, and a file that
  crashes a reader cannot take the dashboard with it).
- `start_load(previews, db)`: the accepted files copied to `<db folder>/originals/ab/<sha256>.<ext>`
  (with `.upload.json` beside: the name it was uploaded under, when, by which role) and loaded by a
  child process (`python -m etl.upload JOB`) that runs `run_load`: a second upload's load waits for
  the first (the writer lock), nothing is lost. The job writes its progress to
  `<db folder>/uploads/jobs/<job>.json` ({pid, state, stage_zh, stage_en, done, total, summary}),
  which the page polls; the dashboard keeps serving meanwhile."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
import uuid
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from etl.errors import EtlError
from etl.read import limits


def _int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


MAX_FILES = _int("GOVREPORT_UPLOAD_MAX_FILES", 200)  # files in one upload, zip members counted [200]
MAX_RATIO = _int("GOVREPORT_UPLOAD_MAX_RATIO", 200)  # a zip member expanding more than this is a bomb [200]
MB = 1024 * 1024
EXTENSIONS = (
    "pdf",
    "doc",
    "docx",
    "wps",
    "xls",
    "xlsx",
    "html",
    "htm",
    "shtml",
    "txt",
    "png",
    "jpg",
    "jpeg",
    "tif",
    "tiff",
)
FORMAT_WORDS = {  # extension -> (Chinese, English)
    "pdf": ("PDF", "PDF"),
    "doc": ("Word（旧版）", "Word (old)"),
    "docx": ("Word", "Word"),
    "wps": ("WPS 文字", "WPS"),
    "xls": ("Excel（旧版）", "Excel (old)"),
    "xlsx": ("Excel", "Excel"),
    "html": ("网页", "web page"),
    "htm": ("网页", "web page"),
    "shtml": ("网页", "web page"),
    "txt": ("文本", "text"),
    "png": ("图片（扫描件）", "picture (scan)"),
    "jpg": ("图片（扫描件）", "picture (scan)"),
    "jpeg": ("图片（扫描件）", "picture (scan)"),
    "tif": ("图片（扫描件）", "picture (scan)"),
    "tiff": ("图片（扫描件）", "picture (scan)"),
    "zip": ("压缩包", "zip"),
}


class UploadRefused(EtlError):
    """An uploaded file or zip that is not accepted (limits, unsafe paths, damaged)."""


@dataclass(frozen=True)
class Item:
    """One file of an upload: its bytes, or why it is refused (data is None)."""

    name: str  # as uploaded, or "包.zip / 内部路径" for a zip member (shown, never used as a path)
    data: bytes | None
    reason: str | None = None


@dataclass
class Preview:
    name: str
    ext: str
    size: int
    sha256: str | None = None
    staged: str | None = None  # path of the staged copy
    ok: bool = False
    reason: str | None = None  # why it was refused or rejected, in Chinese
    agency: str | None = None
    year: int | None = None
    publish_date: str | None = None
    format_version: str | None = None
    findings: list[dict] = field(default_factory=list)  # {rule, severity, message}
    duplicate: bool = False  # the same bytes are already in the warehouse
    province: str | None = None  # where the report places its agency (as the parser read it)
    city: str | None = None
    county: str | None = None


def _ext(name: str) -> str:
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower().lstrip(".")
    return suffix if re.fullmatch(r"[a-z0-9]{1,5}", suffix) else ""


def _member_name(info: zipfile.ZipInfo) -> str:
    """Zips made on Chinese Windows store names in GBK without saying so; zipfile read them as cp437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def _unsafe(name: str, info: zipfile.ZipInfo) -> bool:
    """A member whose path would leave the folder it is unpacked in, or a symbolic link."""
    n = name.replace("\\", "/")
    if n.startswith("/") or re.match(r"^[A-Za-z]:", n) or ".." in n.split("/"):
        return True
    return stat.S_ISLNK(info.external_attr >> 16)


def unpack(name: str, data: bytes) -> list[Item]:
    """The files of one upload: the file itself, or a zip's members. A zip refused whole is one Item."""
    max_file = limits.MAX_FILE_MB * MB
    if _ext(name) != "zip":
        if len(data) > max_file:
            return [Item(name, None, f"文件过大（{len(data) / MB:.0f} MB），单个文件不能超过 {limits.MAX_FILE_MB} MB")]
        return [Item(name, data)]
    if len(data) > max_file:
        return [Item(name, None, f"压缩包过大（{len(data) / MB:.0f} MB），不能超过 {limits.MAX_FILE_MB} MB")]
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return [Item(name, None, "压缩包已损坏或不是 zip 格式，无法打开")]
    files = []
    for info in infos:
        member = _member_name(info)
        if _unsafe(member, info):
            return [
                Item(
                    name,
                    None,
                    f"压缩包中的“{member}”指向压缩包以外的位置（或是链接），可能是恶意文件，整个压缩包不予接收",
                )
            ]
        if info.is_dir() or member.startswith("__MACOSX/") or PurePosixPath(member).name.startswith("._"):
            continue  # folders and the Mac's resource forks: not files anyone meant to send
        files.append((member, info))
    if len(files) > MAX_FILES:
        return [Item(name, None, f"压缩包中有 {len(files)} 个文件，一次最多上传 {MAX_FILES} 个，请分批上传")]
    max_total = limits.MAX_UNZIPPED_MB * MB
    declared = sum(i.file_size for _, i in files)
    if declared > max_total:
        return [Item(name, None, _bomb(declared))]
    out, total = [], 0
    for member, info in files:
        shown = f"{name} / {member}"
        if info.flag_bits & 0x1:
            out.append(Item(shown, None, "文件已加密，无法读取，请解密后上传"))
            continue
        if _ext(member) == "zip":
            out.append(Item(shown, None, "压缩包中的压缩包不再展开，请解压后单独上传"))
            continue
        if info.file_size > max_file:
            out.append(
                Item(shown, None, f"文件过大（{info.file_size / MB:.0f} MB），单个文件不能超过 {limits.MAX_FILE_MB} MB")
            )
            continue
        if info.compress_size and info.file_size > MB and info.file_size / info.compress_size > MAX_RATIO:
            return [Item(name, None, _bomb(declared))]
        try:
            body = _read_capped(zf, info, min(max_file, max_total - total))
        except _Bomb:
            return [Item(name, None, _bomb(total + max_file))]
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
            # what zipfile raises for a damaged or unsupported member (bad CRC, cut short, unknown method,
            # encrypted): that member is refused with its reason, the rest of the zip is still read
            out.append(Item(shown, None, "压缩包中的这个文件已损坏，无法解压"))
            continue
        total += len(body)
        out.append(Item(shown, body))
    return out


class _Bomb(Exception):
    pass


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """The member's bytes, but never more than `cap` (a member may lie about its size)."""
    buf = io.BytesIO()
    with zf.open(info) as f:
        while chunk := f.read(1 << 20):
            buf.write(chunk)
            if buf.tell() > cap or buf.tell() > info.file_size:
                raise _Bomb
    return buf.getvalue()


def _bomb(size: int) -> str:
    return f"压缩包解压后过大（超过 {limits.MAX_UNZIPPED_MB} MB，或压缩比异常），可能是“压缩炸弹”，整个压缩包不予接收"


# ---- staging and preview ----------------------------------------------------------------------


def uploads_dir(db: Path) -> Path:
    return Path(db).resolve().parent / "uploads"


def originals_dir(db: Path) -> Path:
    return Path(db).resolve().parent / "originals"


def _sweep(folder: Path, hours: float = 24) -> None:
    """Staged files nobody loaded are removed after a day."""
    cutoff = time.time() - hours * 3600
    for p in folder.glob("*"):
        try:
            if p.stat().st_mtime < cutoff:
                p.unlink()
        except OSError:
            pass


def stage(items: list[Item], db: Path) -> list[Preview]:
    """Each file written under its sha256 into the staging folder (names from the upload are never paths)."""
    folder = uploads_dir(db) / "staging"
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder)
    out = []
    for it in items:
        ext = _ext(it.name)
        if it.data is None:
            out.append(Preview(it.name, ext, 0, reason=it.reason))
            continue
        sha = hashlib.sha256(it.data).hexdigest()
        p = Preview(it.name, ext, len(it.data), sha256=sha)
        twin = next((o.name for o in out if o.sha256 == sha), None)
        if twin is not None:
            p.reason = f"与本次上传的“{twin}”内容完全相同，只处理一次"
        elif len(out) >= MAX_FILES:
            p.reason = f"一次最多上传 {MAX_FILES} 个文件，这个文件未处理，请分批上传"
        elif ext not in EXTENSIONS:
            p.reason = (
                f"不是可读取的报告格式（{('.' + ext) if ext else '无扩展名'}）；"
                "请上传 PDF、Word、WPS、Excel、网页、文本或图片文件，或它们的 zip 压缩包"
            )
        elif not it.data:
            p.reason = "文件是空的（0 字节）"
        else:
            staged = folder / f"{sha}.{ext}"
            if not staged.exists():
                tmp = folder / f".{sha}.{uuid.uuid4().hex}.tmp"
                tmp.write_bytes(it.data)
                os.replace(tmp, staged)
            else:
                os.utime(staged)
            p.staged = str(staged)
        out.append(p)
    return out


def parse_staged(previews: list[Preview], timeout: float | None = None) -> list[Preview]:
    """Parse the staged files in a child process (`python -m etl parse`) and fill in what it found."""
    todo = [p for p in previews if p.staged and p.reason is None]
    if not todo:
        return previews
    per_file = max(limits.PARSE_SECONDS, 1)
    timeout = timeout if timeout is not None else 30 + per_file * len(todo) * 2
    cmd = [sys.executable, "-m", "etl", "parse", *(p.staged for p in todo)]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False, env=_child_env())
        lines = done.stdout.decode("utf-8", "replace").splitlines()
    except subprocess.TimeoutExpired:
        lines = []
    by_path = {}
    for line in lines:
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        by_path[obj.get("source")] = obj
    for p in todo:
        obj = by_path.get(p.staged)
        if obj is None:
            p.reason = "解析未能在时限内完成（或解析程序出错），这个文件不予接收"
            continue
        if not obj.get("ok"):
            p.reason = obj.get("error") or "无法解析"
            continue
        p.ok = True
        p.agency, p.year = obj.get("agency"), obj.get("year")
        p.province, p.city, p.county = obj.get("province"), obj.get("city"), obj.get("county")
        p.publish_date, p.format_version = obj.get("publish_date"), obj.get("format_version")
        p.findings = [
            {"rule": f["rule"], "severity": f["severity"], "message": f["message"]} for f in obj.get("findings") or []
        ]
    return previews


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def preview(uploads: list[tuple[str, bytes]], db: Path) -> list[Preview]:
    """Unpack, stage and parse everything one upload holds."""
    items = [it for name, data in uploads for it in unpack(name, data)]
    return parse_staged(stage(items, db))


# ---- keeping originals and the background load ------------------------------------------------


def within(previews: list[Preview], scope) -> list[Preview]:
    """An account bounded to a region (etl.review.scope.Scope) loads only reports of that region: a
    report placed elsewhere, or whose place could not be read, is refused, saying why."""
    if scope.national:
        return previews
    for p in previews:
        if p.ok and not scope.contains(p.province, p.city, p.county):
            where = "/".join(x for x in (p.province, p.city, p.county) if x) or "地区未能识别"
            p.ok, p.reason = False, f"报告所属地区（{where}）不在您的账户范围（{scope.text()}）内，不能由您入库"
    return previews


def keep_original(p: Preview, db: Path, who: str | None) -> Path:
    """The staged file under <db folder>/originals/ab/<sha256>.<ext>, with a note of its upload."""
    if not p.staged or not p.sha256:
        raise UploadRefused("这个文件没有通过检查，不能入库", file=p.name)
    folder = originals_dir(db) / p.sha256[:2]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{p.sha256}.{p.ext}"
    if not target.exists():
        tmp = folder / f".{p.sha256}.{uuid.uuid4().hex}.tmp"
        shutil.copyfile(p.staged, tmp)
        os.replace(tmp, target)
    note = target.with_name(target.name + ".upload.json")
    seen = []
    if note.exists():
        try:
            seen = json.loads(note.read_text(encoding="utf-8")).get("uploads", [])
        except (OSError, ValueError, AttributeError):
            seen = []
    seen.append({"name": p.name, "at": datetime.now().isoformat(timespec="seconds"), "role": who})
    note.write_text(
        json.dumps({"sha256": p.sha256, "size": p.size, "uploads": seen}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    return target


@dataclass
class Job:
    id: str
    pid: int | None = None
    state: str = "waiting"  # waiting, running, done, failed
    stage_zh: str = "排队中"
    stage_en: str = "queued"
    done: int = 0
    total: int = 0
    files: list[str] = field(default_factory=list)
    summary: dict | None = None
    error: str | None = None
    started: str = ""
    finished: str | None = None


def job_path(db: Path, job_id: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", job_id):
        raise UploadRefused("入库任务编号不对")
    return uploads_dir(db) / "jobs" / f"{job_id}.json"


def _write_job(db: Path, job: Job) -> None:
    path = job_path(db, job.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(asdict(job), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def read_job(db: Path, job_id: str) -> Job | None:
    """The job's last written state; a job whose process died without finishing is failed."""
    try:
        obj = json.loads(job_path(db, job_id).read_text(encoding="utf-8"))
        job = Job(**obj)
    except (OSError, ValueError, TypeError):
        return None
    stale = job.pid is None and job.state == "waiting" and _age(job.started) > 120  # never started
    if stale or (job.state in ("waiting", "running") and job.pid and not _alive(job.pid)):
        job.state, job.error = "failed", "入库进程意外结束，数据库保持原样，请重新入库"
    return job


def _age(started: str) -> float:
    try:
        return (datetime.now() - datetime.fromisoformat(started)).total_seconds()
    except ValueError:
        return 0.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a child of this process that has ended is a zombie until reaped
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


def _replacing(db: Path) -> bool:
    """A `<db>.loading.json` note of a live process (dashboard.demo): a load whose new file will replace `db`."""
    try:
        info = json.loads(Path(str(db) + ".loading.json").read_text(encoding="utf-8"))
        return _alive(int(info["pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return False


def start_load(previews: list[Preview], db: Path, who: str | None = None) -> str:
    """Keep the originals of the accepted files and start their load in a child process; the job id."""
    paths = list(dict.fromkeys(str(keep_original(p, db, who)) for p in previews if p.ok))
    if not paths:
        raise UploadRefused("没有可以入库的文件")
    return _start(paths, db)


def start_reload(paths: list[str], db: Path, review_db: str | None = None) -> str:
    """Load again files already in the warehouse (a person corrected one of their values: the load
    reads each file again with the review store's corrections and reruns its checks); the job id."""
    paths = [p for p in dict.fromkeys(paths) if p and Path(p).is_file()]
    if not paths:
        raise UploadRefused("报告的源文件不在本机，更正将在下次入库时生效")
    return _start(paths, db, review_db)


def _start(paths: list[str], db: Path, review_db: str | None = None) -> str:
    job = Job(uuid.uuid4().hex, files=paths, total=len(paths), started=datetime.now().isoformat(timespec="seconds"))
    _write_job(db, job)
    log = job_path(db, job.id).with_suffix(".log")
    with open(log, "wb") as out:
        proc = subprocess.Popen(  # noqa: S603 -- our own module, arguments we made
            [sys.executable, "-m", "etl.upload", str(Path(db).resolve()), job.id],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_child_env() | ({"GOVREPORT_REVIEW_DB": review_db} if review_db else {}),
            start_new_session=True,  # the load finishes even if the dashboard is restarted
        )
    del proc  # the child writes its own pid into the job first thing; reaped by read_job's waitpid
    return job.id


def run_job(db: Path, job_id: str) -> int:
    """The child process: run_load over the job's files, writing its progress for the page."""
    from etl.pipeline import run_load

    job = read_job(db, job_id)
    if job is None:
        return 2
    job.pid, job.state = os.getpid(), "running"
    job.stage_zh, job.stage_en = "等待数据库空闲", "waiting for the database"
    _write_job(db, job)

    def notify(msg: str) -> None:
        if "等待" in msg:
            job.stage_zh, job.stage_en = "另一个入库正在进行，等待其完成", "another load is running: waiting for it"
            _write_job(db, job)

    def on_file(done: int, total: int) -> None:
        job.stage_zh, job.stage_en, job.done, job.total = "解析报告", "parsing reports", done, total
        _write_job(db, job)

    def on_stage(stage: str) -> None:
        en = {
            "写入数据库": "writing the database",
            "网站证据核对": "checks of the website evidence",
            "跨报告核对": "checks across reports",
        }.get(stage, stage)
        job.stage_zh, job.stage_en = stage, en
        _write_job(db, job)

    while _replacing(db):  # `make demo` is loading the whole demo corpus into a file that will replace this one
        job.stage_zh = "演示数据正在后台整体入库（完成后将替换数据库），等待其完成后再入库"
        job.stage_en = "the demo data is being loaded in the background (it will replace the database): waiting"
        _write_job(db, job)
        time.sleep(2)
    try:
        s = run_load(job.files, Path(db), jobs=1, progress=False, notify=notify, on_file=on_file, on_stage=on_stage)
    except EtlError as exc:
        job.state, job.error = "failed", exc.one_line()
    except Exception as exc:  # noqa: BLE001 -- told to the person on the page, the database is unchanged
        job.state, job.error = "failed", f"入库出错（{type(exc).__name__}），数据库保持原样"
    else:
        job.state = "done"
        job.done = job.total
        job.summary = {
            "loaded": s.loaded,
            "rejected": s.rejected,
            "duplicates": s.duplicates,
            "unchanged": s.unchanged,
            "skipped": s.skipped,
            "run_id": s.run_id,
            "written": s.written,
            "rejected_reasons": s.rejected_reasons,
        }
    job.finished = datetime.now().isoformat(timespec="seconds")
    _write_job(db, job)
    return 0 if job.state == "done" else 1


if __name__ == "__main__":
    sys.exit(run_job(Path(sys.argv[1]), sys.argv[2]))

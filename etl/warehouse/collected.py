"""Loading what `python -m etl collect` wrote: which files are reports, and the page evidence.

A collect folder (OUT, marked by its `collect.sqlite`) holds report pages, attachments and list
pages, each with a manifest beside it (etl.collect.manifest). `load OUT/` must load only reports:

- the manifests themselves, the crawl state, its lock and temporary files are not files to load
  (left out, not even recorded);
- a list page of the 年报 column is evidence, not a report (recorded as skipped, with why);
- a report page whose report is an attachment ("全文见附件") is skipped when a usable
  attachment it links was kept: the attachment is the report, the page is not a second one.

The manifests' page evidence (the page's printed 发布时间, first and last sighting, failed
fetches) goes into the warehouse table `page_evidence` (columns: etl.check.page_rules), and the
page rules of the rule registry run over it; their findings are stored with scope 'page'."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from etl.collect.manifest import SUFFIX, Manifest, manifest_for, read_manifests

MARKER = "collect.sqlite"  # the crawl state: the folder holding it is a collect OUT
_STATE_FILES = {MARKER, MARKER + "-wal", MARKER + "-shm", MARKER + "-journal", "collect.lock"}

LIST_PAGE = "采集到的栏目列表页（发布证据，不是报告）"
WRAPPER_PAGE = "报告页面只是附件的入口，报告以其附件入库"


@dataclass
class Collected:
    """The collect folders a load touches and what their manifests say."""

    roots: list[Path] = field(default_factory=list)
    manifests: list[Manifest] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (manifest, reason)
    skip: dict[str, str] = field(default_factory=dict)  # resolved file path -> why it is not a report

    def __bool__(self) -> bool:
        return bool(self.manifests or self.roots)

    def left_out(self, path: str) -> bool:
        """Files of the collection that are not files to load at all."""
        p = Path(path)
        if p.name.endswith(SUFFIX) or p.name in _STATE_FILES:
            return True
        resolved = p.resolve()
        return any(resolved.is_relative_to(r / "tmp") for r in self.roots)

    def skip_reason(self, path: str) -> str | None:
        return self.skip.get(str(Path(path).resolve()))

    def fingerprint(self) -> str:
        """Changes when the manifests say something new (a re-load of an unchanged collection rewrites nothing)."""
        h = hashlib.sha256()
        for m in sorted(self.manifests, key=lambda m: str(m.path)):
            h.update(repr((str(m.path), m.sha256, m.problem, m.sources)).encode())
        return h.hexdigest()


META_KEY = "page_evidence_fingerprint"


def unchanged(db: Path, collected: Collected) -> bool:
    """True when the warehouse at `db` already holds exactly this collection's page evidence."""
    import duckdb

    if not Path(db).exists():
        return False
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT value FROM warehouse_meta WHERE key = ?", [META_KEY]).fetchall()
    except duckdb.Error:
        return False
    finally:
        con.close()
    return bool(rows) and rows[0][0] == collected.fingerprint()


def _root_of(path: Path) -> Path | None:
    for d in [path, *path.parents] if path.is_dir() else path.parents:
        if (d / MARKER).exists():
            return d
    return None


def find(paths: Iterable[str], files: Iterable[str]) -> Collected:
    """The collections under (or above) the given load paths; empty when none of the files was collected."""
    files = list(files)
    out = Collected()
    roots: dict[Path, None] = {}
    for p in paths:
        r = _root_of(Path(p).resolve())
        if r is not None:
            roots[r] = None
    manifests = {f for f in files if f.endswith(SUFFIX)}
    loose = [f for f in files if f + SUFFIX in manifests]
    if not roots and not loose:
        return out
    for f in loose:  # a collected file given on its own, or a copy of part of OUT
        r = _root_of(Path(f).resolve())
        if r is not None:
            roots[r] = None
    out.roots = list(roots)
    seen: set[Path] = set()
    for r in out.roots:
        ms = read_manifests(r)
        out.manifests += ms.manifests
        out.unreadable += ms.rejected
        seen |= {m.path.resolve() for m in ms.manifests}
    for f in loose:
        mp = Path(f + SUFFIX).resolve()
        if mp in seen:
            continue
        seen.add(mp)
        try:
            m = manifest_for(f)
        except Exception as exc:  # noqa: BLE001 -- a ManifestError: listed, the file is still loaded
            out.unreadable.append((str(mp), getattr(exc, "reason", str(exc))))
            continue
        if m is not None:
            out.manifests.append(m)
    out.skip = _not_reports(out.manifests)
    return out


def _not_reports(manifests: list[Manifest]) -> dict[str, str]:
    """Kept files that are not reports: list pages, and report pages whose usable attachment is the report."""
    linked = {
        s.report_page_url
        for m in manifests
        if m.kind == "attachment" and m.file is not None and m.problem is None and (m.size or 0) > 0
        for s in m.sources
        if s.report_page_url
    }
    skip = {}
    for m in manifests:
        if m.file is None:
            continue
        if m.kind == "list":
            skip[str(m.file.resolve())] = LIST_PAGE
        elif m.problem:
            skip[str(m.file.resolve())] = f"采集到的文件不可用：{m.problem}"
        elif m.kind == "page" and any(s.url in linked for s in m.sources):
            skip[str(m.file.resolve())] = WRAPPER_PAGE
    return skip


def store(con, collected: Collected, matcher, township_deadline: tuple[int, int] = (1, 31)) -> int:
    """Write the collection's page evidence into the warehouse (the manifests hold each URL's whole
    history, so their rows replace the earlier rows of the same URLs), then run the page rules over
    all the page evidence the warehouse holds; their findings replace the earlier page findings.
    `matcher` (etl.warehouse.agencies.Matcher) gives each finding its agency. The number of findings."""
    import pyarrow as pa

    from etl.check import page_rules
    from etl.registry.rules import BY_ID
    from etl.warehouse.agencies import name_key

    names = [c for c, _, _ in page_rules.PAGE_EVIDENCE_COLUMNS]
    rows = page_rules.evidence_rows(collected.manifests)
    if rows:
        types = {"INTEGER": pa.int32(), "BIGINT": pa.int64(), "BOOLEAN": pa.bool_(), "TIMESTAMP": pa.timestamp("us")}
        schema = pa.schema([(c, types.get(t, pa.string())) for c, t, _ in page_rules.PAGE_EVIDENCE_COLUMNS])
        con.register("_page_rows", pa.Table.from_pylist([dict(zip(names, r)) for r in rows], schema=schema))
        try:
            con.execute(f"""DELETE FROM {page_rules.TABLE} WHERE (url, column_url) IN
                            (SELECT DISTINCT url, column_url FROM _page_rows)""")
            con.execute(f"INSERT INTO {page_rules.TABLE} BY NAME SELECT * FROM _page_rows")
        finally:
            con.unregister("_page_rows")
    found = page_rules.run_all(con, township_deadline=township_deadline)
    # the loaded report behind a URL: its page or attachment, or the attachment of a report page
    reports: dict[str, tuple[str, int]] = {}
    for url, page_url, rid, aid in con.execute(f"""
            SELECT DISTINCT e.url, e.report_page_url, s.report_id, r.agency_id
            FROM {page_rules.TABLE} e JOIN sources s ON s.sha256 = e.sha256 AND s.report_id IS NOT NULL
            JOIN reports r ON r.report_id = s.report_id ORDER BY s.report_id""").fetchall():
        reports.setdefault(url, (rid, aid))
        if page_url:
            reports.setdefault(page_url, (rid, aid))
    codes = {s.agency: s.region_code for m in collected.manifests for s in m.sources if s.agency and s.region_code}
    out = []
    for f in found:
        rid, aid = reports.get(f.url or "", (None, None))
        if aid is None and f.agency:
            aid = matcher.by_key.get(name_key(f.agency)) or matcher.match(f.agency, codes.get(f.agency))
        out.append((rid, aid, f.year, f.rule, f.severity, f.message, f.cells, "page", BY_ID[f.rule].origin, None))
    con.execute("INSERT OR REPLACE INTO warehouse_meta VALUES (?, ?)", [META_KEY, collected.fingerprint()])
    con.execute("DELETE FROM findings WHERE scope = 'page'")
    if out:
        con.executemany(
            "INSERT INTO findings (report_id, agency_id, year, rule, severity, message, cells, scope, origin, "
            "related_report_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            out,
        )
    return len(out)

"""The two copy checks of the rule registry, over the scope a load touched (etl.check.cross_report):

- copied_report: this year's prose repeats 90 % or more of the same agency's report of the year
  before. Every such pair is a candidate when the stored signatures estimate the share at 0.8 or
  more (64 bins: the estimate's standard error near 0.9 is about 0.03); the exact share decides.
- copied_from_peer (雷同): 90 % or more of the prose is found in the report of another agency of
  the same region (the agency's region code) and year. Candidates are the pairs that share one of
  16 LSH bands of 4 bins, found by a join in DuckDB; the exact share decides; the finding names the
  other report (related_report_id and the message).

Both leave out the format's boilerplate and compare only reports with at least 300 characters of
prose (etl.check.copies)."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from etl.check import copies
from etl.check.cross_report import touched

FEW = 16  # candidates' texts read one by one up to this many, else in one scan
COLUMNS = "report_id, agency_id, year, rule, severity, message, cells, scope, related_report_id"


def _minhash(col: pa.ChunkedArray) -> np.ndarray:
    flat = pa.concat_arrays([c.flatten() for c in col.chunks]) if col.num_chunks else pa.array([], pa.uint32())
    return flat.to_numpy(zero_copy_only=False).reshape(-1, copies.BINS)


class _Prose:
    """Shingles of reports' prose, read from the warehouse when first needed."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con, self.cache = con, {}

    def load(self, ids: set[str]) -> None:
        want = sorted(i for i in ids if i not in self.cache)
        if not want:
            return
        # The prose is compressed in blocks of many reports: a few reports are read one by one (each
        # query scans the ids and decompresses one block), more in one scan of the table. This read is
        # the part of a small load that still grows with the warehouse (BENCHMARKS.md).
        if len(want) <= FEW:
            rows = []
            for rid in want:
                rows += self.con.execute(
                    "SELECT t.report_id, t.prose, r.agency_printed FROM report_texts t JOIN reports r "
                    "USING (report_id) WHERE t.report_id = ?",
                    [rid],
                ).fetchall()
            self._add(rows)
            return
        self.con.register("_want", pa.table({"report_id": want}))
        try:
            cur = self.con.execute(
                "SELECT t.report_id, t.prose, r.agency_printed FROM report_texts t JOIN _want USING (report_id) "
                "JOIN reports r USING (report_id)"
            )
            while rows := cur.fetchmany(5000):
                self._add(rows)
        finally:
            self.con.unregister("_want")

    def _add(self, rows: list[tuple[str, str, str]]) -> None:
        if rows:
            ids, texts, names = zip(*rows)
            self.cache.update(zip(ids, copies.shingles_many([t or "" for t in texts], list(names))))

    def __getitem__(self, rid: str) -> np.ndarray:
        return self.cache.get(rid, np.empty(0, np.uint64))


def _insert(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    if rows:
        names = [c.strip() for c in COLUMNS.split(",")]
        con.register("_found", pa.table(dict(zip(names, map(list, zip(*rows))))))
        try:
            con.execute(f"INSERT INTO findings ({COLUMNS}) SELECT {COLUMNS} FROM _found")
        finally:
            con.unregister("_found")


def copied(con: duckdb.DuckDBPyConnection) -> None:
    """The same agency's report of the year before (rule copied_report)."""
    years = [r[0] for r in con.execute("SELECT DISTINCT year FROM _touched ORDER BY 1").fetchall()]
    pairs = []  # (this report, last year's, agency, year)
    for year in years:  # one year at a time: bounded memory at a million reports
        t = con.sql(
            f"""SELECT c.report_id AS cid, p.report_id AS pid, c.agency_id, c.year,
                       sc.shingles AS nc, sp.shingles AS np_, sc.minhash AS mc, sp.minhash AS mp
                FROM reports c JOIN reports p
                  ON p.agency_id = c.agency_id AND p.year = c.year - 1 AND NOT p.is_duplicate
                JOIN prose_signatures sc ON sc.report_id = c.report_id
                JOIN prose_signatures sp ON sp.report_id = p.report_id
                WHERE c.year = ? AND NOT c.is_duplicate AND sc.shingles >= {copies.MIN_SHINGLES} AND {touched("c")}""",
            params=[year],
        ).to_arrow_table()
        if t.num_rows == 0:
            continue
        est = copies.estimated_share(_minhash(t["mc"]), _minhash(t["mp"]), t["nc"].to_numpy(), t["np_"].to_numpy())
        pick = np.flatnonzero(est >= copies.CANDIDATE)
        cid, pid, aid = (t[k].to_pylist() for k in ("cid", "pid", "agency_id"))
        pairs += [(cid[i], pid[i], aid[i], year) for i in pick]
    prose, hits = _Prose(con), []
    prose.load({c for c, _, _, _ in pairs} | {p for _, p, _, _ in pairs})
    for cid, pid, aid, year in pairs:
        share = copies.share(prose[cid], prose[pid])
        if share >= copies.THRESHOLD:
            hits.append(
                (
                    cid,
                    aid,
                    year,
                    "copied_report",
                    "warning",
                    f"正文与上一年度报告 {share:.0%} 相同（超过 {copies.THRESHOLD:.0%}），疑似照抄上年报告",
                    "",
                    "cross",
                    pid,
                )
            )
    _insert(con, hits)


def copied_from_peer(con: duckdb.DuckDBPyConnection) -> None:
    """Another agency's report of the same region and year (rule copied_from_peer)."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _bands AS
        SELECT s.report_id, r.agency_id, r.year, a.region_code, b.band,
               hash(s.minhash[b.band * {copies.ROWS} + 1 : (b.band + 1) * {copies.ROWS}]) AS bucket
        FROM prose_signatures s JOIN reports r USING (report_id) JOIN agencies a USING (agency_id)
        JOIN _touched_regions t ON t.region_code = a.region_code AND t.year = r.year
        CROSS JOIN range({copies.BANDS}) b(band)
        WHERE NOT r.is_duplicate AND s.shingles >= {copies.MIN_SHINGLES}
          AND NOT list_contains(s.minhash[b.band * {copies.ROWS} + 1 : (b.band + 1) * {copies.ROWS}],
                                {int(copies.EMPTY)})""")
    pairs = con.execute("""SELECT DISTINCT x.report_id, y.report_id FROM _bands x JOIN _bands y
                           ON x.region_code = y.region_code AND x.year = y.year AND x.band = y.band
                              AND x.bucket = y.bucket AND x.report_id < y.report_id AND x.agency_id <> y.agency_id
                        """).fetchall()
    con.execute("DROP TABLE _bands")
    if not pairs:
        return
    prose = _Prose(con)
    prose.load({a for a, _ in pairs} | {b for _, b in pairs})
    best: dict[str, list] = {}  # report -> [share, other report, how many peers reach the threshold]
    for a, b in pairs:
        for this, other in ((a, b), (b, a)):
            share = copies.share(prose[this], prose[other])
            if share >= copies.THRESHOLD:
                cur = best.setdefault(this, [0.0, None, 0])
                cur[2] += 1
                if (share, other) > (cur[0], cur[1] or ""):
                    cur[0], cur[1] = share, other
    if not best:
        return
    ids = sorted(set(best) | {v[1] for v in best.values()})
    con.register("_ids", pa.table({"report_id": ids}))
    try:
        info = {
            rid: (aid, year, name)
            for rid, aid, year, name in con.execute(
                """SELECT r.report_id, r.agency_id, r.year, coalesce(a.name, r.agency_printed)
                   FROM reports r JOIN _ids USING (report_id) LEFT JOIN agencies a USING (agency_id)"""
            ).fetchall()
        }
    finally:
        con.unregister("_ids")
    rows = []
    for rid, (share, other, n) in sorted(best.items()):
        aid, year, _ = info[rid]
        more = f"；另有 {n - 1} 份同地区报告也达到此比例" if n > 1 else ""
        rows.append(
            (
                rid,
                aid,
                year,
                "copied_from_peer",
                "warning",
                f"正文与同地区 {info[other][2]} 的 {year} 年度报告（{other}）{share:.0%} 相同"
                f"（超过 {copies.THRESHOLD:.0%}），疑似雷同{more}",
                "",
                "cross",
                other,
            )
        )
    _insert(con, rows)

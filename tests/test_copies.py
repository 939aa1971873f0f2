"""Copy detection: shingles, signatures and their estimate, the generated records' signatures, and
both copy rules in a warehouse (year over year, and across agencies of one region and year)."""

from __future__ import annotations

import random
import shutil

import duckdb
import numpy as np
from conftest import FIXTURES, q

from etl.check import copies
from etl.pipeline import run_load

SAMPLE = FIXTURES / "samples" / "ganzhou-jkq-2023.txt"


def _prose(rng: random.Random, n: int) -> str:
    chars = [chr(0x4E00 + i) for i in range(2000)]
    return "。".join("".join(rng.choice(chars) for _ in range(rng.randint(15, 40))) for _ in range(n)) + "。"


def test_digits_punctuation_and_boilerplate_are_not_shingled():
    rng = random.Random(1)
    body = _prose(rng, 30)
    numbered = body.replace("。", "，共12条。", 3)
    assert (copies.shingles(body.replace("。", "，共条。", 3)) == copies.shingles(numbered)).all()
    framed = "一、总体情况\n本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定编制。\n" + body
    framed += "\n六、其他需要报告的事项\n本年度未收取政府信息公开信息处理费。"
    assert (copies.shingles(framed) == copies.shingles(body)).all()
    # two texts that share only the format's words are not alike at all
    a = "一、总体情况\n" + _prose(rng, 20) + "\n五、存在的主要问题及改进情况\n本年度未收取政府信息公开信息处理费。"
    b = "一、总体情况\n" + _prose(rng, 20) + "\n五、存在的主要问题及改进情况\n本年度未收取政府信息公开信息处理费。"
    assert copies.share(copies.shingles(a), copies.shingles(b)) < 0.05


def test_many_at_once_equals_one_by_one():
    rng = random.Random(2)
    texts = [_prose(rng, rng.randint(0, 12)) + "\n一、总体情况 2023" for _ in range(60)] + ["", "短"]
    for got, text in zip(copies.shingles_many(texts), texts):
        assert np.array_equal(got, copies.shingles(text))


def test_signature_estimate_follows_the_exact_share():
    rng = random.Random(3)
    sentences = [_prose(rng, 1) for _ in range(400)]
    errors = []
    for _ in range(60):
        a = rng.sample(sentences, 80)
        keep = rng.random()
        b = [s for s in a if rng.random() < keep] + rng.sample(sentences, rng.randint(10, 80))
        sa, sb = copies.shingles("".join(a)), copies.shingles("".join(b))
        exact = copies.share(sa, sb)
        est = copies.estimated_share(
            copies.minhash(sa)[None], copies.minhash(sb)[None], np.array([len(sa)]), np.array([len(sb)])
        )[0]
        errors.append(abs(est - exact))
    assert np.mean(errors) < 0.05 and max(errors) < 0.2


def test_generated_records_carry_the_signature_a_worker_would_make():
    from etl.demo.records import records

    recs = list(records(700, seed=5))
    lengths = [len(p.report.prose) for p in recs]
    assert 1000 <= min(lengths) and max(lengths) <= 8300 and 1800 <= float(np.median(lengths)) <= 2800
    for p in recs[::7]:
        assert p.signature == copies.signature(p.report.prose, p.report.agency)


def _copy_of(text: str, old: str, new: str) -> str:
    return text.replace(old, new)


def test_copy_from_another_agency_of_the_region_names_it(tmp_path):
    """Two agencies of one place and year with the same text (the name changed) both get a
    copied_from_peer finding naming the other report; the same text a year later is copied_report;
    an agency elsewhere with the same text is not compared."""
    text = SAMPLE.read_text(encoding="utf-8")
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(text, encoding="utf-8")
    (src / "b.txt").write_text(_copy_of(text, "经济技术开发区", "高新技术产业开发区"), encoding="utf-8")
    db = tmp_path / "w.duckdb"
    run_load([str(src)], db, progress=False)
    rows = q(
        db,
        """SELECT s.path, f.related_report_id, f.message, f.origin, o.path
           FROM findings f JOIN sources s USING (report_id) JOIN sources o ON o.report_id = f.related_report_id
           WHERE f.rule = 'copied_from_peer'""",
    )
    assert {(r[0].rsplit("/", 1)[1], r[4].rsplit("/", 1)[1]) for r in rows} == {("a.txt", "b.txt"), ("b.txt", "a.txt")}
    assert all("疑似雷同" in r[2] and r[3] == "report" for r in rows)
    assert "高新技术产业开发区" in next(r[2] for r in rows if r[0].endswith("a.txt"))
    # the next year, the same agency prints the same text again
    (src / "a2024.txt").write_text(text.replace("2023", "2024"), encoding="utf-8")
    run_load([str(src)], db, progress=False)
    copied = q(
        db,
        "SELECT s.path, f.related_report_id FROM findings f JOIN sources s USING (report_id) "
        "WHERE f.rule = 'copied_report'",
    )
    assert [p.rsplit("/", 1)[1] for p, _ in copied] == ["a2024.txt"]
    assert copied[0][1] == q(db, "SELECT report_id FROM sources WHERE path LIKE '%/a.txt'")[0][0]


def test_incremental_checks_equal_a_full_run(tmp_path):
    """Loading a corpus in two steps gives the findings of loading it at once."""
    from etl.demo.generate import generate

    corpus = tmp_path / "corpus"
    generate(corpus, seed=11, scale="small")
    files = sorted(p for p in (corpus / "docs").rglob("*") if p.is_file())
    first = [str(p) for p in files if "-2024" not in p.name]
    whole, steps = tmp_path / "whole.duckdb", tmp_path / "steps.duckdb"
    reg = str(corpus / "registry.csv")
    run_load([str(corpus)], whole, reg, jobs=1, progress=False)
    run_load(first, steps, reg, jobs=1, progress=False)
    s = run_load([str(corpus)], steps, reg, jobs=1, progress=False)
    assert s.written and not s.full_checks and s.loaded > 0
    sql = """SELECT s.path, f.rule, f.severity, f.message, f.origin, o.path FROM findings f
             LEFT JOIN sources s ON s.report_id = f.report_id AND s.status IN ('loaded', 'duplicate')
             LEFT JOIN sources o ON o.report_id = f.related_report_id AND o.status IN ('loaded', 'duplicate')
             ORDER BY ALL"""
    a, b = q(whole, sql), q(steps, sql)
    assert a == b
    assert {r[1] for r in a} >= {"copied_report", "late_publication", "duplicate_report", "missing_report"}
    counts = "SELECT report_id, is_duplicate, n_errors, n_warnings FROM reports ORDER BY report_id"
    assert q(whole, counts) == q(steps, counts)


def test_reading_findings_do_not_count_against_the_agency(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLE, src / "r.txt")
    db = tmp_path / "w.duckdb"
    run_load([str(src)], db, progress=False)
    assert q(db, "SELECT count(*) FROM findings WHERE origin IS NULL")[0][0] == 0
    by_origin = q(
        db,
        """SELECT r.n_errors, r.n_warnings,
                  count(*) FILTER (f.severity = 'error' AND f.origin = 'report' AND f.scope = 'report'),
                  count(*) FILTER (f.severity = 'warning' AND f.origin = 'report' AND f.scope = 'report')
           FROM reports r LEFT JOIN findings f USING (report_id) GROUP BY ALL""",
    )
    assert all(r[0] == r[2] and r[1] == r[3] for r in by_origin)


COPIES = FIXTURES / "copies"


def test_township_reports_differing_only_by_name_are_found_and_the_statute_alone_is_not(tmp_path):
    """tests/fixtures/copies: 常家镇's real report, the same text as 花沟镇's (only the name changed,
    short forms included), and 青城镇's, which shares with them only the statute's sentence and the
    format's headings. All three are townships of 高青县 in 2024, so each pair is compared."""
    db = tmp_path / "w.duckdb"
    run_load([str(COPIES)], db, progress=False)
    rows = q(
        db,
        """SELECT s.path, o.path FROM findings f JOIN sources s USING (report_id)
           JOIN sources o ON o.report_id = f.related_report_id WHERE f.rule = 'copied_from_peer'""",
    )
    stem = lambda p: p.rsplit("/", 1)[1].split("-")[0]  # noqa: E731
    assert {(stem(a), stem(b)) for a, b in rows} == {("changjia", "huagou"), ("huagou", "changjia")}
    texts = {
        stem(p): (t, n)
        for p, t, n in q(
            db, "SELECT source_path, prose, agency_printed FROM reports JOIN report_texts USING (report_id)"
        )
    }
    sh = {k: copies.shingles(t, n) for k, (t, n) in texts.items()}
    assert "本报告根据《中华人民共和国政府信息公开条例》" in texts["qingcheng"][0]
    assert max(copies.share(sh["qingcheng"], sh["changjia"]), copies.share(sh["changjia"], sh["qingcheng"])) < 0.3


def test_wrapped_lines_and_the_name_in_its_short_forms_do_not_hide_a_copy():
    from etl.pipeline import parse_path

    text = parse_path(str(SAMPLE)).report.prose
    name, new = "赣州经济技术开发区党政办公室", "赣州市章贡区沙石镇人民政府"
    # the copy printed to a page's width: every line of its paragraphs cut after 37 characters
    wrapped = "\n".join("\n".join(ln[i : i + 37] for i in range(0, max(len(ln), 1), 37)) for ln in text.split("\n"))
    other = wrapped.replace(name, "沙石镇")  # and named by its short form
    a, b = copies.shingles(text, name), copies.shingles(other, new)
    assert copies.share(a, b) >= copies.THRESHOLD and copies.share(b, a) >= copies.THRESHOLD
    assert copies.name_forms("高青县常家镇人民政府") == (
        "高青县常家镇人民政府",
        "常家镇人民政府",
        "高青县常家镇",
        "常家镇",
    )
    assert copies.name_forms("赣州市市场监督管理局") == ("赣州市市场监督管理局", "市场监督管理局")
    # the same stock clauses in another order are not the same text
    rng = random.Random(4)
    clauses = ["".join(chr(0x4E00 + rng.randrange(2000)) for _ in range(12)) for _ in range(30)]
    x = "；".join(clauses) + "。"
    y = "；".join(clauses[1::2] + clauses[::2]) + "。"
    assert copies.share(copies.shingles(x), copies.shingles(y)) < copies.THRESHOLD


def test_signatures_of_an_older_shingling_are_remade(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLE, src / "r.txt")
    db = tmp_path / "w.duckdb"
    run_load([str(src)], db, progress=False)
    right = q(db, "SELECT report_id, shingles, minhash FROM prose_signatures")
    con = duckdb.connect(str(db))
    con.execute("UPDATE prose_signatures SET shingles = 1")
    con.execute("UPDATE warehouse_meta SET value = '1' WHERE key = 'signature_version'")
    con.close()
    s = run_load([str(src)], db, progress=False)  # nothing new, but the signatures are old
    assert s.written and s.full_checks
    assert q(db, "SELECT report_id, shingles, minhash FROM prose_signatures") == right
    assert q(db, "SELECT value FROM warehouse_meta WHERE key = 'signature_version'") == [
        (str(copies.SIGNATURE_VERSION),)
    ]
    assert not run_load([str(src)], db, progress=False).written

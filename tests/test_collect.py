"""The collector against mock government websites on 127.0.0.1 (tests/mocksite): three site
styles crawled three times (first crawl, an unchanged re-crawl, a re-crawl after one report
changed), and single behaviours on small sites of their own."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from mocksite.server import Hit, MockSite, Resource
from mocksite.sites import A_NAME, B_NAME, C_NAME, Sites, start_sites

from etl.check.page_rules import load_page_evidence, run_all
from etl.collect.crawl import CollectOptions
from etl.collect.fetch import Options
from etl.collect.manifest import Manifest, ManifestSet, manifest_for, read_manifests
from etl.collect.run import CollectSummary, collect, summary_lines
from etl.collect.seeds import Seed, from_registry
from etl.collect.state import State, StateError

FAST = Options(rate=0, timeout=0.5, retries=1, backoff=0.05, trust_env=False)


@dataclass(frozen=True)
class Run:
    summary: CollectSummary
    hits: dict[str, list[Hit]]
    seconds: float
    manifests: ManifestSet


@dataclass(frozen=True)
class Crawled:
    sites: Sites
    out: Path
    runs: tuple[Run, ...]  # first crawl, unchanged re-crawl, re-crawl after A's 2024 report changed


def crawl(seeds: tuple[Seed, ...], out: Path, options: Options = FAST, **kw) -> CollectSummary:
    return collect(seeds, out, CollectOptions(options, progress=False, **kw))


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> Crawled:
    sites = start_sites()
    root = tmp_path_factory.mktemp("collect")
    out = root / "out"
    seeds = from_registry(sites.registry_csv(root / "registry.csv"))
    runs = []
    try:
        for version in (0, 0, 1):
            sites.clear_logs()
            sites.a.version = version
            started = time.monotonic()
            s = collect(seeds.seeds, out, CollectOptions(FAST, progress=False), seeds.skipped)
            hits = {site.name: list(site.hits) for site in sites.all}
            runs.append(Run(s, hits, time.monotonic() - started, read_manifests(out)))
        yield Crawled(sites, out, tuple(runs))
    finally:
        sites.stop()


def sources(ms: ManifestSet, path: str) -> list[tuple[Manifest, object]]:
    """(manifest, source) for every source whose URL ends with `path`."""
    return [(m, s) for m in ms.manifests for s in m.sources if s.url.endswith(path)]


def one(ms: ManifestSet, path: str):
    found = [x for x in sources(ms, path) if x[0].sha256 is not None]
    assert len(found) == 1, (path, found)
    return found[0]


def paths(hits: list[Hit]) -> list[str]:
    return [h.path for h in hits]


# the first crawl


def test_first_crawl_keeps_pages_and_attachments_with_manifests(crawled):
    first = crawled.runs[0]
    ms = first.manifests
    assert ms.rejected == ()
    s = first.summary
    assert s.columns == 3 and s.columns_failed == () and s.run == 1 and not s.resumed
    assert s.skipped == ("名录中 1 个机关没有填写 column_url（年报栏目地址），未采集",)
    m, src = one(ms, "/uploadfiles/hongze-2024.pdf")
    pdf = (Path(__file__).parent / "fixtures" / "samples" / "hongze-2024.pdf").read_bytes()
    assert m.kind == "attachment" and m.file.suffix == ".pdf" and m.file.read_bytes() == pdf
    assert m.sha256 == hashlib.sha256(pdf).hexdigest() and m.size == len(pdf) and m.problem is None
    assert m.content_type == "application/pdf" and m.file.parent.parent.name == "files"
    assert src.agency == C_NAME and src.agency_kind == "government" and src.region_code == "320813"
    assert src.column_url == crawled.sites.column(crawled.sites.c) and src.year == 2024
    assert src.report_page_url.endswith("/zwgk/ndbg/202501/t20250120_1.html")
    assert src.http_status == 200 and src.error is None and not src.blocked
    assert src.first_seen is not None and src.first_seen.tzinfo is not None and src.fetched_at >= src.first_seen
    assert [v.sha256 for v in src.versions] == [m.sha256]
    beside = manifest_for(m.file)  # the loader's way in: the manifest beside a file (rewritten by later runs)
    assert beside.path == m.path and beside.sha256 == m.sha256 and manifest_for(m.path) is None
    docx, dsrc = one(ms, "/uploadfiles/2024/01/2023ndbg.docx")
    assert docx.file.suffix == ".docx" and dsrc.agency == B_NAME and dsrc.year == 2023
    page, psrc = one(ms, "/xxgk/ndbg/202401/t20240126_2.html")
    assert page.kind == "page" and page.file.suffix == ".html" and page.text_sha256 and psrc.agency == A_NAME
    lists = [m for m in ms.manifests if m.kind == "list" and m.sha256]
    assert len(lists) == 7 and all(m.file.parent.parent.name == "lists" for m in lists)
    raw = json.loads(m.path.read_text(encoding="utf-8"))
    assert raw["manifest"] == 1 and raw["sources"][0]["page_published_text"].startswith("发布时间")


def test_page_times_as_printed(crawled):
    ms = crawled.runs[0].manifests
    expected = {
        "/xxgk/ndbg/202301/t20230130_1.html": (datetime(2023, 1, 30), "发布日期"),  # TRS info table
        "/col/ndbg/art/2024/1/28/art_2.html": (datetime(2024, 1, 28), "时间"),  # 时间：2024年01月28日
        "/uploadfiles/2024/01/2023ndbg.docx": (datetime(2024, 1, 28), "时间"),  # the report page's time
        "/col/ndbg/art/2022/1/25/art_4.html": (datetime(2022, 1, 25, 9, 30), "PubDate"),  # meta only
        "/zwgk/ndbg/202501/t20250120_1.html": (datetime(2025, 1, 20, 10, 0), "发布时间"),
        "/uploadfiles/hongze-2024.pdf": (datetime(2025, 1, 20, 10, 0), "发布时间"),
        "/uploadfiles/2021ndbg.pdf": (datetime(2022, 1, 28), "栏目列表"),  # linked straight from the list
        "/zwgk/ndbg/t20200131_1.html": (datetime(2020, 1, 31), "发布日期"),  # the real 上海 sample
    }
    for path, (when, label) in expected.items():
        _, src = one(ms, path)
        assert src.page_published == when, path
        assert label in src.page_published_text, (path, src.page_published_text)


def test_every_pagination_style_is_walked(crawled):
    hits = crawled.runs[0].hits
    assert "/xxgk/ndbg/index_1.html" in paths(hits["a"])  # createPageHTML in script
    assert "/col/ndbg/list.jsp?page=2" in paths(hits["b"])  # 下一页 to ?page=2
    assert "/zwgk/ndbg/page_3.html" in paths(hits["c"])  # 下一页 from page_2.html
    assert paths(hits["b"]).count("/col/ndbg/list.jsp") == 1  # 首页/上一页 back to a page seen: not again
    assert "/xxgk/tzgg/t20240301_9.html" not in paths(hits["a"])  # a notice, not a report


def test_robots_txt_and_other_sites_are_respected(crawled):
    first = crawled.runs[0]
    assert not any(p.startswith("/private/") for p in paths(first.hits["a"]))
    assert all(not run.hits["other"] for run in crawled.runs)
    assert first.summary.counts["blocked"] == 1 and first.summary.counts["offsite"] == 1
    _, private = sources(first.manifests, "/private/t20220120_0.html")[0]
    _, other = sources(first.manifests, "/xxgk/2020ndbg.html")[0]
    assert private.blocked and "robots.txt" in private.error and private.year == 2021
    assert other.blocked and "其他网站" in other.error and other.year == 2020


def test_crawl_delay_from_robots_txt(crawled):
    times = [h.at for h in crawled.runs[0].hits["c"] if h.path != "/robots.txt"]
    gaps = [b - a for a, b in zip(times, times[1:])]
    # Crawl-delay: 0.1 though the rate limit is off (without it requests come ~3 ms apart); the server's
    # clock sees the spacing with jitter that grows on a loaded machine (a late hit, then an early one)
    assert len(gaps) >= 5 and min(gaps) >= 0.02 and sum(gaps) / len(gaps) >= 0.09


def test_server_error_recovers_on_retry(crawled):
    b = crawled.runs[0].hits["b"]
    assert [h.status for h in b if h.path == "/col/ndbg/list.jsp?page=2"] == [500, 200]
    _, src = one(crawled.runs[0].manifests, "/col/ndbg/art/2023/1/31/art_3.html")  # listed on that page
    assert src.year == 2022


def test_slow_page_times_out_bounded(crawled):
    first = crawled.runs[0]
    assert paths(first.hits["c"]).count("/zwgk/ndbg/slow.html") == 2  # one try and one retry, then given up
    m, src = sources(first.manifests, "/zwgk/ndbg/slow.html")[0]
    assert m.file is None and src.http_status is None and "超时" in src.error and not src.blocked
    assert first.seconds < 8


def test_redirect_loop_is_detected(crawled):
    first = crawled.runs[0]
    assert paths(first.hits["c"]).count("/zwgk/ndbg/loop.html") == 1
    _, src = sources(first.manifests, "/zwgk/ndbg/loop.html")[0]
    assert src.error.startswith("重定向循环") and src.http_status == 302


def test_the_same_bytes_are_stored_once(crawled):
    ms = crawled.runs[0].manifests
    m, _ = one(ms, "/uploadfiles/hongze-2024.pdf")
    assert {s.url.rsplit("/", 1)[1] for s in m.sources} == {"hongze-2024.pdf", "2021ndbg.pdf"}
    assert len(list(crawled.out.glob(f"files/*/{m.sha256}.*"))) == 2  # the file and its one manifest


def test_broken_attachments_are_recorded(crawled):
    ms = crawled.runs[0].manifests
    _, missing = sources(ms, "/uploadfiles/2022/missing.pdf")[0]
    assert missing.http_status == 404 and "不存在" in missing.error
    empty, _ = one(ms, "/uploadfiles/2021/empty.pdf")
    assert empty.size == 0 and "0 字节" in empty.problem
    gone, _ = one(ms, "/uploadfiles/2020/gone.pdf")
    assert "网页" in gone.problem and gone.file.suffix == ".html"
    reasons = dict(crawled.runs[0].summary.failures)
    assert len(reasons) == 3 and any("404" in r for r in reasons.values())


# the re-crawls


def test_unchanged_recrawl_asks_only_conditionally(crawled):
    first, second = crawled.runs[0], crawled.runs[1]
    failed_first = {h.path for site in "abc" for h in first.hits[site] if h.status in (0, 302, 404)}
    plain = [
        (site, h.path) for site in "abc" for h in second.hits[site] if not h.conditional and h.path not in failed_first
    ]
    assert plain == []
    assert not any(h.path == "/robots.txt" for site in "abc" for h in second.hits[site])  # kept for a day
    assert "/xxgk/ndbg/" not in paths(second.hits["a"])  # a 301 is remembered
    s = second.summary
    assert s.counts.get("new", 0) == 0 and s.counts.get("changed", 0) == 0
    assert s.conditional_requests >= 20 and s.counts["not_modified"] >= 18
    # what was asked for in full: only what failed before (404, the loop, the slow page)
    assert s.requests - s.conditional_requests == len(
        [h for site in "abc" for h in second.hits[site] if not h.conditional]
    )
    assert {m.sha256 for m in second.manifests.manifests} == {m.sha256 for m in first.manifests.manifests}


def test_a_view_counter_does_not_make_a_new_version(crawled):
    third = crawled.runs[2]
    assert [h.status for h in third.hits["a"] if h.path.endswith("t20240126_2.html")] == [200]  # new bytes
    _, src = one(third.manifests, "/xxgk/ndbg/202401/t20240126_2.html")
    assert len(src.versions) == 1


def test_changed_report_keeps_both_versions(crawled):
    third = crawled.runs[2]
    assert third.summary.counts["changed"] == 1 and third.summary.counts["new"] == 1
    versions = [x for x in sources(third.manifests, "/xxgk/ndbg/202503/t20250302_3.html") if x[0].sha256]
    assert len(versions) == 2
    (m1, s1), (m2, s2) = sorted(versions, key=lambda x: x[1].first_seen)
    assert m1.file.exists() and m2.file.exists() and m1.sha256 != m2.sha256
    assert [v.sha256 for v in s2.versions] == [m1.sha256, m2.sha256]  # the history says which came when
    assert s1.versions[0].page_published == datetime(2025, 3, 2) and s2.versions[1].page_published == datetime(
        2025, 3, 5
    )
    assert "修改" in m2.file.read_text(encoding="utf-8") and "修改" not in m1.file.read_text(encoding="utf-8")


def test_page_checks_from_the_crawled_site(crawled):
    con = duckdb.connect()
    load_page_evidence(con, crawled.runs[2].manifests.manifests)
    found = {(f.rule, f.agency, f.year) for f in run_all(con)}
    assert found == {
        ("page_late", A_NAME, 2024),  # 发布时间 2025-03-02 for a department (deadline 01-31)
        ("page_changed", A_NAME, 2024),
        ("page_unavailable", B_NAME, 2021),  # 404
        ("page_unavailable", B_NAME, 2020),  # empty file
        ("page_unavailable", B_NAME, 2019),  # an error page instead of the PDF
        ("page_unavailable", C_NAME, 2023),  # redirect loop
        ("page_unavailable", C_NAME, 2022),  # time-out
        ("page_not_in_column", A_NAME, 2019),
        ("page_not_in_column", C_NAME, 2020),
    }


# single behaviours on small sites


def _tiny(resources: dict[str, Resource]) -> MockSite:
    site = MockSite("tiny").start()
    site.resources.update(resources)
    return site


def _list(links: list[tuple[str, str]]) -> Resource:
    items = "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in links)
    return Resource(f"<html><body><ul>{items}</ul></body></html>".encode())


def test_rate_limit_per_host(tmp_path):
    site = _tiny({"/l.html": _list([(f"/r{i}.html", f"{2020 + i}年政府信息公开工作年度报告") for i in range(5)])})
    for i in range(5):
        site.resources[f"/r{i}.html"] = Resource("<html><body>发布时间：2024-01-30</body></html>".encode())
    try:
        crawl(
            (Seed(site.base + "/l.html", "甲"),),
            tmp_path / "out",
            Options(rate=5, timeout=2, trust_env=False),
        )
    finally:
        site.stop()
    times = [h.at for h in site.hits]
    assert len(times) == 7  # robots.txt (404), the list, five reports
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= 0.12 and sum(gaps) / len(gaps) >= 0.18  # 5 a second: 0.2 s apart, give or take jitter


def test_size_limit_with_and_without_content_length(tmp_path):
    big = b"%PDF-1.4\n" + b"0" * 50_000
    site = _tiny(
        {
            "/l.html": _list([("/r.html", "2023年政府信息公开工作年度报告")]),
            "/r.html": Resource(
                '<html><body><a href="/a.pdf">附件</a><a href="/b.pdf">附件</a></body></html>'.encode()
            ),
            "/a.pdf": Resource(big, "application/pdf"),
            "/b.pdf": Resource(big, "application/pdf", no_length=True),
        }
    )
    try:
        s = crawl(
            (Seed(site.base + "/l.html", "甲"),),
            tmp_path / "out",
            Options(rate=0, timeout=2, trust_env=False, max_bytes=10_000),
        )
    finally:
        site.stop()
    reasons = dict(s.failures)
    assert len(reasons) == 2 and all("上限" in r for r in reasons.values())
    assert not list((tmp_path / "out" / "files").glob("*/*.pdf"))


def test_redirect_to_another_site_is_not_followed(tmp_path):
    other = _tiny({"/r.html": Resource(b"<html><body>x</body></html>")})
    site = _tiny(
        {
            "/l.html": _list([("/r.html", "2023年政府信息公开工作年度报告")]),
            "/r.html": Resource(status=302, location=other.base + "/r.html"),
        }
    )
    try:
        s = crawl((Seed(site.base + "/l.html", "甲"),), tmp_path / "out")
    finally:
        site.stop()
        other.stop()
    assert other.hits == [] and s.counts["blocked"] == 1 and s.failures == ()
    _, src = sources(read_manifests(tmp_path / "out"), "/r.html")[0]
    assert src.blocked and "其他网站" in src.error


def test_since_leaves_older_reports_alone(tmp_path):
    sites = start_sites()
    try:
        seeds = (Seed(sites.column(sites.b), B_NAME), Seed(sites.column(sites.c), C_NAME))
        s = crawl(seeds, tmp_path / "out", since=date(2024, 6, 1))
    finally:
        sites.stop()
    b, c = paths(sites.b.hits), paths(sites.c.hits)
    assert "/col/ndbg/art/2025/1/31/art_1.html" in b and not any(
        p.startswith("/col/ndbg/art/202") and not p.endswith("art_1.html") for p in b
    )
    assert "/zwgk/ndbg/page_2.html" in c and "/zwgk/ndbg/page_3.html" not in c  # an all-older list page ends the walk
    assert "/uploadfiles/hongze-2024.pdf" in c
    assert s.counts["before_since"] == 7  # B: one on page 1, four on page 2; C: two on page 2


def test_one_crawl_per_folder_and_unreadable_manifests(tmp_path):
    state = State(tmp_path / "out")
    try:
        with pytest.raises(StateError, match="另一个采集进程"):
            State(tmp_path / "out")
    finally:
        state.close()
    good = tmp_path / "out" / "files" / "ab"
    good.mkdir(parents=True)
    (good / "x.pdf.manifest.json").write_text("{not json", encoding="utf-8")
    (good / "y.pdf.manifest.json").write_text(
        '{"manifest": 1, "kind": "page", "sources": [{"url": 1}]}', encoding="utf-8"
    )
    ms = read_manifests(tmp_path / "out")
    assert ms.manifests == () and len(ms.rejected) == 2
    assert "不是有效的 JSON" in ms.rejected[0][1] and "column_url" in ms.rejected[1][1]


def test_summary_is_in_chinese(crawled):
    text = "\n".join(summary_lines(crawled.runs[1].summary))
    assert "第 2 次采集" in text and "条件请求" in text and "获取失败 3 个" in text

"""The collector's reading of pages and files, without a network: 发布时间 in its usual forms,
report links and pagers of list pages, attachments, file types, seeds and the registry column."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from conftest import FIXTURES

from etl.collect import sniff
from etl.collect.fetch import RateLimiter, _retry_after
from etl.collect.pages import parse_list, parse_report, published, report_year
from etl.collect.seeds import from_file, from_registry
from etl.warehouse.agencies import read_registry

SITE = "www.example.gov.cn"
BASE = f"http://{SITE}/xxgk/ndbg/index.html"


def page(body: str, head: str = "") -> str:
    return f'<html><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'


@pytest.mark.parametrize(
    ("body", "head", "expected"),
    [
        ("<div>发布时间：2024-01-30 10:00</div>", "", datetime(2024, 1, 30, 10, 0)),
        ("<div>发布时间：2024-01-30 10:00:59</div>", "", datetime(2024, 1, 30, 10, 0, 59)),
        ("<span>发布日期：</span><span>2024-01-30</span>", "", datetime(2024, 1, 30)),
        ("<p>时间：2024年01月30日</p>", "", datetime(2024, 1, 30)),
        ("<p>时间：2024年1月3日 9时5分</p>", "", datetime(2024, 1, 3, 9, 5)),
        ("<p>发布时间:2024/01/30</p>", "", datetime(2024, 1, 30)),
        ("<p>发布时间：２０２４－０１－３０</p>", "", datetime(2024, 1, 30)),  # full-width digits
        ("<p>来源：本局 发布日期：2024.01.30 浏览次数：12</p>", "", datetime(2024, 1, 30)),
        ("<p>正文</p>", '<meta name="PubDate" content="2024-01-30 16:07">', datetime(2024, 1, 30, 16, 7)),
        ("<p>正文</p>", '<meta name="publishdate" content="2024-01-29">', datetime(2024, 1, 29)),
        (
            "<p>正文</p>",
            '<meta property="article:published_time" content="2024-01-28T08:00:00+08:00">',
            datetime(2024, 1, 28, 8, 0),
        ),
    ],
)
def test_page_time_forms(body, head, expected):
    p = published(page(body, head))
    assert p is not None and p.value == expected


def test_page_time_prefers_the_printed_publication_label():
    html = page(
        "<p>时间：2024年01月02日</p><div>发布时间：2024-01-30 10:00</div>",
        '<meta name="PubDate" content="2024-02-01">',
    )
    p = published(html)
    assert p.value == datetime(2024, 1, 30, 10, 0) and p.source == "页面文字" and "发布时间" in p.text


def test_page_time_ignores_dates_deep_in_the_article_and_impossible_dates():
    article = "<p>" + "本机关认真贯彻落实条例。" * 400 + "</p><p>会议时间：2023-06-01</p>"
    assert published(page(article)) is None
    assert published(page("<p>发布时间：2024-02-30</p>")) is None
    assert published(
        page("<p>发布时间：2024-02-30</p>", '<meta name="PubDate" content="2024-02-01">')
    ).value == datetime(2024, 2, 1)


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("XX市人民政府2023年政府信息公开工作年度报告", 2023),
        ("2023年度政府信息公开工作年度报告", 2023),
        ("关于公布2024年1月修订的2023年度政府信息公开年报的说明", 2023),
        ("政府信息公开工作年度报告", None),
    ],
)
def test_report_year(title, year):
    assert report_year(title) == year


def test_list_page_trs_pager_dates_and_other_sites():
    html = page(
        '<ul><li><a href="./202401/t1.html" title="某局2023年政府信息公开工作年度报告">某局2023年…</a>'
        "<span>2024-01-26</span></li>"
        '<li><a href="/tzgg/t2.html">关于做好政务公开工作的通知</a><span>2024-03-01</span></li>'
        '<li><a href="http://other.gov.cn/a.html">2022年政府信息公开工作年度报告</a></li>'
        '<li><a href="javascript:void(0)">2021年年报</a></li></ul>'
        '<script>createPageHTML(3, 0, "index", "html");</script>'
    )
    lp = parse_list(html, BASE, SITE)
    assert [(x.url, x.date) for x in lp.reports] == [(f"http://{SITE}/xxgk/ndbg/202401/t1.html", date(2024, 1, 26))]
    assert lp.reports[0].title == "某局2023年政府信息公开工作年度报告"  # the title attribute over the cut text
    assert lp.next_pages == (f"http://{SITE}/xxgk/ndbg/index_1.html", f"http://{SITE}/xxgk/ndbg/index_2.html")
    assert [x.url for x in lp.offsite] == ["http://other.gov.cn/a.html"]


@pytest.mark.parametrize(
    ("pager", "expected"),
    [
        ('<a href="list.jsp?page=2">下一页</a>', "/xxgk/ndbg/list.jsp?page=2"),
        ('<a href="page_2.html">2</a><a href="page_3.html">3</a>', "/xxgk/ndbg/page_2.html"),
        ('<a href="index_1.shtml">下页</a>', "/xxgk/ndbg/index_1.shtml"),
        ('<a href="?pageNo=2">2</a>', "/xxgk/ndbg/index.html?pageNo=2"),
        ('<a href="http://other.gov.cn/list.jsp?page=2">下一页</a>', None),
    ],
)
def test_list_pager_styles(pager, expected):
    lp = parse_list(page(f"<div class='page'>{pager}</div>"), BASE, SITE)
    if expected is None:
        assert lp.next_pages == ()
    else:
        assert f"http://{SITE}{expected}" in lp.next_pages


def test_report_page_attachments():
    html = page(
        "<h1>某局2023年政府信息公开工作年度报告</h1><p>发布时间：2024-01-30</p>"
        '<a href="/u/2024/a.pdf">附件1</a> <a href="/module/download/downfile.jsp?filename=b.docx">附件2</a>'
        '<a href="http://cdn.other.cn/c.xls">附件3</a> <a href="/other/page.html">相关链接</a>'
        '<img src="/images/logo.png">'
    )
    r = parse_report(html, f"http://{SITE}/xxgk/ndbg/t1.html", SITE)
    assert r.year == 2023 and r.published.value == datetime(2024, 1, 30)
    assert [a.url for a in r.attachments] == [
        f"http://{SITE}/u/2024/a.pdf",
        f"http://{SITE}/module/download/downfile.jsp?filename=b.docx",
    ]
    assert [a.url for a in r.offsite] == ["http://cdn.other.cn/c.xls"]


def test_report_posted_as_pictures():
    html = page(
        '<div class="header"><img src="/images/banner.jpg"></div><h1>2023年度报告</h1>'
        '<div class="content"><img src="/u/2024/p1.jpg"><img src="/u/2024/p2.png"></div>'
    )
    r = parse_report(html, f"http://{SITE}/t.html", SITE)
    assert [a.url for a in r.attachments] == [f"http://{SITE}/u/2024/p1.jpg", f"http://{SITE}/u/2024/p2.png"]


def _zip(name: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, "<x/>")
    return buf.getvalue()


def test_file_types_by_their_bytes():
    pdf = (FIXTURES / "samples" / "hongze-2024.pdf").read_bytes()
    assert sniff.detect(pdf, "http://x/a.pdf", "application/octet-stream") == "pdf"
    assert sniff.detect(_zip("word/document.xml"), "http://x/download?id=3", None) == "docx"
    assert sniff.detect(_zip("xl/workbook.xml"), "http://x/a.xlsx", None) == "xlsx"
    assert sniff.detect(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "http://x/a.wps", None) == "wps"
    assert sniff.detect(b"<!DOCTYPE html><html>", "http://x/a.pdf", "application/pdf") == "html"
    assert sniff.problem("attachment", pdf, "http://x/a.pdf", "pdf") is None
    assert "网页" in sniff.problem("attachment", "<html>文件不存在</html>".encode(), "http://x/a.pdf", "html")
    assert "0 字节" in sniff.problem("attachment", b"", "http://x/a.pdf", "bin")
    assert "实际内容为 PDF" in sniff.problem("attachment", pdf, "http://x/a.docx", "pdf")
    assert "损坏" in sniff.problem("attachment", b"PK\x03\x04broken", "http://x/a.docx", "docx")
    assert "无法识别" in sniff.problem("attachment", b"\x00\x01garbage", "http://x/a.pdf", "bin")
    assert sniff.problem("page", b"<html></html>", "http://x/a.html", "html") is None


def test_registry_column_url_and_seeds_file(tmp_path):
    reg = tmp_path / "r.csv"
    reg.write_text(
        "name,province,kind,column_url\n甲局,江西省,department,http://a.gov.cn/ndbg/\n"
        "乙局,江西省,department,\n丙局,江西省,department,ftp://c.gov.cn/\n",
        encoding="utf-8",
    )
    entries = read_registry(reg)
    assert [e.column_url for e in entries] == ["http://a.gov.cn/ndbg/", None, "ftp://c.gov.cn/"]
    s = from_registry(reg)
    assert [(x.column_url, x.agency, x.agency_kind) for x in s.seeds] == [
        ("http://a.gov.cn/ndbg/", "甲局", "department")
    ]
    assert any("丙局" in x for x in s.skipped) and any("1 个机关没有填写" in x for x in s.skipped)
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(
        "# 年报栏目\nhttp://a.gov.cn/ndbg/ 甲局\n\nnot a url\nhttps://b.gov.cn/x/\thttps://b.gov.cn/x/\n"
        "http://a.gov.cn/ndbg/ 甲局\n",
        encoding="utf-8",
    )
    f = from_file(seeds)
    assert [(x.column_url, x.agency) for x in f.seeds] == [
        ("http://a.gov.cn/ndbg/", "甲局"),
        ("https://b.gov.cn/x/", "https://b.gov.cn/x/"),
    ]
    assert f.skipped == ("网址列表第 4 行“not a url”不是有效的网址，已跳过",)


def test_rate_limiter_spaces_requests_per_host():
    waits: list[float] = []
    limiter = RateLimiter(0.5, sleep=waits.append)
    for _ in range(3):
        limiter.wait("a.gov.cn")
    limiter.wait("b.gov.cn")  # another host does not wait for the first one
    assert len(waits) == 2 and waits[0] == pytest.approx(0.5, abs=0.05) and waits[1] == pytest.approx(1.0, abs=0.05)
    limiter.set_host_interval("c.gov.cn", 2.0)  # a robots.txt Crawl-delay longer than our interval wins
    limiter.wait("c.gov.cn")
    limiter.wait("c.gov.cn")
    assert waits[-1] == pytest.approx(2.0, abs=0.05)


def test_retry_after_is_bounded():
    assert _retry_after("3") == 3.0
    assert _retry_after("100000") == 60.0
    assert _retry_after("soon") == 0.0 and _retry_after(None) == 0.0


def test_progress_bar_on_a_terminal(monkeypatch):
    import io

    from etl.collect.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    term = Terminal()
    monkeypatch.setattr("sys.stderr", term)
    with Progress(True) as p:
        p.add(3)
        for _ in range(3):
            p.advance()
    assert "采集网页和附件" in term.getvalue() and "3/3" in term.getvalue() and "个/秒" in term.getvalue()
    quiet = Terminal()
    monkeypatch.setattr("sys.stderr", quiet)
    with Progress(False) as p:
        p.add(1)
        p.advance()
    assert quiet.getvalue() == ""

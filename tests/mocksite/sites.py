"""Three agencies' websites in three styles, one other website, and a large generated site.

A  黑龙江省发展和改革委员会: a TRS-style column (the pager written by createPageHTML in script,
   index.html / index_1.html), reaching the column through a 301; report pages are HTML
   articles (generated demo reports) with their 发布时间; ETag only. robots.txt forbids
   /private/; one list links a report on another site; the 2024 report changes between crawls
   (site version 1); the 2023 report carries a view counter that changes on every request.
B  黑龙江省教育厅: list.jsp?page=2 with 下一页 links and dates in the list; Last-Modified only;
   no robots.txt (404); the second list page answers 500 once; the 2023 report is a Word
   attachment, 2021's attachment is missing (404), 2020's is empty, 2019's is an error page
   served as the PDF; the 2021 page gives its time only in a <meta name="PubDate">.
C  淮安市洪泽区人民政府: index.html, page_2.html, page_3.html with 下一页; both validators; a
   Crawl-delay in robots.txt; the 2024 report is the real sample PDF attached to a page whose
   time is written 2025年01月20日; 2023's link is a redirect loop; 2022's page never answers in
   time; 2021's list links the same PDF bytes directly (stored once); 2019 is the real
   上海 sample HTML.
OTHER: must never be asked for anything."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mocksite.server import MockSite, Resource

HERE = Path(__file__).parent
FILES = HERE / "files"
SAMPLES = HERE.parent / "fixtures" / "samples"
HTML = "text/html; charset=utf-8"

A_NAME, B_NAME, C_NAME = "黑龙江省发展和改革委员会", "黑龙江省教育厅", "淮安市洪泽区人民政府"


def _page(title: str, body: str, head: str = "") -> bytes:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>{head}</head><body>'
        f'<div class="header"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a></div>{body}'
        f'<div class="footer">主办单位：人民政府办公室 版权所有</div></body></html>'
    ).encode()


def _list(items: list[tuple[str, str, str]], pager: str = "") -> bytes:
    lis = "".join(f'<li><a href="{href}" title="{t}">{t}</a><span>{d}</span></li>' for href, t, d in items)
    return _page(
        "政府信息公开年报",
        f'<div class="position">当前位置：首页 &gt; 政府信息公开年报</div>'
        f'<ul class="list">{lis}</ul><div class="page">{pager}</div>',
    )


def _report(title: str, when: str, attachment: str, name: str, head: str = "") -> bytes:
    info = f'<div class="info">{when}</div>' if when else ""
    return _page(
        title,
        f'<div class="main"><h1>{title}</h1>{info}<div class="article"><p>现将本机关{title}'
        f'予以公布，全文见附件。</p><p>附件：<a href="{attachment}">{name}</a></p></div></div>',
        head,
    )


def _file(name: str) -> bytes:
    return (FILES / name).read_bytes()


@dataclass
class Sites:
    a: MockSite
    b: MockSite
    c: MockSite
    other: MockSite

    @property
    def all(self) -> tuple[MockSite, ...]:
        return (self.a, self.b, self.c, self.other)

    def column(self, site: MockSite) -> str:
        return {
            "a": self.a.base + "/xxgk/ndbg/",
            "b": self.b.base + "/col/ndbg/list.jsp",
            "c": self.c.base + "/zwgk/ndbg/index.html",
        }[site.name]

    def registry_csv(self, path: Path) -> Path:
        rows = [
            "name,province,city,county,kind,column_url",
            f"{A_NAME},黑龙江省,,,department,{self.column(self.a)}",
            f"{B_NAME},黑龙江省,,,department,{self.column(self.b)}",
            f"{C_NAME},江苏省,淮安市,洪泽区,government,{self.column(self.c)}",
            "黑龙江省财政厅,黑龙江省,,,department,",
        ]
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        return path

    def stop(self) -> None:
        for s in self.all:
            s.stop()

    def clear_logs(self) -> None:
        for s in self.all:
            s.clear_log()


def start_sites() -> Sites:
    s = Sites(MockSite("a").start(), MockSite("b").start(), MockSite("c").start(), MockSite("other").start())
    _site_a(s.a, s.other)
    _site_b(s.b)
    _site_c(s.c)
    s.other.resources["/xxgk/2020ndbg.html"] = Resource(_report("2020年政府信息公开工作年度报告", "", "/x.pdf", "x"))
    return s


def _site_a(a: MockSite, other: MockSite) -> None:
    r = a.resources
    r["/robots.txt"] = Resource(b"User-agent: *\nDisallow: /private/\n", "text/plain", last_modified=False)
    r["/xxgk/ndbg/"] = Resource(status=301, location="/xxgk/ndbg/index.html")
    pager = '<script>createPageHTML(2, 0, "index", "html");</script>'
    r["/xxgk/ndbg/index.html"] = Resource(
        _list(
            [
                ("./202503/t20250302_3.html", f"{A_NAME}2024年政府信息公开工作年度报告", "2025-03-02"),
                ("./202401/t20240126_2.html", f"{A_NAME}2023年政府信息公开工作年度报告", "2024-01-26"),
                ("/xxgk/tzgg/t20240301_9.html", "关于做好2024年政务公开工作的通知", "2024-03-01"),
                ("index.html", "首页", ""),
            ],
            pager,
        ),
        last_modified=False,
    )
    r["/xxgk/ndbg/index_1.html"] = Resource(
        _list(
            [
                ("./202301/t20230130_1.html", f"{A_NAME}2022年政府信息公开工作年度报告", "2023-01-30"),
                ("/private/t20220120_0.html", f"{A_NAME}2021年政府信息公开工作年度报告", "2022-01-20"),
                (f"{other.base}/xxgk/2020ndbg.html", f"{A_NAME}2020年政府信息公开工作年度报告", "2021-01-20"),
            ],
            pager,
        ),
        last_modified=False,
    )
    v1 = _file("00001-2024.html")
    v2 = v1.replace("发布时间：2025-03-02".encode(), "发布时间：2025-03-05".encode()).replace(
        b"</h1>", "</h1><p>（本报告于发布后作了修改）</p>".encode(), 1
    )
    assert v2 != v1
    r["/xxgk/ndbg/202503/t20250302_3.html"] = Resource([v1, v2], last_modified=False)
    counted = _file("00001-2023.html").replace("浏览次数：532".encode(), "浏览次数：{COUNTER}".encode())
    r["/xxgk/ndbg/202401/t20240126_2.html"] = Resource(counted, last_modified=False, counter=True)
    r["/xxgk/ndbg/202301/t20230130_1.html"] = Resource(_file("00001-2022.htm"), last_modified=False)
    r["/private/t20220120_0.html"] = Resource(_report("2021年度报告", "", "/x.pdf", "x"), last_modified=False)
    r["/xxgk/tzgg/t20240301_9.html"] = Resource(_page("通知", "<p>通知</p>"), last_modified=False)


def _site_b(b: MockSite) -> None:
    r = b.resources
    page1 = _list(
        [
            ("/col/ndbg/art/2025/1/31/art_1.html", "2024年政府信息公开工作年度报告", "2025-01-31"),
            ("/col/ndbg/art/2024/1/28/art_2.html", "2023年政府信息公开工作年度报告", "2024-01-28"),
        ],
        '<a href="list.jsp?page=2">下一页</a> <a href="list.jsp?page=2">尾页</a>',
    )
    page2 = _list(
        [
            ("/col/ndbg/art/2023/1/31/art_3.html", "2022年政府信息公开工作年度报告", "2023-01-31"),
            ("/col/ndbg/art/2022/1/25/art_4.html", "2021年政府信息公开工作年度报告", "2022-01-25"),
            ("/col/ndbg/art/2021/1/20/art_5.html", "2020年政府信息公开工作年度报告", "2021-01-20"),
            ("/col/ndbg/art/2020/1/15/art_6.html", "2019年政府信息公开工作年度报告", "2020-01-15"),
        ],
        '<a href="list.jsp">首页</a> <a href="list.jsp">上一页</a>',
    )
    r["/col/ndbg/list.jsp"] = Resource(page1, etag=False)
    r["/col/ndbg/list.jsp?page=2"] = Resource(page2, etag=False, fail_first=1)
    r["/col/ndbg/art/2025/1/31/art_1.html"] = Resource(_file("00002-2024.html"), etag=False)
    r["/col/ndbg/art/2024/1/28/art_2.html"] = Resource(
        _report(
            f"{B_NAME}2023年政府信息公开工作年度报告",
            "时间：2024年01月28日",
            "/uploadfiles/2024/01/2023ndbg.docx",
            "2023年政府信息公开工作年度报告.docx",
        ),
        etag=False,
    )
    r["/uploadfiles/2024/01/2023ndbg.docx"] = Resource(
        _file("00002-2023.docx"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        etag=False,
    )
    r["/col/ndbg/art/2023/1/31/art_3.html"] = Resource(_file("00002-2022.html"), etag=False)
    r["/col/ndbg/art/2022/1/25/art_4.html"] = Resource(
        _report(
            f"{B_NAME}2021年政府信息公开工作年度报告",
            "",
            "/uploadfiles/2022/missing.pdf",
            "2021年度报告.pdf",
            head='<meta name="PubDate" content="2022-01-25 09:30">',
        ),
        etag=False,
    )
    r["/col/ndbg/art/2021/1/20/art_5.html"] = Resource(
        _report(
            f"{B_NAME}2020年政府信息公开工作年度报告",
            "发布日期：2021-01-20",
            "/uploadfiles/2021/empty.pdf",
            "2020年度报告.pdf",
        ),
        etag=False,
    )
    r["/uploadfiles/2021/empty.pdf"] = Resource(b"", "application/pdf", etag=False)
    r["/col/ndbg/art/2020/1/15/art_6.html"] = Resource(
        _report(
            f"{B_NAME}2019年政府信息公开工作年度报告",
            "发布日期：2020-01-15",
            "/uploadfiles/2020/gone.pdf",
            "2019年度报告.pdf",
        ),
        etag=False,
    )
    r["/uploadfiles/2020/gone.pdf"] = Resource(
        _page("错误", "<p>对不起，您访问的文件不存在或已被删除。</p>"), HTML, etag=False
    )


def _site_c(c: MockSite) -> None:
    r = c.resources
    r["/robots.txt"] = Resource(b"User-agent: *\nCrawl-delay: 0.1\nDisallow: /admin/\n", "text/plain")
    r["/zwgk/ndbg/index.html"] = Resource(
        _list(
            [
                ("202501/t20250120_1.html", f"{C_NAME}2024年度政府信息公开工作年度报告", "2025-01-20"),
            ],
            '<a href="page_2.html">下一页</a>',
        )
    )
    r["/zwgk/ndbg/page_2.html"] = Resource(
        _list(
            [
                ("loop.html", f"{C_NAME}2023年度政府信息公开工作年度报告", "2024-01-30"),
                ("slow.html", f"{C_NAME}2022年度政府信息公开工作年度报告", "2023-01-30"),
            ],
            '<a href="index.html">上一页</a> <a href="page_3.html">下一页</a>',
        )
    )
    r["/zwgk/ndbg/page_3.html"] = Resource(
        _list(
            [
                ("/uploadfiles/2021ndbg.pdf", f"{C_NAME}2021年度政府信息公开工作年度报告", "2022-01-28"),
                ("t20200131_1.html", "上海市人民政府办公厅2019年政府信息公开工作年度报告", "2020-01-31"),
            ],
            '<a href="page_2.html">上一页</a>',
        )
    )
    r["/zwgk/ndbg/202501/t20250120_1.html"] = Resource(
        _report(
            f"{C_NAME}2024年度政府信息公开工作年度报告",
            "发布时间：2025年01月20日 10:00",
            "/uploadfiles/hongze-2024.pdf",
            "洪泽区2024年政府信息公开工作年度报告.pdf",
            head='<meta name="publishdate" content="2025-01-20">',
        )
    )
    pdf = (SAMPLES / "hongze-2024.pdf").read_bytes()
    r["/uploadfiles/hongze-2024.pdf"] = Resource(pdf, "application/pdf")
    r["/uploadfiles/2021ndbg.pdf"] = Resource(pdf, "application/octet-stream")
    r["/zwgk/ndbg/loop.html"] = Resource(status=302, location="/zwgk/ndbg/loop2.html")
    r["/zwgk/ndbg/loop2.html"] = Resource(status=302, location="/zwgk/ndbg/loop.html")
    r["/zwgk/ndbg/slow.html"] = Resource(_report("2022年度报告", "", "/x.pdf", "x"), delay=2.0)
    shanghai = (SAMPLES / "shanghai-2019.html").read_text(encoding="utf-8")
    r["/zwgk/ndbg/t20200131_1.html"] = Resource(
        _page("上海市人民政府办公厅2019年政府信息公开工作年度报告", f'<div class="content">{shanghai}</div>')
    )


def big_site(n_reports: int, per_page: int = 20) -> MockSite:
    """A column with n report pages (page_N.html pager), each with a small PDF attachment: for
    the kill-and-resume test and the speed measurement."""
    site = MockSite("big").start()
    r = site.resources
    r["/robots.txt"] = Resource(b"User-agent: *\nAllow: /\n", "text/plain")
    pages = max(1, -(-n_reports // per_page))
    for p in range(pages):
        items = []
        for i in range(p * per_page, min(n_reports, (p + 1) * per_page)):
            year = 2000 + i % 25
            href = f"/ndbg/t{i:05d}.html"
            items.append((href, f"第{i}号机关{year}年政府信息公开工作年度报告", f"{year + 1}-01-20"))
            r[href] = Resource(
                _report(
                    f"第{i}号机关{year}年政府信息公开工作年度报告",
                    f"发布时间：{year + 1}-01-20 09:00",
                    f"/files/{i:05d}.pdf",
                    "附件",
                )
            )
            r[f"/files/{i:05d}.pdf"] = Resource(
                b"%PDF-1.4\n% report " + str(i).encode() + b"\n" + b"0" * 2000, "application/pdf"
            )
        name = "index.html" if p == 0 else f"page_{p + 1}.html"
        pager = f'<a href="page_{p + 2}.html">下一页</a>' if p + 1 < pages else ""
        r[f"/ndbg/{name}"] = Resource(_list(items, pager))
    return site

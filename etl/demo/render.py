"""Printing a report in the layouts real sites publish: three HTML site templates (with their
navigation and footer chrome), text with one cell per line (the sample report) and pipe rows.
Tables are built once as rows of (text, colspan, rowspan) cells and printed by each layout."""

from __future__ import annotations

import html as htmlmod
import random
from dataclasses import dataclass

from etl.demo.labels import Chooser, canonical, chooser
from etl.registry.fields import T3_COLUMN_KEYS, T4_GROUPS, T4_SUFFIX_LABELS

Cell = tuple[str, int, int]  # text, colspan, rowspan
Rows = list[list[Cell]]


def c(text: object, colspan: int = 1, rowspan: int = 1) -> Cell:
    return (str(text), colspan, rowspan)


@dataclass(frozen=True)
class Printed:
    """What the document prints: numbers, or None for a cell left blank or "/"."""

    agency: str
    year: int
    fmt: str  # "2021" or "2019"
    t2: dict[str, object]
    t3: dict[str, dict[str, object]]
    t4: dict[str, object]
    sections: dict[str, str]
    publish_date: str  # YYYY-MM-DD
    address: str
    blank: str  # how a blank cell is printed: "" or "/"


def fmt_num(v: object, blank: str) -> str:
    if v is None:
        return blank
    if isinstance(v, float):
        return f"{v:,.2f}" if v >= 1000 else f"{v:.2f}"
    return str(v)


def t2_rows(p: Printed, lab: Chooser = canonical) -> Rows:
    n = lambda k: fmt_num(p.t2.get(k), p.blank)  # noqa: E731
    if p.fmt == "2019":
        return [
            [c("第二十条第（一）项", 4)],
            [c("信息内容"), c("本年新制作数量"), c("本年新公开数量"), c("对外公开总数量")],
            [c("规章"), c(n("regulations_issued")), c(n("regulations_issued")), c(n("regulations_valid"))],
            [c("规范性文件"), c(n("normative_issued")), c(n("normative_issued")), c(n("normative_valid"))],
            [c("第二十条第（五）项", 4)],
            [c("信息内容"), c("上一年项目数量"), c("本年增/减"), c("处理决定数量")],
            [c("行政许可"), c(12), c(0), c(n("licensing_decisions"))],
            [c("其他对外管理服务事项"), c(3), c(0), c(0)],
            [c("第二十条第（六）项", 4)],
            [c("信息内容"), c("上一年项目数量"), c("本年增/减"), c("处理决定数量")],
            [c("行政处罚"), c(20), c("增1"), c(n("punishment_decisions"))],
            [c("行政强制"), c(4), c(0), c(n("coercion_decisions"))],
            [c("第二十条第（八）项", 4)],
            [c("信息内容"), c("上一年项目数量"), c("本年增/减", 2)],
            [c("行政事业性收费"), c(2), c(0, 2)],
            [c("第二十条第（九）项", 4)],
            [c("信息内容"), c("采购项目数量"), c("采购总金额", 2)],
            [c("政府集中采购"), c(5), c("86.5万元", 2)],
        ]
    col = lambda k, w: c(lab("t2_column", k, w))  # noqa: E731
    row = lambda k, w: c(lab("t2_row", k, w))  # noqa: E731
    return [
        [c("第二十条第（一）项", 4)],
        [c("信息内容"), col("issued", "本年制发件数"), col("repealed", "本年废止件数"), col("valid", "现行有效件数")],
        [
            row("regulations", "规章"),
            c(n("regulations_issued")),
            c(n("regulations_repealed")),
            c(n("regulations_valid")),
        ],
        [
            row("normative", "行政规范性文件"),
            c(n("normative_issued")),
            c(n("normative_repealed")),
            c(n("normative_valid")),
        ],
        [c("第二十条第（五）项", 4)],
        [c("信息内容"), c(lab("t2_column", "decisions", "本年处理决定数量"), 3)],
        [row("licensing", "行政许可"), c(n("licensing_decisions"), 3)],
        [c("第二十条第（六）项", 4)],
        [c("信息内容"), c(lab("t2_column", "decisions", "本年处理决定数量"), 3)],
        [row("punishment", "行政处罚"), c(n("punishment_decisions"), 3)],
        [row("coercion", "行政强制"), c(n("coercion_decisions"), 3)],
        [c("第二十条第（八）项", 4)],
        [c("信息内容"), c(lab("t2_column", "amount", "本年收费金额（单位：万元）"), 3)],
        [row("fees", "行政事业性收费"), c(n("fees_wan"), 3)],
    ]


_T3_OUTCOMES = [
    ("granted", "（一）予以公开", None, 0),
    ("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None, 0),
    ("denied_state_secret", "（三）不予公开", "1.属于国家秘密", 8),
    ("denied_law_prohibited", None, "2.其他法律行政法规禁止公开", 0),
    ("denied_three_safety", None, "3.危及“三安全一稳定”", 0),
    ("denied_third_party", None, "4.保护第三方合法权益", 0),
    ("denied_internal_affairs", None, "5.属于三类内部事务信息", 0),
    ("denied_process_info", None, "6.属于四类过程性信息", 0),
    ("denied_enforcement_file", None, "7.属于行政执法案卷", 0),
    ("denied_query_matter", None, "8.属于行政查询事项", 0),
    ("unable_not_held", "（四）无法提供", "1.本机关不掌握相关政府信息", 3),
    ("unable_needs_creation", None, "2.没有现成信息需要另行制作", 0),
    ("unable_unclear", None, "3.补正后申请内容仍不明确", 0),
    ("rejected_complaint", "（五）不予处理", "1.信访举报投诉类申请", 5),
    ("rejected_duplicate", None, "2.重复申请", 0),
    ("rejected_publication", None, "3.要求提供公开出版物", 0),
    ("rejected_excessive", None, "4.无正当理由大量反复申请", 0),
    ("rejected_confirmation", None, "5.要求行政机关确认或重新出具已获取信息", 0),
    (
        "other_no_correction",
        "（六）其他处理",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        3,
    ),
    ("other_no_fee", None, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", 0),
    ("other_other", None, "3.其他", 0),
    ("total_processed", "（七）总计", None, 0),
]


def t3_rows(p: Printed, lab: Chooser = canonical) -> Rows:
    vals = lambda row: [c(fmt_num(p.t3[row][k], p.blank)) for k in T3_COLUMN_KEYS]  # noqa: E731
    head = lambda k, w: lab("t3_column", k, w)  # noqa: E731
    rows: Rows = [
        [c("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), c("申请人情况", 7)],
        [c(head("natural_person", "自然人"), 1, 2), c("法人或其他组织", 5), c(head("total", "总计"), 1, 2)],
        [
            c(head("commercial", "商业企业")),
            c(head("research", "科研机构")),
            c(head("social_welfare", "社会公益组织")),
            c(head("legal_service", "法律服务机构")),
            c(head("other_org", "其他")),
        ],
        [c(lab("t3_row", "new_received", "一、本年新收政府信息公开申请数量"), 3)] + vals("new_received"),
        [c(lab("t3_row", "carried_over", "二、上年结转政府信息公开申请数量"), 3)] + vals("carried_over"),
    ]
    outcomes = list(_T3_OUTCOMES)
    if p.fmt == "2019":
        outcomes = [o for o in outcomes if o[0] not in ("other_no_correction", "other_no_fee", "other_other")]
        outcomes.insert(-1, ("other_other", "（六）其他处理", None, 0))
    for i, (key, group, item, span) in enumerate(outcomes):
        row: list[Cell] = []
        if i == 0:
            row.append(c("三、本年度办理结果", 1, len(outcomes)))
        if item is None:
            row.append(c(lab("t3_row", key, group) if key != "other_other" else group, 2))
        else:
            if group is not None:
                row.append(c(group, 1, span))
            row.append(c(lab("t3_row", key, item)))
        rows.append(row + vals(key))
    rows.append([c(lab("t3_row", "carried_forward", "四、结转下年度继续办理"), 3)] + vals("carried_forward"))
    return rows


def t4_rows(p: Printed, lab: Chooser = canonical) -> Rows:
    words = [lab("t4_suffix", s.key, s.zh) for s in T4_SUFFIX_LABELS]
    sub = [c(w) for w in words]
    direct, after = lab("t4_group", "lit_direct", "未经复议直接起诉"), lab("t4_group", "lit_after_review", "复议后起诉")
    return [
        [c(lab("t4_group", "review", "行政复议"), 5), c("行政诉讼", 10)],
        [c(w, 1, 2) for w in words] + [c(direct, 5), c(after, 5)],
        sub + sub,
        [c(fmt_num(p.t4[f"{g}_{s}"], p.blank)) for g in T4_GROUPS for s in (x.key for x in T4_SUFFIX_LABELS)],
    ]


def expand(rows: Rows) -> list[list[str | None]]:
    """Positions of each printed row, None where a cell spanning from above stands."""
    covered: dict[tuple[int, int], bool] = {}
    out = []
    for r, row in enumerate(rows):
        line: list[str | None] = []
        col = 0
        for text, cs, rs in row:
            while covered.pop((r, col), False):
                line.append(None)
                col += 1
            line.append(text)
            for dr in range(1, rs):
                for dc in range(cs):
                    covered[(r + dr, col + dc)] = True
            col += cs
        while covered.pop((r, col), False):
            line.append(None)
            col += 1
        out.append(line)
    return out


def positions(rows: Rows) -> tuple[list[tuple[Cell, tuple[int, int]]], int]:
    """Each printed cell with the (row, column) where it starts in the full grid."""
    taken: set[tuple[int, int]] = set()
    out = []
    width = 0
    for r, row in enumerate(rows):
        col = 0
        for cell in row:
            while (r, col) in taken:
                col += 1
            out.append((cell, (r, col)))
            for dr in range(cell[2]):
                for dc in range(cell[1]):
                    taken.add((r + dr, col + dc))
            col += cell[1]
            width = max(width, col)
    return out, width


# ---- layouts ----------------------------------------------------------------------------


def _preamble(p: Printed) -> list[str]:
    notice = "国办公开办函〔2021〕30号" if p.fmt == "2021" else "国办公开办函〔2019〕60号"
    return [
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开办公室"
        f"关于政府信息公开工作年度报告有关事项的通知》（{notice}）要求编制。本报告中所列数据的统计期限自{p.year}年1月1日起"
        f"至{p.year}年12月31日止。如对本报告有疑问，请与{p.agency}联系（地址：{p.address}人民路{p.year % 97 + 1}号）。",
    ]


def _signature(p: Printed) -> list[str]:
    y, m, d = (int(x) for x in p.publish_date.split("-"))
    return [p.agency, f"{y}年{m}月{d}日"]


def issuer(p: Printed) -> str:
    """The publisher as the page's metadata names it: the agency with its place in front
    ("江西省南昌市" + "西湖区人民政府办公室"), as sites print it beside 发布机构 or in the breadcrumb."""
    for k in range(len(p.address), 0, -1):
        if p.agency.startswith(p.address[-k:]):
            return p.address[:-k] + p.agency
    return p.address + p.agency


def _blocks(p: Printed):
    """The document in order: ('p', text) paragraphs and ('t', rows) tables."""
    yield "title", f"{p.agency}{p.year}年政府信息公开工作年度报告"
    for para in _preamble(p):
        yield "p", para
    yield "p", "一、总体情况"
    for para in p.sections["1"].split("\n"):
        yield "p", para
    lab = chooser(p.agency, p.year, p.fmt)
    yield "p", "二、主动公开政府信息情况"
    yield "t", t2_rows(p, lab if p.fmt == "2021" else canonical)
    yield "p", "三、收到和处理政府信息公开申请情况"
    yield "t", t3_rows(p, lab)
    yield "p", "四、政府信息公开行政复议、行政诉讼情况"
    yield "t", t4_rows(p, lab)
    yield "p", "五、存在的主要问题及改进情况"
    yield "p", p.sections["5"]
    yield "p", "六、其他需要报告的事项"
    yield "p", p.sections["6"]
    for line in _signature(p):
        yield "p", line


def _dump_header(p: Printed) -> list[str]:
    """Text saved from a page keeps the page's metadata above the report."""
    return [f"发布机构：{issuer(p)}", f"发布日期：{p.publish_date}", ""]


def text_tabs(p: Printed, rng: random.Random) -> str:
    """The sample report's layout: one cell per line, tab-indented, a blank line after each row."""
    out: list[str] = _dump_header(p)
    for kind, body in _blocks(p):
        if kind != "t":
            out.append(body)
            continue
        for line in expand(body):
            for cell in line:
                out.append("\t" + (cell or "").replace("商业企业", "商业\n企业").replace("科研机构", "科研\n机构"))
            out.append("")
        out.append("")
    return "\n".join(out) + "\n"


def text_pipe(p: Printed, rng: random.Random) -> str:
    out: list[str] = _dump_header(p)
    for kind, body in _blocks(p):
        if kind != "t":
            out.append(body)
            continue
        for row in body:
            out.append("| " + " | ".join(text for text, _, _ in row) + " |")
    return "\n".join(out) + "\n"


def _table_html(rows: Rows, attrs: str, blank_html: str) -> str:
    parts = [f"<table {attrs}><tbody>"]
    for row in rows:
        parts.append("<tr>")
        for text, cs, rs in row:
            span = (f' colspan="{cs}"' if cs > 1 else "") + (f' rowspan="{rs}"' if rs > 1 else "")
            inner = htmlmod.escape(text) if text else blank_html
            parts.append(f"<td{span}><p>{inner}</p></td>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def _article(p: Printed, table_attrs: str, blank_html: str, heading_tag: str) -> str:
    parts = []
    for kind, body in _blocks(p):
        if kind == "title":
            parts.append(f"<{heading_tag}>{htmlmod.escape(body)}</{heading_tag}>")
        elif kind == "p":
            parts.append(f"<p>{htmlmod.escape(body)}</p>")
        else:
            parts.append(_table_html(body, table_attrs, blank_html))
    return "".join(parts)


def _page(title: str, head: str, article: str, foot: str) -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{htmlmod.escape(title)}</title>'
        f"<script>var _hmt = _hmt || []; /* <table><tr><td>0</td></tr></table> */</script>"
        f"<style>td {{ border: 1px solid #999 }}</style></head><body>{head}{article}{foot}</body></html>"
    )


def html_portal(p: Printed, rng: random.Random) -> str:
    nav = (
        '<div class="header"><div class="nav"><a href="/">首页</a> | <a>政务公开</a> | <a>政务服务</a> | '
        "<a>互动交流</a> | <a>走进本地</a></div></div>"
    )
    side = (
        '<div class="sidebar"><ul><li>政府信息公开指南</li><li>政府信息公开制度</li><li>法定主动公开内容</li>'
        f"<li>政府信息公开年报</li><li>{p.year - 1}年年报 浏览 {rng.randint(100, 9000)} 次</li></ul></div>"
    )
    meta = (
        f'<div class="info">发布时间：{p.publish_date} 来源：{htmlmod.escape(issuer(p))} '
        f"浏览次数：{rng.randint(10, 3000)}</div>"
    )
    article = (
        f'<div class="main">{meta}<div class="article">{_article(p, "border=1 cellspacing=0", "", "h1")}</div></div>'
    )
    foot = (
        '<div class="footer">主办单位：人民政府办公室 版权所有 网站标识码 3600000001 备案号 ICP备12345678号 '
        "联系电话 0791-88888888</div>"
    )
    return _page(f"{p.agency}{p.year}年政府信息公开工作年度报告", nav + side, article, foot)


def html_plain(p: Printed, rng: random.Random) -> str:
    crumbs = (
        f'<div class="position">当前位置：首页 &gt; {htmlmod.escape(issuer(p))} &gt; 政府信息公开 &gt; '
        "政府信息公开年报</div>"
    )
    article = f'<div class="content">{_article(p, "border=0", "&nbsp;", "h2")}</div>'
    foot = '<div class="bottom">关于我们 | 网站地图 | 联系我们</div>'
    return _page(f"{p.year}年政府信息公开工作年度报告", crumbs, article, foot)


def html_trs(p: Printed, rng: random.Random) -> str:
    info = (
        f'<table class="xxgk_table"><tr><td>索引号：</td>'
        f"<td>{rng.randint(10**8, 10**9)}/{p.year + 1}-00{rng.randint(1, 99)}"
        f"</td><td>发布机构：</td><td>{htmlmod.escape(issuer(p))}</td></tr><tr><td>发布日期：</td><td>{p.publish_date}</td>"
        f"<td>文号：</td><td>无</td></tr></table>"
    )
    article = f'<div class="TRS_Editor">{_article(p, "border=1 width=100%", "", "p")}</div>'
    foot = '<div class="footer">本网站由人民政府办公室主办 技术支持：信息中心</div>'
    return _page(f"{p.agency}{p.year}年政府信息公开工作年度报告", info, article, foot)


def docx_bytes(p: Printed, rng: random.Random) -> bytes:
    """The report as a Word document: paragraphs and tables with merged cells, as agencies'
    attachments are (python-docx)."""
    import io

    import docx

    d = docx.Document()
    d.add_paragraph(f"发布机构：{issuer(p)}")  # the file as a site offers it, its publisher above
    for kind, body in _blocks(p):
        if kind == "title":
            d.add_heading(body, level=1)
        elif kind == "p":
            d.add_paragraph(body)
        else:
            placed, ncols = positions(body)
            table = d.add_table(rows=len(body), cols=ncols)
            table.style = "Table Grid"
            grid = [row.cells for row in table.rows]  # once: table.cell() rebuilds the grid on every call
            for (text, _, _), (r, col) in placed:
                grid[r][col].text = text
            for (_, cs, rs), (r, col) in placed:  # merges are disjoint: each keeps its top-left text
                if cs > 1 or rs > 1:
                    grid[r][col].merge(grid[r + rs - 1][col + cs - 1])
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


class PdfPrinter:
    """HTML to PDF through headless Chromium (Debian's package, driven by Playwright): a PDF
    with a text layer as a browser or WPS exports it. None when Chromium is not installed."""

    def __init__(self) -> None:
        import shutil

        self.exe = shutil.which("chromium") or shutil.which("chromium-browser")
        self._pw = self._browser = self._page = None
        self._queue: list = []
        self._first_line = ""

    def __enter__(self):
        if self.exe:
            try:
                from playwright.sync_api import sync_playwright

                self._pw = sync_playwright().start()
                self._browser = self._pw.chromium.launch(
                    executable_path=self.exe,
                    args=[
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-background-networking",
                        "--no-first-run",
                    ],
                )
                self._page = self._browser.new_page()
            except Exception:  # no Playwright or a broken browser: the corpus goes on without PDFs
                self.close()
        return self

    @property
    def available(self) -> bool:
        return self._page is not None

    def pdf(self, html: str) -> bytes:
        self._page.set_content(html, wait_until="load")
        return self._page.pdf(format="A4", margin={"top": "15mm", "bottom": "15mm", "left": "15mm", "right": "15mm"})

    def pdfs(self, htmls: list[str], first_line: str) -> list[bytes]:
        """Many reports through one print (a print costs about 0.3 s, a page 8 ms): the pages
        are printed as one document, each report from a new page, and cut apart again where a
        page begins with `first_line`, the line every report starts with. Falls back to one
        print per report if the cut does not give one piece per report."""
        import io

        import pypdfium2 as pdfium

        head = htmls[0][: htmls[0].index("<body")]
        bodies = [h[h.index(">", h.index("<body")) + 1 : h.rindex("</body>")] for h in htmls]
        whole = (
            head + "<body>" + "".join(f'<div style="break-before: page">{b}</div>' for b in bodies) + "</body></html>"
        )
        doc = pdfium.PdfDocument(self.pdf(whole))
        starts = [i for i in range(len(doc)) if doc[i].get_textpage().get_text_range().lstrip().startswith(first_line)]
        if len(starts) != len(htmls) or (starts and starts[0] != 0):
            return [self.pdf(h) for h in htmls]
        out = []
        for a, b in zip(starts, [*starts[1:], len(doc)]):
            part = pdfium.PdfDocument.new()
            part.import_pages(doc, list(range(a, b)))
            buf = io.BytesIO()
            part.save(buf)
            out.append(buf.getvalue())
        return out

    def queue(self, path, html: str, first_line: str) -> None:
        """Print later, in a batch (written by flush)."""
        self._queue.append((path, html))
        self._first_line = first_line
        if len(self._queue) >= 40:
            self.flush()

    def flush(self) -> None:
        if self._queue:
            for (path, _), data in zip(self._queue, self.pdfs([h for _, h in self._queue], self._first_line)):
                path.write_bytes(data)
            self._queue = []

    def close(self) -> None:
        if self._page is not None:
            self.flush()
        if self._browser:
            self._browser.close()
        if self._pw:
            self._pw.stop()
        self._pw = self._browser = self._page = None

    def __exit__(self, *exc) -> None:
        self.close()


def scan_pdf(data: bytes, scale: float = 2.0) -> bytes:
    """A printed PDF as a scanner would give it back: every page a grey picture (144 dpi), no
    text layer. The reader must then use OCR."""
    import io

    import pypdfium2 as pdfium

    src, out = pdfium.PdfDocument(data), pdfium.PdfDocument.new()
    for i in range(len(src)):
        w, h = src[i].get_size()
        page = out.new_page(w, h)
        image = pdfium.PdfImage.new(out)
        image.set_bitmap(src[i].render(scale=scale, grayscale=True))
        image.set_matrix(pdfium.PdfMatrix().scale(w, h))
        page.insert_obj(image)
        page.gen_content()
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


LAYOUTS = {
    "html_portal": (html_portal, ".html"),
    "html_plain": (html_plain, ".shtml"),
    "html_trs": (html_trs, ".htm"),
    "text_tabs": (text_tabs, ".txt"),
    "text_pipe": (text_pipe, ".txt"),
    "docx": (docx_bytes, ".docx"),
    "pdf": (html_plain, ".pdf"),  # printed to PDF by PdfPrinter
}

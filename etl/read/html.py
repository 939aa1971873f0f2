"""HTML pages: the article body without the site's navigation and footer; tables read into
a grid with rowspan/colspan expanded; page metadata such as 发布时间 kept aside."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from etl.model import Cell, Document, Table
from etl.read.text import lines_of
from etl.read.textnorm import decode

_BLOCK = frozenset(
    "p div br h1 h2 h3 h4 h5 h6 li tr section article header footer ul ol dl dt dd pre blockquote".split()
)
_DROP = "script, style, noscript, iframe, nav, form, select, button, object, embed, svg, template"
_CHROME = re.compile(
    r"nav|menu|footer|header|breadcrumb|crumb|sidebar|banner|share|copyright|topbar|toolbar|position|location",
    re.I,
)
_META = re.compile(
    r"(发布时间|发布日期|发文日期|成文日期|公开日期|时间|日期)\s*[:：]\s*(20\d\d[-年/.]\d{1,2}[-月/.]\d{1,2})"
)
_MAX_SPAN = 200


_NAME_META = re.compile(
    r"(发布机构|发文机关|发布单位|信息来源|来源|所属机构|公开主体)\s*[:：]\s*([\u4e00-\u9fa5（）()]{2,40})"
)
_CRUMB = re.compile(r"(?:当前位置|您的位置|所在位置|您现在的位置)\s*[:：]?\s*([^\n]{0,120})")


def _names_of(tree: LexborHTMLParser) -> tuple[tuple[str, str], ...]:
    """Where the page names its publisher: metadata (发布机构, 来源 …) and the breadcrumb. They
    sit in the site's chrome, outside the article, so they are read from the whole page."""
    if tree.body is None:
        return ()
    flat = tree.body.text(separator=" ")[:4000]
    out = [(k, v) for k, v in _NAME_META.findall(flat)]
    for m in _CRUMB.finditer(flat):
        crumb = " ".join(m.group(1).split())
        if len(re.findall(r"[>»＞›]", crumb)) >= 2:
            out.append(("位置", crumb))
    return tuple(out)


def _article(tree: LexborHTMLParser) -> LexborNode:
    """The smallest element holding the report's text: it holds the tables and most of the
    page's Chinese text. Site chrome (navigation, footer) lies outside it."""
    body = tree.body or tree.root
    total = _cjk(body.text(separator=""))
    best, best_len = body, total
    if total == 0:
        return body
    floor = 0.6 * total
    stack = [body]  # parents before children, as in document order: an equal child never wins
    while stack:
        for node in stack.pop().iter():
            n = _cjk(node.text(separator=""))
            if n < floor:
                continue  # nothing inside it can hold 60 % of the text either: skip the subtree
            if node.tag in _CANDIDATES and n < best_len:
                attrs = " ".join(str(v) for v in (node.attributes or {}).values() if v)
                if not _CHROME.search(attrs):
                    best, best_len = node, n
            stack.append(node)
    return best


_CANDIDATES = frozenset(("div", "article", "section", "td", "main"))


_CJK = re.compile(r"[\u4e00-\u9fff]")


def _cjk(s: str) -> int:
    return len(_CJK.findall(s))


def _cell_text(node: LexborNode) -> str:
    return " ".join(node.text(separator="").split())


def _grid(table: LexborNode, index: int, anchor: int) -> Table:
    rows: list[list] = []
    pending: dict[tuple[int, int], tuple[Cell, int]] = {}
    cid = 0
    trs = [tr for tr in table.css("tr") if (o := _owner(tr)) is not None and o.mem_id == table.mem_id]
    for r, tr in enumerate(trs):
        row: list = []
        c = 0
        cells = [n for n in tr.iter() if n.tag in ("td", "th")]
        for node in cells:
            while (r, c) in pending:
                row.append(pending.pop((r, c)))
                c += 1
            text = _cell_text(node)
            attrs = node.attributes  # a dict built per call: read once per cell
            cs = _span(attrs, "colspan") if attrs else 1
            rs = _span(attrs, "rowspan") if attrs else 1
            cell = Cell(text, f"T{index}R{r + 1}C{c + 1}")
            for dc in range(cs):
                row.append((cell, cid))
                for dr in range(1, rs):
                    pending[(r + dr, c + dc)] = (cell, cid)
            c += cs
            cid += 1
        while (r, c) in pending:
            row.append(pending.pop((r, c)))
            c += 1
        rows.append(tuple(row))
    return Table(index=index, grid=tuple(rows), anchor_line=anchor)


def _owner(tr: LexborNode) -> LexborNode | None:
    node = tr.parent
    while node is not None and node.tag != "table":
        node = node.parent
    return node


def _span(attrs: dict, attr: str) -> int:
    value = attrs.get(attr)
    if not value:
        return 1
    try:
        return max(1, min(_MAX_SPAN, int(str(value).strip() or 1)))
    except ValueError:
        return 1


def _walk(node: LexborNode, out: list[str], tables: list[LexborNode]) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            out[-1] += child.text(deep=False) or ""
        elif tag == "table":
            tables.append(child)
            out.append(f"〔表格{len(tables)}〕")
            out.append("")
        elif tag in _BLOCK:
            if out[-1].strip():
                out.append("")
            _walk(child, out, tables)
            if out[-1].strip():
                out.append("")
        else:
            _walk(child, out, tables)


def read(source: str, data: bytes) -> Document:
    text, encoding = decode(data)
    tree = LexborHTMLParser(text)
    for node in tree.css(_DROP):
        node.decompose()
    whole = tree.body.text(separator="\n") if tree.body else text
    page_meta = tuple((k, v) for k, v in _META.findall(whole[:3000])) + _names_of(tree)
    title_node = tree.css_first("title")
    article = _article(tree)
    out: list[str] = [""]
    if title_node is not None and title_node.text().strip():
        page_title = title_node.text().strip()
        if "报告" in page_title and page_title[:10] not in article.text()[:400]:
            out = [page_title, ""]
    table_nodes: list[LexborNode] = []
    _walk(article, out, table_nodes)
    body_text = "\n".join(line.strip() for line in out)
    lines, trad = lines_of(body_text)
    tables = []
    for i, t in enumerate(table_nodes, start=1):
        anchor = next((n + 1 for n, ln in enumerate(lines) if ln == f"〔表格{i}〕"), 0)
        tables.append(_grid(t, i, anchor))
    # cell text goes through the same normalisation as the lines
    tables = [_normalise_table(t, trad) for t in tables]
    return Document(
        source=source,
        fmt="html",
        encoding=encoding,
        lines=lines,
        tables=tuple(tables),
        page_meta=page_meta,
        traditional=trad,
    )


def _normalise_table(t: Table, trad: bool) -> Table:
    from etl.read.textnorm import normalise_line, to_simplified

    texts: dict[str, str] = {}  # the same few texts ("0", "/", labels) recur in every table

    def norm(cell: Cell) -> Cell:
        s = texts.get(cell.text)
        if s is None:
            s = normalise_line(cell.text)
            s = texts[cell.text] = to_simplified(s) if trad else s
        return cell if s == cell.text else Cell(s, cell.loc)

    cache: dict[int, Cell] = {}
    grid = tuple(tuple((cache.setdefault(cid, norm(cell)), cid) for cell, cid in row) for row in t.grid)
    return Table(t.index, grid, t.anchor_line)

"""What a column's list page and a report page hold: links to reports, the next list pages, the
attachments, and the page's printed 发布时间. Only links on the column's own site are followed;
the others are counted and left alone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from etl.collect.sniff import url_ext
from etl.errors import EtlError
from etl.read.textnorm import decode, to_halfwidth

_REPORT = re.compile(r"年度报告|年报")
_NEXT_TEXT = re.compile(r"^(下一页|下页|下一頁|后页|next|>|›|»|>>)$", re.I)
_PAGE_HREF = re.compile(r"(?:^|/)(?:index|list|page|default|list_page)[_-]\d+\.(?:s?html?|jsp|php|aspx?)$", re.I)
_PAGE_QUERY = re.compile(r"(?:^|&)(?:page|pageno|pageindex|pagenum|curpage|currentpage|p|pn|pg)=\d+(?:&|$)", re.I)
_PAGE_WORD = re.compile(r"^(\d{1,4}|首页|尾页|末页|上一页|上页|\[\d+\])$")
# TRS (the most common government CMS) writes its pager in script: createPageHTML(pages, current, "index", "html")
_TRS_PAGER = re.compile(
    r"createPageHTML\(\s*(?:['\"][^'\"]*['\"]\s*,\s*)?(\d{1,4})\s*,\s*(\d{1,4})\s*,\s*"
    r"['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
# a page time is China local time as printed (an ISO zone suffix is not applied)
_DATE = (
    r"((?:19|20)\d\d)\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?"  # the day
    r"(?:[\sT]*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?"  # the time, if printed
)
_LABELLED = re.compile(r"(发布时间|发布日期|公开日期|发文日期|信息时间|时间|日期)\s*[:：]\s*" + _DATE)
_LABEL_RANK = {
    "发布时间": 0,
    "发布日期": 0,
    "公开日期": 1,
    "发文日期": 2,
    "信息时间": 2,
    "时间": 3,
    "日期": 3,
}
_BARE_DATE = re.compile(_DATE)
_META_NAMES = (
    "pubdate",
    "publishdate",
    "firstpublishedtime",
    "article:published_time",
    "publish_date",
    "dc.date",
    "dcterms.issued",
    "createdate",
)
_CHROME = re.compile(r"nav|menu|footer|header|banner|logo|share|copyright|sidebar|ewm|qrcode|icon|button", re.I)
_YEAR_TITLE = re.compile(r"((?:19|20)\d\d)\s*年度?\s*(?:[\u4e00-\u9fff（）()]{0,30}?)(?:年度报告|年报)")
_YEAR_ANY = re.compile(r"((?:19|20)\d\d)\s*年")
_TITLE_MAX = 120  # anchors longer than this are paragraphs, not titles


@dataclass(frozen=True)
class Link:
    url: str
    title: str
    date: date | None = None  # the date printed beside the link in a list


@dataclass(frozen=True)
class ListPage:
    reports: tuple[Link, ...]  # links to report pages or straight to report files, on the site
    next_pages: tuple[str, ...]  # further list pages of the column
    offsite: tuple[Link, ...]  # report links to other sites: recorded, never followed


@dataclass(frozen=True)
class Published:
    """A page's printed publication time. `source` says where it was read."""

    value: datetime
    text: str  # as printed, e.g. "发布时间：2024-01-30 10:00"
    source: str  # "页面文字" or "meta PubDate"


@dataclass(frozen=True)
class ReportPage:
    title: str
    year: int | None
    published: Published | None
    attachments: tuple[Link, ...]
    offsite: tuple[Link, ...]  # attachments on other sites: recorded, never followed


class PageError(EtlError):
    """A page whose bytes cannot be read as HTML at all."""


def html_text(data: bytes) -> str:
    try:
        return decode(data)[0]
    except EtlError:
        return data.decode("utf-8", "replace")


def same_site(url: str, site: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == site.lower()


def absolute(base: str, href: str | None) -> str | None:
    """The link as an absolute URL without its fragment; None for script and mail links."""
    href = (href or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.scheme not in ("http", "https"):
        return None
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", parts.query, ""))


def _tree(text: str) -> LexborHTMLParser:
    tree = LexborHTMLParser(text)
    for node in tree.css("style, noscript, template"):
        node.decompose()
    return tree


def _anchor_text(a: LexborNode) -> str:
    text = " ".join(a.text(separator=" ").split())
    attrs = a.attributes or {}
    title = " ".join(str(attrs.get("title") or "").split())
    return title if len(title) > len(text) else text


def _item_date(a: LexborNode) -> date | None:
    """The date printed in the list item holding the link (li, tr, dd or p with this one link)."""
    node, hops = a.parent, 0
    while node is not None and hops < 3:
        if node.tag in ("li", "tr", "dd", "dt", "p"):
            break
        node, hops = node.parent, hops + 1
    if node is None or node.tag not in ("li", "tr", "dd", "dt", "p") or len(node.css("a")) > 1:
        return None
    m = _BARE_DATE.search(to_halfwidth(node.text(separator=" ")))
    return _date(m) if m else None


def _date(m: re.Match) -> date | None:
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def is_report_title(text: str) -> bool:
    return bool(_REPORT.search(text)) and len(text) <= _TITLE_MAX


def report_year(title: str) -> int | None:
    """The year a report covers, from its title: 2023年政府信息公开工作年度报告 -> 2023."""
    t = to_halfwidth(title or "")
    m = _YEAR_TITLE.search(t) or _YEAR_ANY.search(t)
    return int(m.group(1)) if m else None


def parse_list(text: str, base_url: str, site: str) -> ListPage:
    tree = _tree(text)
    reports: dict[str, Link] = {}
    pages: dict[str, None] = {}
    offsite: dict[str, Link] = {}
    for a in tree.css("a[href]"):
        url = absolute(base_url, (a.attributes or {}).get("href"))
        if url is None or url == base_url:
            continue
        label = _anchor_text(a)
        if _NEXT_TEXT.match(label) or "下一页" in label:
            if same_site(url, site):
                pages[url] = None
        elif _PAGE_WORD.match(label) and _paging_href(url):
            if same_site(url, site):
                pages[url] = None
        elif is_report_title(label):
            links = reports if same_site(url, site) else offsite
            links.setdefault(url, Link(url, label, _item_date(a)))
    for script in tree.css("script"):
        for m in _TRS_PAGER.finditer(script.text() or ""):
            total, stem, ext = int(m.group(1)), m.group(3), m.group(4)
            for i in range(1, min(total, 1000)):
                url = absolute(base_url, f"{stem}_{i}.{ext}")
                if url and url != base_url and same_site(url, site):
                    pages[url] = None
    return ListPage(tuple(reports.values()), tuple(pages), tuple(offsite.values()))


def _paging_href(url: str) -> bool:
    parts = urlsplit(url)
    return bool(_PAGE_HREF.search(parts.path) or _PAGE_QUERY.search(parts.query))


def published(text: str) -> Published | None:
    """The page's printed 发布时间 (labelled forms, the strongest label first), else its meta tags."""
    tree = _tree(text)
    for node in tree.css("script"):
        node.decompose()
    body = to_halfwidth(tree.body.text(separator="\n") if tree.body else "")
    best: tuple[int, int, re.Match] | None = None
    for m in _LABELLED.finditer(body):
        rank = _LABEL_RANK[m.group(1)]
        if rank >= 3 and m.start() > 3000:
            continue  # a bare 时间/日期 counts only near the top, above the article
        if best is None or (rank, m.start()) < best[:2]:
            best = (rank, m.start(), m)
    if best is not None and (value := _datetime(best[2], 2)):
        return Published(value, " ".join(best[2].group(0).split()), "页面文字")
    for meta in tree.css("meta"):
        attrs = meta.attributes or {}
        name = str(attrs.get("name") or attrs.get("property") or attrs.get("itemprop") or "")
        if name.lower() in _META_NAMES:
            m = _BARE_DATE.search(to_halfwidth(str(attrs.get("content") or "")))
            if m and (value := _datetime(m, 1)):
                return Published(value, f"{name}={attrs.get('content')}", f"meta {name}")
    return None


def _datetime(m: re.Match, first: int) -> datetime | None:
    g = [m.group(first + i) for i in range(6)]
    try:
        return datetime(int(g[0]), int(g[1]), int(g[2]), int(g[3] or 0), int(g[4] or 0), int(g[5] or 0))
    except ValueError:
        return None


def parse_report(text: str, base_url: str, site: str) -> ReportPage:
    tree = _tree(text)
    heading = next(
        (
            " ".join(n.text().split())
            for n in tree.css("h1, h2, .title, title")
            if is_report_title(" ".join(n.text().split()))
        ),
        "",
    )
    attachments: dict[str, Link] = {}
    offsite: dict[str, Link] = {}
    for a in tree.css("a[href]"):
        url = absolute(base_url, (a.attributes or {}).get("href"))
        if url is not None and url_ext(url) is not None:
            (attachments if same_site(url, site) else offsite).setdefault(url, Link(url, _anchor_text(a)))
    if not attachments:
        for url in _report_images(tree, base_url):
            (attachments if same_site(url, site) else offsite).setdefault(url, Link(url, "图片"))
    return ReportPage(
        heading, report_year(heading), published(text), tuple(attachments.values()), tuple(offsite.values())
    )


def _report_images(tree: LexborHTMLParser, base_url: str) -> list[str]:
    """Pictures that are the report itself (a scanned report posted as images): only on a page
    with little text, and not the site's logos, banners and buttons."""
    body = tree.body
    if body is None or len(re.findall(r"[\u4e00-\u9fff]", body.text(separator=""))) > 600:
        return []
    out = []
    for img in body.css("img[src]"):
        src = str((img.attributes or {}).get("src") or "")
        url = absolute(base_url, src)
        if url is None or url_ext(url) not in ("jpg", "jpeg", "png", "tif", "tiff") or _CHROME.search(src):
            continue
        node, chrome = img.parent, False
        while node is not None and not chrome:
            attrs = " ".join(str(v) for v in (node.attributes or {}).values() if v)
            chrome = node.tag in ("header", "footer", "nav") or bool(_CHROME.search(attrs))
            node = node.parent
        if not chrome:
            out.append(url)
    return out

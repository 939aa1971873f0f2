"""Metadata of a report from its text: title, agency, statistics year, publication date and
which of the six sections are present."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TITLE = re.compile(r"(政府信息公开|政府信息公開|政务公开|信息公开)[^。，,]{0,8}(年度报告|年报|工作报告|年度報告)")
_YEAR_IN_TITLE = re.compile(r"(20\d\d)\s*年")
_PREFIX = re.compile(
    r"^.*?(?:标\s*题|题\s*名|现予以公布|现予公布|现公布|现公开|现发布|现将|特向社会公布|公布|发布|编制|印发)[:：|\s《]*"
)
_NOISE = re.compile(r"^[\s|《“\"'【\[（(]*|[\s|》”\"'】\])）]*$")
_ORG_END = (
    "人民政府办公室",
    "人民政府办公厅",
    "人民政府",
    "办事处",
    "管理委员会",
    "委员会",
    "办公室",
    "办公厅",
    "局",
    "厅",
    "委",
    "署",
    "院",
    "中心",
    "政府",
    "镇",
    "乡",
    "街道",
    "县",
    "区",
    "市",
    "办",
)
_PERIOD = re.compile(r"统计(?:期限|时限|时间|数据|期间)[^。]{0,20}?(20\d\d)\s*年\s*1\s*月\s*1\s*日")
_PERIOD2 = re.compile(
    r"(20\d\d)\s*年\s*1\s*月\s*1\s*日\s*(?:起\s*)?(?:至|到|—|-|－)\s*(?:(20\d\d)\s*年\s*)?12\s*月\s*31\s*日"
)
_META_DATE = re.compile(
    r"(发布日期|发布时间|发文日期|公开日期|日期|时间)\s*[:：]\s*(20\d\d)\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})"
)
_SIGN_DATE = re.compile(r"^\s*(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")

SECTION_PATTERNS = {
    1: re.compile(r"总体情况"),
    2: re.compile(r"主动公开政府信息(的)?情况"),
    3: re.compile(r"收到和处理政府信息公开申请(的)?情况"),
    4: re.compile(r"行政复议[、和及或]?.{0,6}行政诉讼|行政复议、行政诉讼"),
    5: re.compile(r"存在(的)?主要问题|存在问题|主要问题及改进"),
    6: re.compile(r"其[他它]需要报告的?事项|需要说明的其[他它]事项"),
}
_NUMERAL = "一二三四五六"


@dataclass(frozen=True)
class Title:
    text: str
    line: int
    agency: str | None
    year: int | None


def find_title(lines: tuple[str, ...], limit: int = 40) -> Title | None:
    """The report's title: the first short line naming the annual report, joined with the
    line before or after when the title is broken over two lines."""
    for i, raw in enumerate(lines[:limit]):
        line = raw.strip().lstrip("#").strip()  # markdown conversions print the title as "# …"
        if not line or len(line) > 90 or "位置" in line or line.count(">") >= 2:
            continue  # breadcrumbs: 首页>政务公开>…>政府信息公开年报
        if not _TITLE.search(line) and not re.search(r"年度报告$|工作年度$", line):
            continue
        text = line
        # A title broken after 政府信息 / before 年度报告, or agency on the line above
        nxt = next((x.strip() for x in lines[i + 1 : i + 3] if x.strip()), "")
        if not _TITLE.search(text) and nxt and len(nxt) < 30:
            text = text + nxt
        prev = next((x.strip() for x in reversed(lines[max(0, i - 2) : i]) if x.strip()), "")
        if (
            _YEAR_IN_TITLE.match(text)
            and prev
            and len(prev) <= 30
            and prev.endswith(_ORG_END)
            and not _TITLE.search(prev)
        ):
            text = prev + text
        return Title(text, i + 1, agency_from_title(text), year_from_title(text))
    return None


def year_from_title(text: str) -> int | None:
    m = _YEAR_IN_TITLE.search(text)
    return int(m.group(1)) if m else None


def clean_agency(name: str) -> str | None:
    name = _PREFIX.sub("", name) if _PREFIX.match(name) else name
    name = _NOISE.sub("", name)
    name = re.sub(r"\s+", "", name)
    name = re.sub(r"^[\d\s.、:：|]+", "", name)
    name = re.sub(r"^(?:年度?|了|按照|根据|依据|现将|我[局委办厅]?|本)", "", name).lstrip("《“")
    if len(name) < 2 or len(name) > 40:
        return None
    if re.search(r"[，,。；;:：>»/\d《》]", name):  # a clause or a breadcrumb, not a name
        return None
    return name


def agency_from_title(text: str) -> str | None:
    t = re.sub(r"\s+", "", text)
    t = re.sub(r"^(标题|题名)[:：|]*", "", t).strip("|")
    m = re.search(r"(20\d\d)年(度)?", t)
    if not m:
        return None
    before = t[: m.start()]
    after = t[m.end() :]
    if before.strip("|《“ "):
        name = clean_agency(before)
    else:
        # "2022年上海市政府信息公开工作年度报告": the agency stands after the year
        k = re.search(r"政府信息公[开開]|政务公开|信息公开", after)
        name = clean_agency(after[: k.start()]) if k else None
        if name and k and after[k.start() :].startswith("政府") and name.endswith(("市", "省", "县", "区", "州")):
            name += "人民政府"  # 上海市政府信息公开… names the government
    if name and _GOVERNMENT_OF.search(name) and re.match(r"政府信息", t[m.end() :]):
        name += "人民政府"  # "河北省2019年政府信息公开…" is the provincial government's report
    return name


_GOVERNMENT_OF = re.compile(r"(?<!开发)(?<!新)(?<!园)(?<!实验)(?<!试验)(?<!示范)(?<!高新)[市县区旗州省盟]$|自治区$")


_AGENCY_IN_TEXT = (
    re.compile(
        r"(?:现公布|现公开|现发布|现将|公布|现予公布)[《“]?([\u4e00-\u9fa5（）()]{2,40}?)(?:20\d\d)\s*年度?政府信息公开"
    ),
    re.compile(r"由([\u4e00-\u9fa5（）()]{2,40}?)(?:编制|负责编制|综合)"),
    re.compile(r"做好([\u4e00-\u9fa5]{2,40}?)政府信息公开工作"),
    re.compile(r"请与([\u4e00-\u9fa5（）()]{2,40}?)(?:联系|办公室联系)"),
)
_ORG = re.compile(
    r"([\u4e00-\u9fa5]{2,24}?(?:人民政府办公室|人民政府|街道办事处|办事处|管理委员会|委员会|局|厅|镇人民政府|乡人民政府))"
    r"(?=[^\u4e00-\u9fa5]|严格|认真|坚持|深入|始终|高度|按照|根据|围绕|积极|持续|全面|紧紧|切实|网站|门户)"
)


def agency_from_text(lines: tuple[str, ...]) -> str | None:
    head = "\n".join(lines[:60])
    for pat in _AGENCY_IN_TEXT:
        for m in pat.finditer(head):
            name = _named(m.group(1))
            if name and name.endswith(_ORG_END):
                return name
    for m in _ORG.finditer(head):
        name = _named(_after_boundary(m.group(1)))
        if name:
            return name
    m = re.search(r"([\u4e00-\u9fa5]{2,8}(?:镇|乡|街道))(?:政府|人民政府)?(?:信息公开|政府信息公开)工作", head)
    return _named(_after_boundary(m.group(1))) if m else None


def _named(name: str) -> str | None:
    """A name, not a pronoun ("我局", "本机关") or a clause ending in one ("同时对我局")."""
    name = clean_agency(name) if name else None
    if not name or re.search(r"[我本各该]", name[:3]) or re.match(r"^(?:同时|对|在|为)", name):
        return None
    return name


_BOUNDARY = re.compile(r".*(?:的|从|由|在|向|将|了|是|请|把|被|给|可|为|完善|健全|推进|加强|提升|做好|落实|全面)")


def _after_boundary(name: str) -> str:
    """Cut the words before an organisation's name that a left-to-right match drags in
    ("本报告的电子版可从阜阳市公安局" -> "阜阳市公安局")."""
    cut = _BOUNDARY.sub("", name)
    return cut if len(cut) >= 2 else name


def statistics_year(text: str) -> int | None:
    m = _PERIOD.search(text) or _PERIOD2.search(text)
    return int(m.group(1)) if m else None


def publish_date(lines: tuple[str, ...], page_meta: tuple[tuple[str, str], ...]) -> tuple[str | None, str | None]:
    """(date, where): a page's 发布日期/发布时间 in the top lines, else the signature date at
    the end of the report."""
    for key, value in page_meta:
        if "发布" in key or "日期" in key or "时间" in key:
            m = re.search(r"(20\d\d)\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})", value)
            if m:
                return _iso(*m.groups()), f"页面{key}"
    best = None
    for i, line in enumerate(lines[:25]):
        for m in _META_DATE.finditer(line):
            rank = 0 if "发布" in m.group(1) else 1 if "发文" in m.group(1) else 2
            if best is None or rank < best[0]:
                best = (rank, _iso(*m.groups()[1:]), f"L{i + 1}")
    if best:
        return best[1], best[2]
    tail = [(i, ln) for i, ln in enumerate(lines) if ln.strip()][-8:]
    for i, line in reversed(tail):
        m = _SIGN_DATE.match(line.replace("〇", "0"))
        if m:
            return _iso(*m.groups()), f"L{i + 1}"
    return None, None


def _iso(y: str, m: str, d: str) -> str | None:
    yi, mi, di = int(y), int(m), int(d)
    if not (1 <= mi <= 12 and 1 <= di <= 31):
        return None
    return f"{yi:04d}-{mi:02d}-{di:02d}"


def section_lines(lines: tuple[str, ...]) -> dict[int, int]:
    """Line number (1-based) of each section heading found. A heading is a short line,
    numbered or not; the preamble that lists all six sections in one sentence is not."""
    found: dict[int, int] = {}
    for i, raw in enumerate(lines):
        line = raw.strip().lstrip("|#").strip()  # markdown conversions print "## 五、…"
        if not line or len(line) > 40:
            continue
        if line.count("情况") > 2 or "、" in line[3:] and line.count("、") > 2:
            continue
        for no, pat in SECTION_PATTERNS.items():
            if no in found or not pat.search(line):
                continue
            numbered = re.match(rf"^[{_NUMERAL}]\s*[、.．]", line)
            if numbered and _NUMERAL.index(line[0]) + 1 != no:
                continue  # "四、结转下年度继续办理" is a T3 row, not section 4
            if not numbered and len(line) > 22:
                continue
            found[no] = i + 1
            break
    return found


_META_NAME = re.compile(
    r"(发布机构|发文机关|发文单位|发布单位|信息来源|来源|所属机构|公开主体|主办单位|责任单位)\s*[:：|]\s*"
    r"([\u4e00-\u9fa5（）()]{2,40})"
)
_CRUMB = re.compile(r"[>»＞›]")
_ORG_LINE = re.compile(r"^([\u4e00-\u9fa5（）()]{2,40}?)\s*(?:20\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)?\s*$")


def trusted_names(lines: tuple[str, ...], page_meta: tuple[tuple[str, str], ...] = ()) -> list[str]:
    """Where the page names the agency itself: metadata (发布机构, 来源 …) and the breadcrumb in
    the first lines, and the signature above the date at the end. Not the prose, not an address."""
    out = [v for k, v in page_meta if _META_NAME.match(f"{k}：{v}") or k == "位置"]
    for line in lines[:25]:
        out += [m.group(2) for m in _META_NAME.finditer(line)]
        if len(_CRUMB.findall(line)) >= 2 and len(line) < 120:
            out.append(line)
    tail = [ln.strip() for ln in lines if ln.strip()][-6:]
    for i, line in enumerate(tail):
        dated = re.search(r"(20\d\d)\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$", line)
        if not dated:
            continue
        before = line[: dated.start()].strip()
        name = before.rsplit("。", 1)[-1].strip() if before else (tail[i - 1] if i else "")
        m = _ORG_LINE.match(name)
        if m and m.group(1).endswith(_ORG_END):
            out.append(m.group(1))
    return out

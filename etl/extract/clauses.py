"""Counts in prose, as a reader sees them: a number with its measure word (条, 篇, 件 …), the
clause that leads up to it (its subject: what was done to what, through which channel), the
sentence around it, and what marks it as approximate, as a part of a total, as a running total
over the years, or as a change from last year.

The metric rules (etl.extract.prose) decide from these properties; nothing here knows a metric."""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.extract.numbers import chinese_number

MEASURE = "条|篇|件|个|次|期|项|份|场|宗|则|部|批|封|起"
_NUM = r"(?P<num>\d[\d,，]*(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
MENTION = re.compile(_NUM + r"\s*(?P<unit>万|千)?\s*(?P<measure>" + MEASURE + r")(?P<per>\s*[(（]次[)）])?")
SENTENCE_END = "。；;！？!?\n"
PERIOD_END = "。！？!?\n"  # a list after "其中" runs on over "；" to the full stop
CLAUSE_END = SENTENCE_END + "，,：:"
# an approximate count: "约N条", "近千条", "N余条", "N多篇", "N条左右", "超过N件"
_APPROX_BEFORE = re.compile(r"(约|近|超|超过|逾|将近|大约|接近|达近|上)\s*$")
_APPROX_AFTER = re.compile(r"^\s*(余|多|左右|以上|上下)")
_FILLER = re.compile(r"(共计|共有|共|合计|总计|累计|总共|达到|达|为|计|约|数量|总数|条数|数|量|了|：|:|\s)+$")
_CHANGE = re.compile(r"(较|比|同比|环比|增加|减少|增长|下降|提高|降低|多于|少于)[^，。；]{0,6}$")
_PART = re.compile(r"其中|包括|涵盖|含")
_BARE_NUMBER = re.compile(r"(?<![\d.])\d+(?=[\u4e00-\u9fff])(?![年月日号时分秒万千亿%])")
_YEAR = re.compile(r"(20\d\d)\s*年")
_PLAN = re.compile(
    r"下一步|下阶段|今后|明年|来年|将(?:进一步|继续|持续|加大|加强|着力)|(?:计划|拟|预计)(?:于|在|将|到)|力争"
)
_HISTORY = re.compile(r"历年|(?<!今年)(?<!本年)(?<!年初)(?<!年度)以来|截[至止]目前.*累计|至今|累计总|存量")


@dataclass(frozen=True)
class Mention:
    value: int | None  # None: not an exact count (approximate, decimal, in 万)
    approx: bool
    measure: str
    start: int  # where the number starts in the text
    end: int  # where the measure word ends
    subject: str  # the clause up to the number ("全年主动公开政府信息")
    head: str  # the subject without trailing fillers (共计, 数, 为 …)
    prefix: str  # the sentence up to the number
    after: str  # the rest of the sentence
    sentence: str
    sentence_start: int
    in_parens: bool  # inside brackets: "（含上年结转1件）"
    part_of: int | None  # the start of an earlier count of the sentence this one is a part of
    change: bool  # a change from last year, not a count
    history: bool  # a running total over the years, not the year's
    topic: str  # what the (sub-)heading above it is about: active, apply, platform, … ("" when none)
    noun_after: str  # a noun right after the measure word ("6个部分"): then the count counts that noun
    years: tuple[int, ...]  # the years its sentence names before it ("2022年…")
    previous: str  # the sentence before its own (what "全年共发布N条" refers back to)
    plan: bool  # a plan or a target, not what was done ("下一步将…", "计划发布…")

    @property
    def exact(self) -> bool:
        return self.value is not None and not self.approx and not self.change


def _value(num: str, unit: str | None) -> tuple[int | None, bool]:
    """(value, approximate): "2,345" -> 2345; "2.3" or "2万" are not exact counts."""
    if unit:  # counts in 万/千 are rounded
        return None, True
    if num[0].isdigit():
        s = num.replace(",", "").replace("，", "")
        if "." in s:
            return None, True
        return int(s), False
    v = chinese_number(num)
    return v, v is None


def _open_paren(text: str) -> bool:
    return text.count("（") + text.count("(") > text.count("）") + text.count(")")


# what a heading is about, from its words ("（四）平台建设方面" -> platform)
_TOPICS: tuple[tuple[str, re.Pattern], ...] = (
    ("apply", re.compile(r"依申请|申请公开|公开申请|收到和处理")),
    ("active", re.compile(r"主动公开")),
    ("interpret", re.compile(r"解读|回应")),
    ("manage", re.compile(r"信息管理|管理方面|管理情况")),
    ("platform", re.compile(r"平台|网站|载体|新媒体")),
    ("supervise", re.compile(r"监督|保障|考核|培训|组织|机制|领导|制度")),
    ("problems", re.compile(r"问题|改进|整改")),
    ("other", re.compile(r"复议|诉讼|其[他它]需要|其[他它]事项")),
)
_HEADING = re.compile(
    r"(?:^|(?<=[\n。；;]))\s*(?:[（(][一二三四五六七八九十]{1,2}[)）]|[一二三四五六七八九十]{1,2}\s*、|\d{1,2}\s*[.、．](?!\d)"
    r"|[一二三四五六七八九十]是(?=[^，,。；;]{2,12}(?:情况|方面)[。：:，,]))"
)


def topics(text: str) -> list[tuple[int, str]]:
    """(position, topic) of each heading whose words say what it is about."""
    out = []
    for m in _HEADING.finditer(text):
        words = text[m.end() : m.end() + 12]
        found = [(x.start(), name) for name, pat in _TOPICS if (x := pat.search(words))]
        if found:
            out.append((m.start(), min(found)[1]))  # the first thing the heading names
    return out


def mentions(text: str) -> list[Mention]:
    out: list[Mention] = []
    heads = topics(text)
    for m in MENTION.finditer(text):
        num = m.group("num").rstrip(",，")
        if not num:
            continue
        start = m.start("num")
        before = text[max(0, start - 1) : start]
        if num[0].isdigit() and before.isdigit():
            continue
        if not num[0].isdigit() and (num in ("一", "十") and _ordinal(text, m)):
            continue
        value, approx = _value(num, m.group("unit"))
        s0 = max(text.rfind(ch, 0, start) for ch in SENTENCE_END) + 1
        ends = [i for i in (text.find(ch, m.end()) for ch in SENTENCE_END) if i != -1]
        s1 = min(ends) if ends else len(text)
        c0 = max(text.rfind(ch, 0, start) for ch in CLAUSE_END) + 1
        if out and out[-1].end > c0:  # "…A类N1条、B类N2条": the subject starts after the last count
            c0 = out[-1].end
        for bare in _BARE_NUMBER.finditer(text, c0, start):
            c0 = bare.end()  # "…推送信息N1微博发布信息N2条": a number that lost its unit ends a clause
        subject = text[c0:start].strip().lstrip("、，,及和与").strip()
        prefix = text[s0:start]
        approx = approx or bool(_APPROX_BEFORE.search(text[max(s0, start - 3) : start]))
        approx = approx or bool(_APPROX_AFTER.match(text[m.end("measure") : m.end("measure") + 3]))
        p0 = max(text.rfind(ch, 0, start) for ch in PERIOD_END) + 1
        earlier = [x for x in out if x.start >= p0]
        part_of = None
        if earlier:
            # "其中…" after an earlier count of the same sentence makes this one a part of it
            for x in reversed(earlier):
                if _PART.search(text[x.end : start]):
                    part_of = x.start
                    break
        if part_of is None and (_PART.match(subject) or _PART.match(prefix.lstrip())):
            # "其中…" opening a sentence: a part of the count the sentence before stated, if any
            prev0 = max(text.rfind(ch, 0, max(0, s0 - 1)) for ch in SENTENCE_END) + 1
            before = [x for x in out if x.start >= prev0]
            part_of = before[-1].start if before else None
        out.append(
            Mention(
                value=value,
                approx=approx,
                measure=m.group("measure"),
                start=start,
                end=m.end(),
                subject=subject,
                head=_FILLER.sub("", subject),
                prefix=prefix,
                after=text[m.end() : s1],
                sentence=text[s0:s1].strip(),
                sentence_start=s0,
                in_parens=_open_paren(prefix),
                part_of=part_of,
                change=bool(_CHANGE.search(text[max(s0, start - 10) : start])),
                history=bool(_HISTORY.search(subject))
                or (bool(_HISTORY.search(prefix)) and not re.search(r"20\d\d\s*年|本年|今年|全年|当年", subject)),
                topic=next((t for p, t in reversed(heads) if p <= start), ""),
                noun_after=_noun_after(text[m.end() : s1]),
                # years in a document's title (《2021—2023年…方案》) are not the count's year
                years=tuple(int(y) for y in _YEAR.findall(re.sub(r"《[^》]*》", "", prefix))),
                plan=bool(_PLAN.search(prefix)),
                previous=text[max(text.rfind(ch, 0, max(0, s0 - 1)) for ch in PERIOD_END) + 1 : s0],
            )
        )
    return out


_NOT_A_NOUN = set("均已并全其都共且和及与、，,。；;.（(）)：:“”左右以上余多次较比同至被由为是在的等占累约近")


def _noun_after(after: str) -> str:
    """ "N件申请" -> "申请"; "N件，" or "N件均已办结" -> "" (no noun follows)."""
    after = after.lstrip()
    if not after or not ("\u4e00" <= after[0] <= "\u9fff") or after[0] in _NOT_A_NOUN:
        return ""
    return re.match(r"[\u4e00-\u9fff]{1,8}", after).group(0)


def _ordinal(text: str, m: re.Match) -> bool:
    """ "一件事一次办", "十个方面": a Chinese numeral that is part of a set phrase, not a count."""
    nxt = text[m.end() : m.end() + 1]
    return nxt in "事次办" or text[max(0, m.start() - 1) : m.start()] in "第每"


def last_item(head: str) -> tuple[str, str]:
    """The last item of a list subject ("规范性文件、政策解读及统计信息" -> ("统计信息", "及"))
    and the word that joined it to the item before ("" when the subject is no list)."""
    for i in range(len(head) - 1, -1, -1):
        if head[i] in "、及和与":
            if head[i] in "和与" and i > 0 and head[i - 1] in "政参":  # 政和, 参与: words, not joins
                continue
            return head[i + 1 :], head[i]
    return head, ""

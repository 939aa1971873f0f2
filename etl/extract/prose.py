"""Counts stated in the report's prose, each with the sentence it came from.

Precision first: a metric is reported only when the prose states it once, exactly. "40余条"
is approximate and never reported; two different candidate totals report nothing."""

from __future__ import annotations

import re

from etl.model import ProseCount

_N = r"(\d[\d,]*)\s*"
_APPROX_AFTER = re.compile(r"^\s*(余|多|左右|以上|万|千)")
_COMBINED_BEFORE = re.compile(r"(及|和|与)$")

# (metric, pattern, priority) -- a higher priority candidate wins over lower ones
PATTERNS: dict[str, tuple[tuple[re.Pattern, int], ...]] = {
    "info_published_total": (
        (re.compile(r"(?:总计|合计)共?(?:公开|发布)?[^。；，,\d]{0,10}?" + _N + r"[条件]"), 10),
        (re.compile(r"信息(?:数)?(?:总数|总计|总量)(?:为|达)?\s*" + _N + r"[条件]"), 8),
        (
            re.compile(r"(?:公开|发布)[^。；，,\d]{0,16}?信息(?:数为|数)?(?:共计|共|总计)?\s*" + _N + r"[条件]"),
            2,
        ),
        (re.compile(r"信息发布\s*" + _N + r"条"), 2),
        (re.compile(r"(?:公开|发布)\s*" + _N + r"条"), 0),
    ),
    "policy_interpretations": (
        (re.compile(r"政策解读类?(?:信息|材料|稿件|文章)?(?:共计|共|发布)?\s*" + _N + r"[条篇件次期个]"), 2),
        (
            re.compile(
                r"(?:发布|开展|刊发|制作)[^。；，,\d]{0,6}?解读类?(?:信息|材料|稿件)?(?:共计|共)?\s*"
                + _N
                + r"[条篇件次]"
            ),
            1,
        ),
        (re.compile(r"解读类?信息(?:发布|共计|共)?\s*" + _N + r"[条篇件次]"), 1),
    ),
    "responses_to_concerns": (
        (re.compile(r"回应(?:社会|公众)?关切(?:信息|问题)?(?:共计|共)?\s*" + _N + r"[条件次个]"), 1),
    ),
    "applications_received_text": (
        (
            re.compile(
                r"(?:收到|受理|接收|接到|新收)[^。；，,\d]{0,14}?(?:政府信息公开|信息公开|依申请公开)?申请(?:共计|共)?\s*"
                + _N
                + r"[件条个宗]"
            ),
            2,
        ),
        (
            re.compile(r"(?:收到|受理|办理)(?:和处理)?依申请公开(?:申请|事项)?(?:共计|共)?\s*" + _N + r"[件条个宗]"),
            1,
        ),
    ),
}
# words that make a count something other than the metric ("解读信息发布10条" is not the total)
_NOT_INFO = re.compile(r"解读|回应|留言|微博|微信|公众号|头条|抖音|报道|稿件|简报|视频|图片|咨询|建议|提案|申请")
_TOTAL_HINT = re.compile(r"主动|共|累计|全年|总共")
_NONE_RECEIVED = re.compile(
    r"(未收到|没有收到|无)[^。；，,\d]{0,12}?(政府信息公开|依申请公开|信息公开)[^。；，,\d]{0,6}?申请"
    r"|依申请公开(?:政府信息)?(?:申请)?(?:共计|共)?\s*0\s*件"
)


def _sentence(text: str, start: int, end: int) -> str:
    a = max(text.rfind("。", 0, start), text.rfind("\n", 0, start)) + 1
    b_candidates = [x for x in (text.find("。", end), text.find("\n", end)) if x != -1]
    b = min(b_candidates) + 1 if b_candidates else len(text)
    return text[a:b].strip()


_HEADING = re.compile(r"^\s*([一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d+[.、．])")
_ENDS = set("。；！？：:;!?）)")


def join_wraps(text: str) -> tuple[str, list[int]]:
    """Join lines that a PDF broke mid-sentence ("回应社会\n关切48条"); returns the joined
    text and, for each of its characters, the original line number."""
    lines = text.split("\n")
    out: list[str] = []
    line_of: list[int] = []
    for n, line in enumerate(lines, start=1):
        if out and out[-1] != "\n":
            prev = lines[n - 2].rstrip()
            soft = len(prev) >= 15 and prev[-1:] not in _ENDS and line.strip() and not _HEADING.match(line)
            if not soft:
                out.append("\n")
                line_of.append(n - 1)
        elif out:
            pass
        for ch in line:
            out.append(ch)
            line_of.append(n)
        if not line:
            out.append("\n")
            line_of.append(n)
    return "".join(out), line_of


def find_metrics(text: str) -> dict[str, ProseCount]:
    """text: the prose of the report (sections one, five and six, with the preamble)."""
    text, line_of = join_wraps(text)

    def _line_no(_: str, pos: int) -> str:
        return f"L{line_of[min(pos, len(line_of) - 1)] if line_of else 1}"

    out: dict[str, ProseCount] = {}
    for metric, pats in PATTERNS.items():
        cands: list[tuple[int, int, int, int]] = []  # (priority, value, start, end)
        for pat, base in pats:
            for m in pat.finditer(text):
                prio = base
                num = m.group(1)
                if _APPROX_AFTER.match(text[m.end(1) : m.end(1) + 3]):
                    continue
                before = text[max(0, m.start() - 1) : m.start()]
                if metric == "policy_interpretations" and _COMBINED_BEFORE.search(before):
                    continue  # "文件及解读信息82条" counts documents and interpretations together
                if metric == "policy_interpretations" and re.search(r"[及和与、]解读", m.group(0)):
                    continue
                clause_start = max(text.rfind("。", 0, m.start()), text.rfind("\n", 0, m.start()))
                if metric == "info_published_total" and "其中" in text[clause_start + 1 : m.start()]:
                    continue  # a breakdown ("其中发布政策文件信息51条") is not a total
                if metric == "info_published_total":
                    before = text[max(0, m.start() - 8) : m.start()]
                    channel = list(_NOT_INFO.finditer(before))
                    if _NOT_INFO.search(m.group(0)) or (channel and "等" not in before[channel[-1].end() :]):
                        continue  # a channel's or a topic's count ("微信公众号发布信息576条"), not the total
                    if prio < 8:
                        prio += len(set(_TOTAL_HINT.findall(text[max(0, m.start() - 4) : m.end()])))
                try:
                    value = int(num.replace(",", ""))
                except ValueError:
                    continue
                cands.append((prio, value, m.start(), m.end()))
        if metric == "applications_received_text":
            for m in _NONE_RECEIVED.finditer(text):
                cands.append((2, 0, m.start(), m.end()))
        if not cands:
            continue
        top = max(c[0] for c in cands)
        best = [c for c in cands if c[0] == top]
        values = {c[1] for c in best}
        if len(values) != 1:
            continue  # two different statements: not sure which one is the total
        prio, value, start, end = min(best, key=lambda c: c[2])
        out[metric] = ProseCount(value, _sentence(text, start, end), _line_no(text, start))
    return out


_REVIEW = re.compile(r"行政复议(?:案件)?(?:共计|共)?\s*" + _N + r"[件起宗个]")
_LITIGATION = re.compile(r"行政诉讼(?:案件)?(?:共计|共)?\s*" + _N + r"[件起宗个]")
_NO_CASES = re.compile(r"(未发生|没有发生|无)[^。；\d]{0,16}?行政复议[^。；\d]{0,4}?(行政诉讼)?")


def case_counts(text: str) -> dict[str, int]:
    """Reconsideration / litigation counts the prose states (for the narrative-vs-T4 check)."""
    out: dict[str, int] = {}
    for key, pat in (("review", _REVIEW), ("litigation", _LITIGATION)):
        vals = {int(m.group(1).replace(",", "")) for m in pat.finditer(text)}
        if len(vals) == 1:
            out[key] = vals.pop()
    m = _NO_CASES.search(text)
    if m:
        out.setdefault("review", 0)
        if m.group(2):
            out.setdefault("litigation", 0)
    return out

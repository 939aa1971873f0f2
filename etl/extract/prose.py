"""The counts a report states in its prose (section 一, and 六 for the fee), read as a careful
person reads them: by what each count counts (its subject: the verb, the thing counted, the
channel), not by the sentences of any one report.

- A stated total beats its breakdown; a part ("其中…", a channel's or a topic's count) is not a
  total; a count over the years ("历年累计", "截至目前") is not the year's.
- Approximate counts (约, 近, 余, 多, in 万) are not counts.
- Where candidates compete and nothing tells them apart, the metric is NULL and a `reading`
  finding (prose_count_ambiguous) names the candidates: never a guess.

Each metric's rule is a function of the clause properties in etl.extract.clauses."""

from __future__ import annotations

import re
from collections.abc import Callable

from etl.extract.clauses import Mention, last_item, mentions
from etl.extract.countkinds import (
    FEE_AMOUNT,
    FEE_NONE,
    FEE_RULE,
    FORM,
    NONE_RECEIVED,
    channels_named,
    info_candidates,
    is_application,
    is_handled,
    is_interpretation,
    is_response,
    of_the_year,
)
from etl.model import Finding, ProseCount
from etl.registry.fields import BY_KEY


class _Reader:
    def __init__(
        self, text: str, line_of: Callable[[int], str], year: int | None = None, table_new: int | None = None
    ) -> None:
        self.table_new = table_new  # T3's new applications when nothing was carried over
        self.text = text
        self.line_of = line_of
        self.ms = [m for m in mentions(text) if of_the_year(m, year)]
        self.out: dict[str, ProseCount] = {}
        self.findings: list[Finding] = []

    def take(self, metric: str, value: int, m: Mention | None, why: str = "", at: int | None = None) -> None:
        pos = m.start if m is not None else (at or 0)
        evidence = (m.sentence if m is not None else self._sentence_at(pos)) + (f"（{why}）" if why else "")
        self.out[metric] = ProseCount(value, evidence, self.line_of(pos))

    def _sentence_at(self, pos: int) -> str:
        a = max(self.text.rfind(ch, 0, pos) for ch in "。；\n") + 1
        ends = [i for i in (self.text.find(ch, pos) for ch in "。；\n") if i != -1]
        return self.text[a : (min(ends) if ends else len(self.text))].strip()

    def doubt(self, metric: str, cands: list[Mention], why: str) -> None:
        shown = "；".join(f"{m.value}（“{m.sentence[:40]}”）" for m in cands[:4])
        self.findings.append(
            Finding(
                "prose_count_ambiguous",
                "warning",
                f"正文所述“{BY_KEY['n__' + metric].zh}”{why}，无法确定，记为空：{shown}",
                (f"narrative.{metric}",),
            )
        )

    def decide(self, metric: str, cands: list[Mention], why: str = "有几个不同的数") -> None:
        values = {m.value for m in cands}
        if len(values) == 1:
            self.take(metric, cands[0].value, cands[0])
        elif values:
            self.doubt(metric, cands, why)

    def listed_kind(self, m: Mention) -> bool:
        """A count in the first item of a list of kinds of disclosure ("一是…信息N件。二是…审批信息
        公开…N件"): that kind's count, not the total."""
        if not _FIRST_ITEM.match(m.sentence):
            return False
        nxt = _NEXT_ITEM.search(self.text, m.end, m.end + 800)
        if not nxt or _SUBHEADING.search(self.text[m.end : nxt.start()]):  # the list ended at a heading
            return False
        lead = self.text[nxt.end() : nxt.end() + 24]
        item = _ITEM_END.split(self.text[nxt.end() : nxt.end() + 400])[0]
        about_disclosure = re.search(r"公开", lead) and not re.search(r"解读|回应|申请|平台|管理|监督", lead)
        return bool(about_disclosure and re.search(r"\d+\s*[件条个批项]", item))

    def info(self) -> None:
        totals, web, others = info_candidates(self.ms)
        listed = [m for m in totals if self.listed_kind(m)]
        if listed and len(listed) == len(totals) and not web:
            self.doubt("info_published_total", listed, "只是所列各类公开中一类的条数，没有总数")
            return
        totals = [m for m in totals if m not in listed]
        if totals:
            # different totals: nothing in the words says which one is the agency's
            self.decide("info_published_total", totals, "有几个不同的总数")
            return
        if not web:
            return
        web_values = {m.value for m in web}
        # the sentence goes on to another channel ("…N条，通过…微信公众号…"): one channel of several
        # a breakdown is not another channel, and publicity through the media is not disclosure
        rest = [re.sub(r"[^，,]*(?:宣传|报道|新闻稿)[^，,]*", "", re.split(r"其中|包括", m.after)[0]) for m in web]
        # another channel's count of items (条/篇/则), not a gazette's issues ("公报N期") or its documents
        other_channel_after = any(
            channels_named(c) - {"web", "column"} and re.search(r"通过|依托|利用|\d\s*[条篇则]", c)
            for a in rest
            for c in re.split(r"[，,；;]", a)
        )
        if len(web_values) == 1 and not others and not other_channel_after:
            self.take("info_published_total", web[0].value, web[0], "网站发布的条数；正文没有其他渠道各自的条数")
        elif len(web_values) > 1 or others:
            self.doubt("info_published_total", web + others, "只给出各渠道各自的条数，没有总数")

    def interpretations(self) -> None:
        units = "条篇件个次期项份则部"
        cands = [m for m in self.ms if m.exact and m.measure in units and is_interpretation(m)]
        if not cands:
            return
        starts = {m.start for m in cands}
        totals = [m for m in cands if m.part_of not in starts]
        with_parts = [m for m in totals if any(x.part_of == m.start for x in cands)]
        if with_parts and len({m.value for m in with_parts}) == 1:
            self.take("policy_interpretations", with_parts[0].value, with_parts[0])
            return
        same = {m.sentence_start for m in totals}
        forms = [FORM.search(last_item(m.head)[0]) for m in totals]
        if len(totals) > 1 and len(same) == 1 and all(forms) and len({f.group(0) for f in forms}) == len(forms):
            total = sum(m.value for m in totals)  # "图文解读N1篇、视频解读N2个": forms of one thing, no overlap
            self.take("policy_interpretations", total, totals[0], "各种形式的解读之和")
            return
        if len({m.value for m in totals}) == 1:
            self.take("policy_interpretations", totals[0].value, totals[0])
            return
        self.doubt("policy_interpretations", totals, "有几个不同的数")

    def responses(self) -> None:
        cands = [
            m for m in self.ms if m.exact and m.measure in "条件次个项篇起" and not m.noun_after and is_response(m)
        ]
        self.decide("responses_to_concerns", cands)

    def applications(self) -> None:
        found: list[tuple[Mention, int]] = []
        for m in self.ms:
            ok, carried = is_application(m) if m.exact else (False, 0)
            if ok:
                found.append((m, carried))
        starts = {m.start for m, _ in found}
        found = [(m, c) for m, c in found if m.part_of not in starts]  # "其中网上申请N件" is a part
        zeros = list(NONE_RECEIVED.finditer(self.text))
        found = [self.new_part(m, c) for m, c in found]
        if not found and not zeros and self.table_new is not None:
            # "办理依申请公开N件": applications handled are the year's new ones when the report's
            # own table 3 shows as many new applications and none carried over
            handled = [m for m in self.ms if m.exact and is_handled(m) and m.value == self.table_new]
            if handled:
                self.take(
                    "applications_received_text", handled[0].value, handled[0], "表三本年新收与之相同，且无上年结转"
                )
                return
        values = {m.value - c for m, c in found} | ({0} if zeros else set())
        if len(values) > 1:
            self.doubt("applications_received_text", [m for m, _ in found], "有几个不同的数")
        elif found:
            m, c = found[0]
            self.take("applications_received_text", m.value - c, m, f"其中上年结转 {c} 件不计" if c else "")
        elif zeros:
            self.take("applications_received_text", 0, None, at=zeros[0].start())

    def new_part(self, m: Mention, carried: int) -> tuple[Mention, int]:
        """A received count followed by its parts: "其中本年新收N件" is the new applications;
        "其中上年结转M件" is taken off."""
        for x in self.ms:
            if x.part_of != m.start or not x.exact:
                continue
            if re.search(r"新收|本年度?收到", x.subject):
                return x, 0
            if re.search(r"上一?年度?结转", x.subject) and not carried:
                carried = x.value
        return m, carried

    def fee(self) -> None:
        amounts = {
            float(x.group(1))
            for x in FEE_AMOUNT.finditer(self.text)
            if not FEE_RULE.search(self.text[max(0, x.start() - 20) : x.end() + 6])  # a tariff, not a sum
        }
        none = list(FEE_NONE.finditer(self.text))
        if none:
            amounts.add(0.0)
        if len(amounts) != 1:
            if len(amounts) > 1:
                self.findings.append(
                    Finding(
                        "prose_count_ambiguous",
                        "warning",
                        "正文所述信息处理费有几个不同的数"
                        f"（{'、'.join(f'{a:g}' for a in sorted(amounts))} 元），记为空",
                        ("narrative.processing_fee_yuan",),
                    )
                )
            return
        amount = amounts.pop()
        if amount != int(amount):
            return  # a fee in 角/分: the warehouse keeps whole yuan, and rounding would invent
        at = none[0].start() if none else next(FEE_AMOUNT.finditer(self.text)).start()
        self.take("processing_fee_yuan", int(amount), None, at=at)


def find_metrics(
    text: str, year: int | None = None, table_new: int | None = None
) -> tuple[dict[str, ProseCount], list[Finding]]:
    """text: the prose of the report (the preamble and sections one, five and six); year: the
    report's year (counts its sentences give to other years are not taken); table_new: T3's
    new applications when T3 carried none over (confirms a count of applications handled)."""
    joined, line_of = join_wraps(_LOST_MARK.sub(" ", text))

    def loc(pos: int) -> str:
        return f"L{line_of[min(pos, len(line_of) - 1)] if line_of else 1}"

    r = _Reader(joined, loc, year, table_new)
    r.info()
    r.interpretations()
    r.responses()
    r.applications()
    r.fee()
    return r.out, r.findings


_SUBHEADING = re.compile(r"\n\s*(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])")
_ITEM_END = re.compile(r"[一二三四五六七八九十]是|\n\s*[(（][一二三四五六七八九十]")
_FIRST_ITEM = re.compile(r"\s*(?:一是|其一[，,、])")
_NEXT_ITEM = re.compile(r"(?:^|(?<=[。；;\n]))\s*(?:[二三四五六七八九十]是|其[二三四][，,、])")

# a "?" glued to a count stands for a character a mirror site lost ("共?N条?"), not a question
_LOST_MARK = re.compile(r"\?(?=\d)|(?<=[\d条篇件个次期项份场])\?")

# ---- lines broken by PDF export --------------------------------------------------------------

_HEADING = re.compile(r"^\s*([一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d+[.、．])")
_ENDS = set("。；！？：:;!?）)")


def join_wraps(text: str) -> tuple[str, list[int]]:
    """Join lines that a PDF broke mid-sentence ("回应社会\\n关切N条"); returns the joined
    text and, for each of its characters, the original line number."""
    lines = text.split("\n")
    out: list[str] = []
    line_of: list[int] = []
    last = ""  # the last character written
    for n, line in enumerate(lines, start=1):
        if out and last != "\n":
            prev = lines[n - 2].rstrip()
            soft = len(prev) >= 15 and prev[-1:] not in _ENDS and line.strip() and not _HEADING.match(line)
            if not soft:
                out.append("\n")
                line_of.append(n - 1)
                last = "\n"
        if line:
            out.append(line)
            line_of.extend([n] * len(line))
            last = line[-1]
        else:
            out.append("\n")
            line_of.append(n)
            last = "\n"
    return "".join(out), line_of


# ---- reconsideration and litigation counts (checked against T4) ------------------------------

_N = r"(\d[\d,]*)\s*"
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

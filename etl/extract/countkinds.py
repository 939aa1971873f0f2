"""What a count in the prose counts: the words and the tests that decide it (etl.extract.prose
takes the decisions). Information published, policy interpretations, responses to concerns,
applications received and fees are told apart by the verb, the thing counted, the channel, the
part of the report and the words around the count, never by one report's sentences."""

from __future__ import annotations

import re

from etl.extract.clauses import Mention, last_item

# ---- words -----------------------------------------------------------------------------------

_PUBLISH = re.compile(r"公开|发布|更新|推送|公布|刊发|刊登|上传|发送|推出|登载|刊载")
_RECEIVE = re.compile(r"收到|受理|接收|接到|新收|收悉|共收|新增|登记")
# channels through which information is published; a count of one channel is not the total
_CHANNELS: tuple[tuple[str, re.Pattern], ...] = (
    ("wechat", re.compile(r"微信|公众号|公众平台|视频号")),
    ("weibo", re.compile(r"微博")),
    ("newmedia", re.compile(r"新媒体(?:平台|矩阵|账号)?|两微一端|客户端|APP|App|app|抖音|头条|快手|小程序")),
    ("print", re.compile(r"公报|报纸|电视|广播|报刊|媒体")),
    ("board", re.compile(r"公开栏|公示栏|宣传栏|查阅点|查阅场所|公示牌|电子屏")),
    # the official disclosure platform, column or catalogue is the agency's website
    (
        "web",
        re.compile(r"网站|门户|官网|信息公开(?:专栏|平台|目录|网)|[\u4e00-\u9fff]{2}网(?![络格民友点])|网页|页面|平台"),
    ),
    ("column", re.compile(r"栏目|专栏|目录|专题")),
)
_SEVERAL_CHANNELS = re.compile(r"等(?:平台|渠道|方式|载体|媒介|途径)|各类(?:渠道|平台|载体)|多渠道|各渠道|全媒体")
# information as such: the verb, then at most a scope and "各类/政府/政务" before 信息 ("主动公开政府信息",
# "公开全市各类政府信息", "…等政务信息", "各类信息发布"); a word in between makes it a topic
# ("主动公开财政预决算信息", "公开公安政府信息")
_GENERIC_INFO = re.compile(
    r"(?<!政务)(?<!信息)(?:公开|发布|更新|推送|公布|刊发)(?:了|的)?(?:全[市县区乡镇旗省]|本级)?(?P<q>各类|各项)?(?:公开)?"
    r"信息(?:公开|发布|数)?$"
    r"|(?<!政务)(?<!信息)(?:公开|发布|更新|推送|公布|刊发)(?:了)?[^，,、]{0,8}?(?P<g>政府|政务)信息(?:公开|发布|数)?$"
    r"|等(?:在内)?的?(?:各类)?(?P<q2>政府|政务)?信息(?:公开|发布)?$"
    r"|(?:各类|各项)(?:政府|政务)?信息(?:公开|发布)$"
)
_NOT_PROACTIVE = re.compile(r"依申请|不予公开|申请公开")
_INTERPRET = re.compile(r"解读|图解")
_NOT_INTERPRET = re.compile(r"解读率|图解率|发布会|访谈|培训|宣讲|讲座|直播|会议|活动|解读会|解读工作|解读力度")
FORM = re.compile(r"文字|图片|图文|视频|短视频|音频|动漫|动画|漫画|H5|图解|其它形式|其他形式|问答|长图|新闻稿")
_RESPOND = re.compile(r"回应|舆情")
_APPLY_NOUN = re.compile(r"申请|依申请")
_DISCLOSURE_APPLY = re.compile(
    r"依申请|信息公开申请|公开申请|申请公开|政府信息[^，。；]{0,6}申请|申请[^，。；]{0,4}政府信息"
)
_OTHER_APPLY = re.compile(r"复议|诉讼|许可|审批|投诉|举报|信访|低保|补贴|救助申请|政务服务")
_CARRIED_IN = re.compile(r"^\s*[(（]\s*(?:其中|含)[^)）]{0,8}?(?:上一?年度?|\d{4}\s*年度?)结转[^)）\d]{0,6}(\d+)\s*件")
_CARRIED_NEXT = re.compile(r"^[，,、]\s*其中[^，。；]{0,6}?(?:上一?年度?|\d{4}\s*年度?)结转[^，。；\d]{0,6}(\d+)\s*件")
NONE_RECEIVED = re.compile(
    r"(?:未收到|没有收到|未接到|没有接到|未接收到?|没有接收到?|未受理|未有|未发生|没有发生|无)(?:[^。；，,\d复诉]{0,16}?)"
    r"(?:依申请公开|公开申请|信息申请|申请公开|申请表|(?:政府信息|信息公开)[^。；，,\d复诉]{0,8}?申请)"
    r"(?![^。；，,]{0,8}?(?:引发|引起|提起|而产生|导致|复议|诉讼))"
)
FEE_NONE = re.compile(
    r"(?:未|没有|无|不存在|未曾)[^。；\d]{0,14}?(?:收取|产生|发生|涉及|收缴)[^。；\d]{0,24}?"
    r"(?:信息处理费|处理费|公开费用|收费事项|收费情况|费用)"
    r"|(?:信息处理费|处理费)[^。；\d]{0,8}?(?:为|共计|合计|计)?\s*(?:0|零)\s*元"
)
FEE_AMOUNT = re.compile(r"(?:信息处理费|处理费)[^。；\d]{0,10}?(\d+(?:\.\d+)?)\s*元(?![/每])")
FEE_RULE = re.compile(r"标准|每件|每页|每份|按件|按量|超过|以上的|收费办法|管理办法")


def channels_named(text: str) -> set[str]:
    found: set[str] = set()
    for name, pat in _CHANNELS:
        if pat.search(text):
            found.add(name)
            text = pat.sub("", text)  # "微信公众平台" is WeChat, not a web platform
    return found


_BUILT = re.compile(r"(?:开设|新开设|新设|开通|设置|增设|建设|创建|上线|改版|完善|优化|加强|升级|新增)[^，,。；;]*")


def _mention_channels(m: Mention) -> tuple[set[str], bool]:
    """(channel groups, several on purpose): the clause's own channel words, else those the
    sentence named as its means before it ("依托<公众号>发布…N条，推送…信息M条"), leaving out
    channels that are what was built ("开设专栏N个，主动公开政府信息M条")."""
    own = channels_named(m.subject)
    words = m.subject
    if not own:
        words = _BUILT.sub("", m.prefix)
        own = channels_named(words)
    if not own and _REFERS_BACK.fullmatch(m.head):  # the channel the sentence before published through
        words = _BUILT.sub("", m.previous)
        own = channels_named(words)
    if own == {"column"} and not channels_named(m.subject):
        own = set()  # "公布动态、公示等栏目内容，全年主动公开信息N条": the columns are what was published
    return own, len(own) > 1 or bool(_SEVERAL_CHANNELS.search(words))


# ---- candidates --------------------------------------------------------------------------------


_YEAR_TOTAL = re.compile(r"全年|本年|今年|\d{4}\s*年|共计|总计|合计|共")
_REFERS_BACK = re.compile(r"(?:全年|本年度?|今年)(?:共计|共|累计)?(?:发布|公开)")
_STATED_SUM = re.compile(r"^(?:共计|合计|总计|共|计|合计共|总共)+$")
_EXPLICIT_TOTAL = re.compile(r"总计|合计")
_POST_NOUN = re.compile(r"(?:微博|消息|推文|图文|报道|文章|视频|稿件|投诉|留言|粉丝|阅读|订阅)$")


def _info_kind(m: Mention) -> str | None:
    """ "strong": a count of government information as such ("主动公开政府信息", "各类信息",
    "…等政务信息"); "weak": "公开信息" said of one channel; None: documents, a topic, a category."""
    head = re.sub(r"[（(][^）)]{0,16}[）)]", "", m.head)  # an aside: "公开区政府（含办公室）信息"
    if m.noun_after:  # "公开N条涉及…的信息": the noun follows the count
        tail = re.split(r"[，,。；;]", m.after.lstrip())[0]
        if not tail.endswith("信息"):
            return None
        head = head + "信息"
    if not _PUBLISH.search(m.subject) or _NOT_PROACTIVE.search(m.subject) or re.search(r"其[他它]", head):
        return None  # "其他…政府信息N条" is a category of a list
    proactive = "主动公开" in m.subject
    if proactive and re.search(r"主动公开$", head):
        return "strong"  # "主动公开N条": the verb alone names the thing
    if _REFERS_BACK.fullmatch(head) and _PUBLISH.search(m.previous) and re.search(r"信息[。；]?$", m.previous.strip()):
        return "weak"  # "…发布…信息。全年共发布N条": the count of what the sentence before published
    g = _GENERIC_INFO.search(head)
    if not g:
        return None
    if g.group("q") or g.group("g") or "等" in g.group(0) or "各" in g.group(0) or proactive:
        return "strong"
    return "strong" if _EXPLICIT_TOTAL.search(m.subject) else "weak"  # "公开信息" of one website


def _breakdown(m: Mention, ms: list[Mention]) -> list[Mention]:
    """The counts right after (or before) m in its sentence that add up to it: its parts,
    printed without "其中" ("…主动公开信息N条，A类信息N1条，B类公示N2条", N = N1 + N2)."""
    same = [x for x in ms if x.sentence_start == m.sentence_start and x.exact and x is not m]
    for run in ([x for x in same if x.start > m.start], [x for x in reversed(same) if x.start < m.start]):
        total = 0
        for k, x in enumerate(run):
            total += x.value
            if total == m.value and k >= 1:
                return run[: k + 1]
            if total > m.value:
                break
    return []


def info_candidates(ms: list[Mention]) -> tuple[list[Mention], list[Mention], list[Mention]]:
    """(all-channel totals, single-website counts, other channels' counts)."""
    usable = [m for m in ms if m.exact and not m.in_parens and not m.history and m.measure in "条篇件项则份"]
    kind = {m.start: _info_kind(m) for m in usable}
    for m in usable:
        if kind[m.start] is None and _STATED_SUM.match(m.subject.strip()):  # "…N1条，…N2条，合计共N条"
            parts = _breakdown(m, usable)
            published = [x for x in parts if _PUBLISH.search(x.subject) and x.head.endswith("信息")]
            if parts and published and all(x.start < m.start for x in parts):
                kind[m.start] = "strong"
    parts_of: set[int] = set()
    for m in usable:
        if kind[m.start]:
            stated_sum = bool(_STATED_SUM.match(m.subject.strip()) or _EXPLICIT_TOTAL.match(m.subject.strip()))
            parts_of |= {x.start for x in _breakdown(m, usable) if x.start > m.start or stated_sum}
    by_start = {m.start: m for m in usable}
    totals: list[Mention] = []
    weaker: list[Mention] = []
    web: list[Mention] = []
    others: list[Mention] = []
    for m in usable:
        groups, several = _mention_channels(m)
        own_web = channels_named(m.subject) == {"web"} and _PUBLISH.search(m.subject) and m.topic in ("", "active")
        parent = by_start.get(m.part_of) if m.part_of is not None else None
        is_part = m.start in parts_of or (parent is not None and kind.get(parent.start))
        own = channels_named(m.subject) - {"web", "column"}
        counted = m.noun_after[:2] if m.noun_after else m.head  # what the count counts: posts are not information
        # a "part" printed for another channel is that channel's own count unless the parts add up
        channel_part = is_part and m.start not in parts_of
        if own and not several and (not is_part or channel_part) and m.topic in ("", "active"):
            named_only = len(re.sub(r"[“”\"“”]", "", m.subject)) <= 12 and not re.search(
                r"[\u4e00-\u9fff]{2}(?:录用|刊登|转载)", m.subject
            )
            publicity = re.search(r"宣传|报道|新闻稿|录用", m.subject)
            if not _POST_NOUN.search(counted) and (_PUBLISH.search(m.subject) or named_only) and not publicity:
                others.append(m)  # another channel's own count of what it published ("微信公众号发布信息N条")
        k = kind[m.start]
        if own_web and not k and not is_part and m.head.endswith("信息"):
            others.append(m)  # what another website published ("<另一网站>发布<某类>信息N条")
        if not k or is_part:
            continue
        # the total lives where the report speaks of proactive disclosure; under platform building
        # only a count of what was proactively disclosed is one
        if m.topic not in ("", "active") and not (m.topic == "platform" and "主动公开" in m.subject):
            continue
        # all of a jurisdiction's information through its portal ("公开全市各类政府信息") is its total
        whole = k == "strong" and groups == {"web"} and bool(re.search(r"全[市县区省旗镇乡]|各级", m.head))
        if several and groups and "web" not in groups and not (channels_named(m.subject) & {"web"}):
            others.append(m)  # "通过微信、微博等新媒体发布信息N条": a group of channels that leaves out the website
            continue
        # "全年共发布信息N条" under the heading of proactive disclosure, through no channel named: the year's total
        # (not a column's or topic's count, not one item of a list of tasks)
        year_total = k == "weak" and not groups and m.topic == "active" and bool(_YEAR_TOTAL.search(m.prefix))
        listed = re.match(r"\s*[一二三四五六七八九十]是", m.sentence)
        year_total = year_total and not channels_named(m.prefix) and not listed
        # "<某年>通过政府网站、查阅场所等公开信息N条": several channels, the website among them, in the
        # year's own words: their total, when no count of government information as such is stated
        over_channels = k == "weak" and several and "web" in groups and bool(re.search(r"公开|发布", m.head[-6:]))
        if over_channels and _YEAR_TOTAL.search(m.prefix) and not re.search(r"更新|推送|转载", m.head[-6:]):
            weaker.append(m)
            continue
        if ((not groups or several) and k == "strong") or whole or year_total:
            totals.append(m)
        elif groups == {"web"}:
            web.append(m)
    return (totals or weaker), web, others


_INTERPRETED = re.compile(r"进行(?:政策)?解读|作出解读|开展(?:政策)?解读|予以解读")


def is_interpretation(m: Mention) -> bool:
    if m.noun_after:  # "共计N条政策解读", "对N项…政策文件进行解读": the count's noun follows it
        clause = re.split(r"[，,。；;]", m.after.lstrip())[0]
        interpreted_docs = re.search(r"文件|政策", clause) and _INTERPRETED.search(clause)
        return bool(re.match(r"(?:政策)?解读|图解", m.noun_after)) or bool(interpreted_docs)
    item, joiner = last_item(m.head)
    if not _INTERPRET.search(item) or _NOT_INTERPRET.search(item):
        return False
    joined_to_interpretation = re.match(r"(?:其|相关|政策)?(?:解读|图解)", item)
    if (
        joiner in ("及", "和", "与")
        and joined_to_interpretation
        and not _INTERPRET.search(m.head[: len(m.head) - len(item) - 1][-6:])
    ):
        return False  # "政策文件及解读": documents and interpretations counted together (not "网站和公众号…解读")
    if re.search(r"[及和与]解读|及其解读|文件和政策解读", m.head):
        return False
    return not _lumped(m.head, item, joiner)


_CATEGORY = re.compile(r"报告|会议|办理|公开|信息|文件|规划|统计|动态|决策|权力|情况|建议|提案|预决算|资金|公告")


def _lumped(head: str, item: str, joiner: str) -> bool:
    """A count shared by a list of categories ("建议提案办理、回应关切…N条"), not
    the last one's own; a list of kinds of one thing ("图片、视频等形式解读") is not."""
    if joiner != "、" or "等" in item:
        return False
    before = head[: len(head) - len(item) - 1]
    prev = re.split(r"[、，,]", before)[-1]
    return bool(_CATEGORY.search(prev))


_NOT_RESPONSE = re.compile(r"回应率|申请|留言|咨询|来信|来电|信件|信箱|诉求|投诉|建议|提案|互动")


def is_response(m: Mention) -> bool:
    item, joiner = last_item(m.head)
    # answers on the interaction channels (互动回应, 留言 …) are not responses to public concerns
    if not _RESPOND.search(item) or _NOT_RESPONSE.search(item):
        return False
    return not _lumped(m.head, item, joiner)


_APPLY_QUANTITY = re.compile(r"(?:政府信息公开|依申请公开|信息公开)申请(?:的)?(?:数量|件数|总数|数)")


def is_application(m: Mention) -> tuple[bool, int]:
    """(a count of applications received, how many of them the text says were carried over)."""
    if m.measure not in "件条个宗份次" or m.in_parens or m.history:  # "截至目前累计收到…": not the year's
        return False, 0
    subject, after = m.subject, m.after
    noun_after = bool(re.match(r"(?:政府信息公开|信息公开)?(?:申请|依申请)", m.noun_after))
    if m.noun_after and not noun_after:
        return False, 0  # "…等N个部分": the count counts the noun after it
    # applications for information: "申请" alone only where the report speaks of them (its 依申请公开
    # part); never applications for reconsideration, licences, petitions …
    disclosure = bool(_DISCLOSURE_APPLY.search(subject + m.noun_after)) or (
        m.topic == "apply" and (bool(_APPLY_NOUN.search(subject)) or noun_after)
    )
    received = bool(_RECEIVE.search(subject)) and disclosure
    bare = re.fullmatch(r"(?:全年|本年度?|\d{4}年度?)?依申请公开(?:政府信息)?(?:申请|事项)?", m.head) is not None
    # "共有N件依申请公开事项": the applications the year had
    bare = bare or (noun_after and re.search(r"共有|共计有|有$", m.subject) is not None)
    bare = bare and m.measure == "件"
    # "政府信息公开申请数量为N件": the year's applications stated as a quantity, without a verb
    bare = bare or bool(_APPLY_QUANTITY.search(m.subject) and not re.search(r"办理|办结|答复|处理|结转", m.subject))
    if not (received or bare) or re.search(r"未|没有", subject) or _OTHER_APPLY.search(subject + m.noun_after):
        return False, 0
    if "新收" in subject:
        return True, 0
    c = _CARRIED_IN.match(after) or _CARRIED_NEXT.match(after)
    return True, int(c.group(1)) if c else 0


# ---- decisions --------------------------------------------------------------------------------


def is_handled(m: Mention) -> bool:
    """ "办理依申请公开N件", "全年办理政府信息公开申请N件": applications handled, not received."""
    return (
        m.measure in "件条宗"
        and not m.in_parens
        and bool(re.search(r"办理|处理", m.subject))
        and bool(re.search(r"申请", m.subject + m.noun_after))
        and not re.search(r"办结|答复|累计", m.subject)
    )


def of_the_year(m: Mention, year: int | None) -> bool:
    """What was done in the report's year: not a plan, not the problems section, not a count
    its sentence gives to another year ("<上一年>年…" in the report of a year)."""
    if m.plan or m.topic == "problems":
        return False
    return year is None or not m.years or m.years[-1] == year

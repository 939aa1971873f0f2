"""The prose of a generated report: sentences drawn from banks, so that one agency's text
differs from year to year (a copied report is a defect, injected on purpose)."""

from __future__ import annotations

import random
import zlib

ACTIVE = [
    "坚持以公开为常态、不公开为例外，围绕中心工作及时准确发布政府信息",
    "聚焦重点领域信息公开，持续做好财政预决算、重大建设项目、公共资源配置等信息发布",
    "严格落实公文公开属性源头认定制度，拟制公文时同步明确公开属性",
    "加强政策文件集中公开，规范性文件实行统一登记、统一编号、统一发布",
    "持续更新政府信息公开指南和主动公开基本目录，方便公众查询获取",
    "围绕优化营商环境，及时发布惠企政策和办事指南",
    "做好民生领域信息公开，重点公开社会救助、教育、医疗卫生等信息",
    "推进决策公开，重要政策出台前通过网站公开征求社会意见",
    "丰富解读形式，采用图解、视频、问答等方式提升解读效果",
    "及时回应群众关切，对社会关注度高的问题做好解释说明",
]
APPLY = [
    "严格执行依申请公开登记、审核、办理、答复、归档等程序",
    "进一步规范答复文书格式，确保答复内容合法、准确、规范",
    "加强与申请人沟通，准确了解申请诉求，提高办理质量",
    "畅通网上申请、信函申请、当面申请等渠道",
]
MANAGE = [
    "严格执行信息发布“三审三校”制度，落实分级审核、先审后发",
    "定期开展已公开信息的清理和更新，及时撤除过期失效信息",
    "加强保密审查，防止泄露国家秘密和个人隐私",
    "建立健全信息公开工作台账，做到底数清、情况明",
]
PLATFORM = [
    "加强政府网站信息公开专栏建设，优化栏目设置",
    "推进政务新媒体规范管理，关停整合更新不及时的账号",
    "完善政务公开专区建设，为群众提供查阅服务",
    "做好网站适老化和无障碍改造，提升浏览体验",
]
SUPERVISE = [
    "成立政务公开工作领导小组，明确分管领导和具体工作人员",
    "将政务公开工作纳入年度绩效考核，定期通报工作情况",
    "组织开展政务公开业务培训，提升工作人员业务能力",
    "全年未发生政府信息公开责任追究情况",
]
PROBLEMS = [
    "政策解读的形式还不够丰富，解读质量有待提高",
    "信息公开的及时性、规范性还需加强",
    "依申请公开答复的规范化水平有待进一步提升",
    "政务新媒体运维管理还需加强",
    "基层政务公开标准化规范化建设推进不够均衡",
]
IMPROVE = [
    "下一步，将进一步丰富解读形式，提高政策解读的针对性",
    "加强业务培训，提升工作人员依法公开的意识和能力",
    "完善信息发布审核机制，确保公开内容准确规范",
    "持续推进基层政务公开标准化规范化建设",
]


def choose(rng: random.Random, bank: list[str], k: int) -> list[str]:
    return rng.sample(bank, min(k, len(bank)))


def picks(rng: random.Random) -> dict[str, list[str]]:
    """The sentences of one year's report (a copied report reuses last year's picks)."""
    return {
        "active": choose(rng, ACTIVE, 4),
        "apply": choose(rng, APPLY, 2),
        "manage": choose(rng, MANAGE, 2),
        "platform": choose(rng, PLATFORM, 2),
        "supervise": choose(rng, SUPERVISE, 2),
        "problems": choose(rng, PROBLEMS, 2),
        "improve": choose(rng, IMPROVE, 2),
    }


# Ways real reports state each count (etl.extract.prose reads every one of them exactly). {n} is the
# count; {a} and {b} are two parts that add up to it, stated after it ("其中…") or as forms.
INFO = (
    "全年主动公开政府信息{n}条",
    "{y}年，通过政府门户网站主动公开政府信息{n}条",
    "全年共主动公开各类政府信息{n}条，其中政策文件{a}条、工作动态{b}条",
    "通过门户网站、政务新媒体等渠道主动公开政府信息共计{n}条",
    "本年度累计主动公开政务信息{n}条",
    "主动公开政府信息{n}条，内容涵盖机构职能、政策文件、财政预决算等",
)
POLICY = (
    "发布政策解读信息{n}条",
    "全年发布政策解读{n}篇",
    "围绕重要政策文件，解读政策性文件{n}个",
    "制作图文解读{a}篇、视频解读{b}个",
    "共发布解读材料{n}篇",
    "对{n}件政策文件进行解读",
)
RESPONSES = ("回应社会关切{n}条", "回应公众关注热点{n}个", "主动回应社会关切{n}次")
APPLIED = (
    "全年共收到政府信息公开申请{n}件，均已按期答复",
    "本年度共受理依申请公开{n}件，均在法定期限内办结",
    "全年新收政府信息公开申请{n}件",
    "共收到{n}件政府信息公开申请，均已按时答复",
)
NONE_APPLIED = ("全年未收到政府信息公开申请", "本年度没有收到政府信息公开申请", "全年新收政府信息公开申请0件")
FEE = ("本年度未收取政府信息公开信息处理费。", "本年度没有产生信息处理费。", "{y}年，无收取信息处理费情况。")


def _say(rng: random.Random, forms: tuple[str, ...], n: int, year: int) -> str:
    """One of the forms, with the count; forms that need two parts only for counts of two or more."""
    usable = [f for f in forms if "{a}" not in f or n >= 2]
    a = max(1, n // 3) if n >= 2 else 0
    return rng.choice(usable).format(n=n, a=a, b=n - a, y=year)


def sections(
    agency: str, year: int, p: dict[str, list[str]], n: dict[str, int], review: int, lit: int
) -> dict[str, str]:
    """Section texts: 1 (with sub-heads), 5 and 6. Counts come from `n` (what the prose states),
    each in one of the ways real reports state it. The way is drawn from the year's picks, so a
    copied report copies it too."""
    say = random.Random(zlib.crc32("".join(p["active"] + p["apply"]).encode()))
    active = "；".join(p["active"])
    facts = f"{year}年，{_say(say, INFO, n['info_published_total'], year)}。"
    facts += _say(say, POLICY, n["policy_interpretations"], year)
    if "responses_to_concerns" in n:
        facts += "，" + _say(say, RESPONSES, n["responses_to_concerns"], year)
    apps = n["applications_received_text"]
    apply_fact = _say(say, APPLIED, apps, year) if apps else say.choice(NONE_APPLIED)
    cases = (
        f"全年发生政府信息公开行政复议{review}件、行政诉讼{lit}件"
        if review or lit
        else "全年未发生因政府信息公开引起的行政复议、行政诉讼"
    )
    return {
        "1": "\n".join(
            [
                f"{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政府信息公开工作。",
                "（一）主动公开",
                f"{active}。{facts}。",
                "（二）依申请公开",
                f"{'；'.join(p['apply'])}。{apply_fact}。{cases}。",
                "（三）政府信息管理",
                f"{'；'.join(p['manage'])}。",
                "（四）政府信息公开平台建设",
                f"{'；'.join(p['platform'])}。",
                "（五）监督保障",
                f"{'；'.join(p['supervise'])}。",
            ]
        ),
        "5": f"一是{p['problems'][0]}；二是{p['problems'][1]}。{'；'.join(p['improve'])}。",
        "6": _say(say, FEE, 0, year),
    }

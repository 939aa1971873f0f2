"""Counts in the prose, read by what each count counts: phenomena of the language, one each.
A value is taken only when a careful reader would take it; otherwise NULL, with a reading
finding where candidates compete."""

from __future__ import annotations

import pytest

from etl.extract.prose import find_metrics

K = "info_published_total"
P = "policy_interpretations"
R = "responses_to_concerns"
A = "applications_received_text"
F = "processing_fee_yuan"


def read(text: str, year: int | None = 2023, table_new: int | None = None) -> dict[str, int]:
    metrics, _ = find_metrics(text, year, table_new)
    return {k: m.value for k, m in metrics.items()}


def doubts(text: str) -> list[str]:
    return [f.message for f in find_metrics(text, 2023)[1] if f.rule == "prose_count_ambiguous"]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # a stated total beats its breakdown, with or without 其中
        ("2023年，全年主动公开政府信息356条，其中政策文件12条、工作动态300条。", 356),
        ("通过政府信息公开平台主动公开信息111条，环境保护类信息33条，行政处罚公示78条。", 111),
        # the parts before a stated sum
        ("公开基础信息135条，主动公开发布项目信息5条，水利信息81条，合计共221条。", 221),
        # the website, the only channel the text counts
        ("2023年，通过县政府门户网站主动公开政府信息9268条。", 9268),
        # several channels joined: their total
        ("通过门户网站及政务新媒体等渠道主动公开政府信息共计907条。", 907),
        # the verb alone names the thing
        ("我办共通过门户网站及政务新媒体方式主动公开907条。", 907),
        # the noun after the number
        ("县民政局通过政府信息公开网公开89条涉及民生事项的信息。", 89),
        # what the sentence before published, and through which channel
        ("通过区政府门户网站集约化平台，及时发布重点领域信息。全年共发布212条，其中财政决算2条。", 212),
    ],
)
def test_information_published(text, want):
    assert read(text).get(K) == want


@pytest.mark.parametrize(
    "text",
    [
        "全年主动公开政府信息约9826条。",  # approximate
        "全年主动公开政府信息2000余条。",
        "全年主动公开政府信息3.6万条。",  # in 万
        "全年主动公开各类文件472份。",  # documents, not information
        "历年累计主动公开政府信息1886条。",  # over the years
        "其中公开财政预决算信息20条、工作动态信息147条。",  # categories
        "全市各部门在门户网站发布信息3357条，微信公众号发布信息1875条，官方微博发布信息713条。",  # channels, no total
        "2022年主动公开政府信息300条。",  # another year
        "下一步，计划于明年主动公开政府信息500条。",  # a plan
    ],
)
def test_not_the_years_total(text):
    assert K not in read(text)


def test_several_channels_counted_and_no_total_is_a_reading_doubt():
    text = "门户网站发布各类信息3357条，微信公众号发布信息1875条。"
    assert K not in read(text)
    assert any("3357" in m and "1875" in m for m in doubts(text))


def test_two_different_totals_are_a_reading_doubt():
    text = "全年主动公开政府信息356条。本年度共主动公开各类政府信息400条。"
    assert K not in read(text) and doubts(text)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("全年发布政策解读信息12条。", 12),
        ("制作图文解读8篇、视频解读2个。", 10),  # forms of one thing: their sum
        ("发布政策解读205篇，其中文字解读144篇，图片解读61篇。", 205),  # the total, not its parts
        ("围绕重要政策文件，解读政策性文件39个。", 39),
        ("对29项重要政策文件进行解读。", 29),
        ("等共计4条政策解读。", 4),
    ],
)
def test_policy_interpretations(text, want):
    assert read(text).get(P) == want


@pytest.mark.parametrize(
    "text",
    [
        "发布重要政策及解读文件23条。",  # documents together with their interpretations
        "政策解读、决策公开、行政权力等信息94条。",  # a list of categories sharing one count
        "召开政策解读新闻发布会3场。",  # events
        "政策解读率100%。",
    ],
)
def test_not_interpretations(text):
    assert P not in read(text)


def test_responses_to_concerns():
    assert read("回应公众关注热点4条。").get(R) == 4
    assert R not in read("办理网民留言70条，回应留言咨询12件。")


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("全年共收到政府信息公开申请7件。", 7),
        ("本年度收到政府信息公开申请一件。", 1),
        ("全年共收到并按时办结16件政府信息公开申请。", 16),
        ("共受理政府信息公开申请25件（含上年结转3件）。", 22),  # the year's new applications
        ("共受理政府信息公开申请25件，其中本年新收23件，上年结转2件。", 23),
        ("全年未收到政府信息公开申请。", 0),
        ("区卫生健康局未收到依申请公开件。", 0),
    ],
)
def test_applications_received(text, want):
    assert read(text).get(A) == want


@pytest.mark.parametrize(
    "text",
    [
        "全年共受理行政复议申请3件。",  # reconsideration, not information
        "共受理行政许可申请1200件。",
        "全年办理政府信息公开申请96件。",  # handled, not received
        "全年共收到政府信息公开申请约40件。",
    ],
)
def test_not_applications_received(text):
    assert A not in read(text)


def test_applications_handled_are_not_received_unless_table_3_says_they_are_new():
    text = "办理依申请公开19件。"
    assert A not in read(text)
    assert read(text, table_new=19).get(A) == 19
    assert A not in read(text, table_new=20)
    assert A not in read("全年未受理因政府信息公开申请引发的行政复议。")


def test_processing_fee():
    assert read("六、其他需要报告的事项\n本年度未收取信息处理费。").get(F) == 0
    assert read("收取信息处理费共计380元。").get(F) == 380
    assert F not in read("按件计收信息处理费，收费标准为每件100元。")  # a tariff, not a sum
    assert F not in read("六、其他需要报告的事项\n无。")


def test_every_value_keeps_its_sentence_and_line():
    metrics, _ = find_metrics("一、总体情况\n2023年，全年主动公开政府信息356条。\n", 2023)
    m = metrics[K]
    assert m.loc == "L2" and "356" in m.evidence


# ---- phenomena met on the grown corpus (written from the language, not copied) -------------------


@pytest.mark.parametrize(
    ("text", "metric", "want"),
    [
        # a "?" glued to a count is a lost character of a mirror site, not a question mark
        ("全年通过网站主动发布信息共?88条?。制作政策解读材料?4份?。", P, 4),
        # the columns named before the count are what was published, not a channel
        ("及时公布工作动态、通知公告等栏目内容，全年主动公开信息64件。", K, 64),
        # "总数" through the website; a gazette's issues (期) are not another channel's count
        ("本年度通过政府网站主动公开信息总数512条，印发公开文件9件，发布政府公报4期。", K, 512),
        # "主动公开的信息"
        ("截至2023年12月31日，我局主动公开的信息27条，未收到申请。", K, 27),
        # "未接收到…申请" across a PDF line break
        ("（二）依申请公开情况。全年未接收到受理政府信息公开\n申请，未发生行政复议。", A, 0),
        # a list item that says it is about applications makes "申请书N份" applications received
        ("一是主动公开情况。网站发布信息40条。\n二是依申请公开情况。本年度接收到申请书7份。", A, 7),
    ],
)
def test_grown_corpus_phenomena(text, metric, want):
    assert read(text).get(metric) == want


def test_interaction_answers_are_not_responses_to_concerns():
    assert R not in read("完成互动回应6条，对群众关注的内容进行答复。")
    assert read("全年回应社会关切6条。").get(R) == 6


def test_a_new_media_group_is_not_the_total_beside_the_website():
    text = "2023年，通过局网站主动发布各类政务信息640条，通过微信、微博等政务新媒体发布各类政府信息210条。"
    assert K not in read(text)
    assert any("640" in d and "210" in d for d in doubts(text))
    # the website among the channels joined: their total
    assert read("通过门户网站、微信公众号等平台主动公开政府信息850条。").get(K) == 850


def test_the_first_item_of_a_list_of_kinds_is_not_the_total():
    text = (
        "（一）主动公开情况。\n一是及时发布各类文件、财务、人事等信息120件。\n"
        "二是持续推进审批信息公开。公开用地批复31件、许可结果12个。\n（二）依申请公开情况。"
    )
    assert K not in read(text)
    assert any("120" in d for d in doubts(text))
    # a list whose next item is about interpretation leaves the first item's total alone
    listed = "一是全年主动公开政府信息300条。\n二是强化政策解读，发布解读稿件12篇。"
    assert read(listed).get(K) == 300


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("（二）依申请公开情况\n全年政府信息公开申请数量为6件。", 6),  # a quantity, no verb
        ("（二）依申请公开情况\n依申请公开政府信息2件。", 2),
        ("（二）依申请公开情况\n本年度未发生依申请公开事项。", 0),
        ("（二）依申请公开情况\n2023年度，依申请公开事项3件，均按时办结。", 3),
        ("（二）依申请公开情况\n2023年度共有2件依申请公开事项。", 2),
        # registering and "new" applications are receiving them
        ("（二）依申请公开情况\n2023年共登记政府信息公开申请11件。", 11),
        ("（二）依申请公开情况\n全年新增政府信息公开申请4件。", 4),
    ],
)
def test_applications_said_without_a_verb_of_receiving(text, want):
    assert read(text).get(A) == want


def test_no_reconsideration_about_applications_is_not_no_applications():
    assert A not in read("（二）依申请公开情况\n本年度未发生依申请公开行政复议案件。")


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("（一）主动公开情况\n全年共发布信息56条，其中工作动态30条。", 56),
        ("（一）主动公开情况\n2023年度，我街道共公开信息52条，内容涵盖工作动态、通知公告等。", 52),
        # a column's or topic's count, or one item of a list of tasks, is not the year's total
        ("（一）主动公开情况\n开设乡村振兴专栏，本年度公开信息77条。", None),
        ("（一）主动公开情况\n四是强化基层政务公开，全年公开信息40条。", None),
        # outside the part on proactive disclosure nothing says what the count is of
        ("（四）平台建设情况\n全年共发布信息56条。", None),
    ],
)
def test_information_of_the_year_said_plainly(text, want):
    assert read(text).get(K) == want


def test_information_of_kinds_named_with_deng_zai_nei():
    text = "（一）主动公开情况\n通过政府网站主动公开机构职能、政策文件等在内的信息230条。"
    assert read(text).get(K) == 230


def test_applications_over_the_years_are_not_the_years():
    assert A not in read("（二）依申请公开情况\n截至目前累计收到政府信息公开申请50件。")


def test_carried_over_named_by_its_year():
    assert read("（二）依申请公开\n2023年收到政府信息公开申请20件（含2022年结转3件）。").get(A) == 17


def test_an_aside_in_brackets_does_not_hide_the_information():
    assert read("（一）主动公开\n依托门户网站主动公开区政府（含区政府办公室）信息640条。").get(K) == 640


def test_channels_joined_before_interpretations_are_not_documents_joined_to_them():
    assert read("全年通过网站和微信公众号共发布解读材料45条，包含文字解读30条，视频解读15条。").get(P) == 45
    assert P not in read("全年发布政策文件及解读32条。")


def test_a_new_media_platform_is_not_the_website():
    text = "通过区政府门户网站主动公开政府信息700条。通过微信公众号、微博、抖音等政务新媒体平台主动公开政府信息500条。"
    assert K not in read(text)


def test_a_sentence_opening_with_qizhong_is_a_part_of_the_one_before():
    text = (
        "（一）主动公开\n本市2019年通过政府网站、信息查阅场所等公开信息9000条。"
        "其中，通过市政府门户网站公开政府信息1200条。"
    )
    assert read(text, 2019).get(K) == 9000


def test_channels_joined_for_a_topic_are_not_the_total():
    # updated through several platforms for one topic: no total of the year
    text = "持续公开爱国卫生等信息，共计通过区政府门户网站、微博、微信公众号等平台更新信息83条。"
    assert K not in read(text)
    # a count of government information as such beats a count over channels
    both = "全年主动公开政策文件等政府信息235条。通过查阅点、信息公开平台等渠道公开信息26条。"
    assert read(both).get(K) == 235


def test_responses_counted_as_events():
    assert read("（三）回应关切\n及时回应群众关切，回应舆情事件3起。").get(R) == 3

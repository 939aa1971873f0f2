"""The 督办 workflow and the review of reading doubts, on SQLite and on a real PostgreSQL server:
every rule, batches all or nothing, the data's own steps, append-only history naming the account,
notes, and two processes writing at once."""

from __future__ import annotations

import subprocess
import time
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from review_records import actor, finding, report, worker_command

from etl.review import tables
from etl.review.errors import Refused
from etl.review.model import Decision, FileRef, Fix
from etl.review.queries import INITIAL, export_columns, history, notes, state_counts, state_of, states
from etl.review.workflow import TRANSITIONS, add_note, allowed, decide, mark_fixed, mark_overdue

pytest_plugins = ["review_support"]

TODAY = date(2025, 3, 1)
REVIEWER = actor()  # 张三, reviewer of 江西省/赣州市


def refusal(store, decisions, who=REVIEWER) -> str:
    with pytest.raises(Refused) as e:
        decide(store, who, decisions, today=TODAY)
    return " ".join(r.reason for r in e.value.refusals)


def test_transitions_are_data_and_complete():
    for origin, states_ in (
        ("report", ("待核实", "已确认", "已排除", "已通知", "已整改", "逾期未改")),
        ("reading", ("待核查", "已确认读数", "已更正", "无法辨认")),
    ):
        assert {x.target for x in TRANSITIONS if x.origin == origin} | {INITIAL[origin]} == set(states_)
    assert set(allowed("report", "待核实")) == {"已确认", "已排除"}
    assert allowed("report", "已通知", "data") == ("已整改", "逾期未改")
    assert "已整改" not in allowed("report", "已通知")  # 已整改 is set by the data only


def test_confirm_then_notify_with_a_deadline(store):
    f = finding(1)
    assert state_of(store, f) == "待核实"
    decide(store, REVIEWER, [Decision(f, "已确认", "总计与分项不符，属实")], today=TODAY)
    decide(store, REVIEWER, [Decision(f, "已通知", "已发函", date(2025, 3, 31))], today=TODAY)
    row = states(store, [f.finding_id])[f.finding_id]
    assert (row.state, row.deadline, row.note, row.updated_by) == (
        "已通知",
        date(2025, 3, 31),
        "已发函",
        "张三",
    )
    assert (row.province, row.city, row.county) == ("江西省", "赣州市", "章贡区")
    assert [(h.account, h.from_state, h.to_state, h.deadline) for h in history(store, f.finding_id)] == [
        ("张三", "待核实", "已确认", None),
        ("张三", "已确认", "已通知", date(2025, 3, 31)),
    ]


def test_dismissal_needs_a_reason(store):
    f = finding(1)
    assert "须写明理由" in refusal(store, [Decision(f, "已排除")])
    assert "须写明理由" in refusal(store, [Decision(f, "已排除", "   ")])
    decide(store, REVIEWER, [Decision(f, "已排除", "该机关当年无此业务")], today=TODAY)
    assert history(store, f.finding_id)[-1].note == "该机关当年无此业务"


def test_notice_needs_a_deadline_not_in_the_past(store):
    f = finding(1)
    decide(store, REVIEWER, [Decision(f, "已确认")], today=TODAY)
    assert "须填写整改期限" in refusal(store, [Decision(f, "已通知", "已发函")])
    assert "早于今天" in refusal(store, [Decision(f, "已通知", "已发函", date(2025, 2, 28))])
    assert state_of(store, f) == "已确认"


@pytest.mark.parametrize(
    "state, words",
    [
        ("已解决", "未知状态“已解决”"),
        ("已整改", "由数据自动判定"),
        ("逾期未改", "由数据自动判定"),
        ("已通知", "不能从“待核实”改为“已通知”"),
        ("已确认读数", "未知状态"),  # a reading state on a report finding
    ],
)
def test_unknown_or_disallowed_states_are_refused(store, state, words):
    assert words in refusal(store, [Decision(finding(1), state, "x", date(2025, 4, 1))])
    assert states(store) == {}


def test_actions_outside_the_scope_are_refused(store):
    zhejiang = finding(1, province="浙江省", city="杭州市", county="西湖区", agency="杭州市西湖区教育局")
    assert "不在您的范围（江西省/赣州市）内" in refusal(store, [Decision(zhejiang, "已确认")])
    nanchang = finding(2, city="南昌市", county="东湖区")
    assert "不在您的范围" in refusal(store, [Decision(nanchang, "已确认")])
    with pytest.raises(Refused, match="不在您的范围"):
        add_note(store, REVIEWER, zhejiang, "越权的说明")
    decide(store, actor("王五", "admin", "全国"), [Decision(zhejiang, "已确认")], today=TODAY)  # 全国 admin may
    assert state_of(store, zhejiang) == "已确认"


def test_a_viewer_cannot_act(store):
    viewer = actor("赵六", "viewer", "全国")
    assert "只读" in refusal(store, [Decision(finding(1), "已确认")], viewer)
    with pytest.raises(Refused, match="只读"):
        add_note(store, viewer, finding(1), "查看者的说明")
    assert states(store) == {} and notes(store, finding(1).finding_id) == []


def test_a_batch_is_all_or_nothing(store):
    good = [Decision(finding(i), "已确认", "批量确认") for i in range(1, 4)]
    bad = Decision(finding(9), "已排除")  # no reason
    with pytest.raises(Refused) as e:
        decide(store, REVIEWER, [*good, bad], today=TODAY)
    assert [r.finding_id for r in e.value.refusals] == [finding(9).finding_id]
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.finding_history)).scalar() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.finding_states)).scalar() == 0
    changes = decide(store, REVIEWER, good, today=TODAY)
    assert len(changes) == 3 and all(state_of(store, d.finding) == "已确认" for d in good)
    # confirming again changes nothing and is not an error (a batch over a filtered list)
    assert decide(store, REVIEWER, good, today=TODAY) == []
    assert "重复" in refusal(store, [good[0], good[0]])


def test_a_note_only_decision_and_notes(store):
    f = finding(1)
    add_note(store, REVIEWER, f, "已电话联系经办人")
    decide(store, REVIEWER, [Decision(f, None, "经办人称下周更正")], today=TODAY)
    assert [n.text for n in notes(store, f.finding_id)] == ["已电话联系经办人", "经办人称下周更正"]
    assert state_of(store, f) == "待核实" and history(store, f.finding_id) == []
    with pytest.raises(Refused, match="不能为空"):
        add_note(store, REVIEWER, f, "  ")


def test_history_is_append_only_and_names_every_account(store):
    f = finding(1)
    other = actor("李四", "reviewer", "江西省")
    decide(store, REVIEWER, [Decision(f, "已确认")], today=TODAY)
    first = history(store, f.finding_id)
    decide(store, other, [Decision(f, "已排除", "同一问题已在上级核实")], today=TODAY)
    decide(store, REVIEWER, [Decision(f, "待核实", "重新核实")], today=TODAY)
    h = history(store, f.finding_id)
    assert h[: len(first)] == first  # earlier entries are unchanged by later changes
    assert [(x.account, x.from_state, x.to_state) for x in h] == [
        ("张三", "待核实", "已确认"),
        ("李四", "已确认", "已排除"),
        ("张三", "已排除", "待核实"),
    ]
    assert all(x.at.tzinfo is not None and x.via == "dashboard" for x in h)
    assert states(store, [f.finding_id])[f.finding_id].version == 3


def test_deadline_passing_sets_overdue(store):
    late, in_time, gone = finding(1), finding(2), finding(3)
    decide(store, REVIEWER, [Decision(x, "已确认") for x in (late, in_time, gone)], today=TODAY)
    decide(
        store,
        REVIEWER,
        [
            Decision(late, "已通知", "发函", date(2025, 3, 10)),
            Decision(in_time, "已通知", "发函", date(2025, 3, 20)),
        ],
        today=TODAY,
    )
    assert mark_overdue(store, date(2025, 3, 10)) == []  # the deadline day still counts as in time
    changes = mark_overdue(store, date(2025, 3, 11))
    assert [(c.finding_id, c.account, c.via, c.to_state) for c in changes] == [
        (late.finding_id, "系统", "data", "逾期未改")
    ]
    assert state_of(store, late) == "逾期未改" and state_of(store, in_time) == "已通知"
    assert states(store, [late.finding_id])[late.finding_id].deadline == date(2025, 3, 10)
    assert mark_overdue(store, date(2025, 3, 11)) == []  # only once
    # notified again with a new deadline
    decide(store, REVIEWER, [Decision(late, "已通知", "再次发函", date(2025, 4, 30))], today=date(2025, 3, 12))
    assert state_of(store, late) == "已通知"
    # a deadline moved (延期) is a change of its own
    decide(store, REVIEWER, [Decision(in_time, "已通知", "同意延期", date(2025, 4, 15))], today=TODAY)
    assert [h.deadline for h in history(store, in_time.finding_id)][-1] == date(2025, 4, 15)


def test_a_newer_file_without_the_finding_sets_fixed_with_both_files(store):
    notified, unreviewed, dismissed, doubt = finding(1), finding(2), finding(3), finding(4, origin="reading")
    decide(store, REVIEWER, [Decision(notified, "已确认"), Decision(dismissed, "已排除", "非问题")], today=TODAY)
    decide(store, REVIEWER, [Decision(notified, "已通知", "发函", date(2025, 3, 31))], today=TODAY)
    old, new = FileRef("2023/章贡区教育局.pdf", "ab" * 32), FileRef("2023/章贡区教育局-更正.pdf", "cd" * 32)
    changes = mark_fixed(store, [Fix(x, old, new) for x in (notified, unreviewed, dismissed, doubt)])
    assert {c.finding_id for c in changes} == {notified.finding_id, unreviewed.finding_id}
    row = states(store, [notified.finding_id])[notified.finding_id]
    assert row.state == "已整改" and row.updated_by == "系统"
    assert "章贡区教育局.pdf" in row.fixed_old_file and "更正.pdf" in row.fixed_new_file
    assert "cdcdcdcdcdcd" in row.fixed_new_file and "复核通过" in row.note and "更正.pdf" in row.note
    assert state_of(store, unreviewed) == "已整改" and state_of(store, dismissed) == "已排除"
    assert state_of(store, doubt) == "待核查"  # our reading doubts are not the agency's to fix
    assert history(store, notified.finding_id)[-1].from_state == "已通知"
    assert mark_fixed(store, [Fix(notified, old, new)]) == []  # once


def test_reading_doubts_are_confirmed_corrected_or_unreadable(store):
    from etl.review.corrections import correct, withdraw

    doubt, unreadable = finding(1, origin="reading"), finding(2, origin="reading")
    assert state_of(store, doubt) == "待核查"
    assert "须通过更正数值完成" in refusal(store, [Decision(doubt, "已更正", "改了")])
    assert "未知状态" in refusal(store, [Decision(doubt, "已确认", "x")])  # a report state on a doubt
    decide(
        store,
        REVIEWER,
        [Decision(doubt, "已确认读数", "与原件一致"), Decision(unreadable, "无法辨认")],
        today=TODAY,
    )
    assert state_of(store, doubt) == "已确认读数" and state_of(store, unreadable) == "无法辨认"
    correct(
        store,
        REVIEWER,
        report(),
        "t3__new_received__total",
        12.0,
        original=72.0,
        reason="原件为 12",
        doubt=doubt,
    )
    assert state_of(store, doubt) == "已更正"
    assert history(store, doubt.finding_id)[-1].note.startswith("t3__new_received__total：72 → 12")
    withdraw(store, REVIEWER, report(), "t3__new_received__total", reason="看错了行", doubt=doubt)
    assert state_of(store, doubt) == "待核查"


def test_corrections_are_versioned_and_reversible(store):
    from etl.review.corrections import correct, overrides, versions, withdraw

    cell = "t3__new_received__total"
    assert overrides(store) == {}
    correct(store, REVIEWER, report(), cell, 7.0, original=5.0, reason="原件为 7")
    correct(store, REVIEWER, report(), cell, 8.0, original=5.0, reason="再核为 8")
    o = overrides(store)[("ab" * 32, cell)]
    assert (o.value, o.original_value, o.version, o.account) == (8.0, 5.0, 2, "张三")
    withdraw(store, REVIEWER, report(), cell, reason="第二次核对有误")
    assert overrides(store)[("ab" * 32, cell)].value == 7.0  # the previous value comes back
    withdraw(store, REVIEWER, report(), cell, reason="原读数无误")
    assert overrides(store) == {}  # the value read from the file stands again
    with pytest.raises(Refused, match="没有可撤回的更正"):
        withdraw(store, REVIEWER, report(), cell, reason="再撤")
    v = versions(store, "ab" * 32, cell)
    assert [(x.version, x.action, x.value_before, x.value_after, x.withdraws_version) for x in v] == [
        (1, "correct", 5.0, 7.0, None),
        (2, "correct", 7.0, 8.0, None),
        (3, "withdraw", 8.0, 7.0, 2),
        (4, "withdraw", 7.0, 5.0, 1),
    ]
    assert all(x.original_value == 5.0 and x.account == "张三" and x.reason for x in v)
    correct(store, REVIEWER, report(), cell, None, original=5.0, reason="原件此格为“/”")  # to blank
    assert overrides(store, ["ab" * 32])[("ab" * 32, cell)].value is None
    assert overrides(store, ["ef" * 32]) == {}
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE corrections SET value_after = 99"))


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"field": "t9__nothing"}, "未知字段"),
        ({"reason": " "}, "须写明理由"),
        ({"who": actor("赵六", "viewer", "全国")}, "只读"),
        ({"where": report(province="浙江省", city="杭州市", county="西湖区")}, "不在您的范围"),
    ],
)
def test_bad_corrections_are_refused(store, kwargs, words):
    from etl.review.corrections import correct, versions

    with pytest.raises(Refused, match=words):
        correct(
            store,
            kwargs.get("who", REVIEWER),
            kwargs.get("where", report()),
            kwargs.get("field", "t3__new_received__total"),
            1.0,
            original=2.0,
            reason=kwargs.get("reason", "r"),
        )
    assert versions(store, "ab" * 32) == []


def test_states_by_scope_counts_and_export_columns(store):
    admin = actor("王五", "admin", "全国")
    gz, nc, zj = (
        finding(1),
        finding(2, city="南昌市", county="东湖区"),
        finding(3, province="浙江省", city="杭州市"),
    )
    decide(
        store,
        admin,
        [Decision(gz, "已确认"), Decision(nc, "已排除", "非问题"), Decision(zj, "已确认")],
        today=TODAY,
    )
    assert set(states(store, scope=REVIEWER.scope)) == {gz.finding_id}
    assert set(states(store, [gz.finding_id, zj.finding_id], scope=REVIEWER.scope)) == {gz.finding_id}
    counts = state_counts(store, actor(scope="江西省").scope)
    assert counts == {
        ("江西省", "赣州市", "章贡区", "已确认"): 1,
        ("江西省", "南昌市", "东湖区", "已排除"): 1,
    }
    cols = export_columns(store, {f.finding_id: f for f in (gz, nc, finding(4))})
    assert cols[nc.finding_id] == ("已排除", "非问题", "") and cols[finding(4).finding_id] == (
        "待核实",
        "",
        "",
    )


def test_two_processes_writing_at_once_lose_nothing(store_url, tmp_path):
    warehouse, url, _ = store_url
    from etl.review.corrections import versions
    from etl.review.store import open_store

    s = open_store(warehouse, url)  # migrated before the workers start
    n = 25
    start = tmp_path / "start"
    procs = [
        subprocess.Popen(worker_command(str(warehouse), url or "", who, str(n), str(start)), stderr=subprocess.PIPE)
        for who in ("甲", "乙")
    ]
    time.sleep(0.5)
    start.touch()  # both begin at once
    errors = [p.communicate(timeout=180)[1].decode(errors="replace")[-2000:] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    rows = states(s)
    own = [finding(base + i).finding_id for base in (1000, 2000) for i in range(n)]
    shared = [finding(100 + i).finding_id for i in range(n)]
    assert all(rows[x].state == "已确认" for x in own + shared)
    for x in own:
        assert len(history(s, x)) == 1
    for x in shared:  # both tried; exactly one change was made, by one of them
        assert len(history(s, x)) == 1 and history(s, x)[0].account in ("甲", "乙")
    assert sorted(x.text for x in notes(s, finding(0).finding_id)) == sorted(
        f"{who}第{i}条" for who in ("甲", "乙") for i in range(n)
    )
    v = versions(s, "ab" * 32, "t3__new_received__total")
    assert [x.version for x in v] == list(range(1, 2 * n + 1))  # no version lost or taken twice
    assert sorted(x.value_after for x in v) == sorted(float(b + i) for b in (1000, 2000) for i in range(n))
    assert all(a.value_after == b.value_before for a, b in zip(v, v[1:]))  # each built on the one before
    s.close()


def test_times_are_utc_aware(store):
    decide(
        store,
        REVIEWER,
        [Decision(finding(1), "已确认")],
        today=TODAY,
        at=datetime(2025, 3, 1, 9, 30, tzinfo=UTC) + timedelta(hours=0),
    )
    assert history(store, finding(1).finding_id)[0].at == datetime(2025, 3, 1, 9, 30, tzinfo=UTC)

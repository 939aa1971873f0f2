"""Accounts, on SQLite and on a real PostgreSQL server: passwords stored hashed (the plain text is
nowhere in the store), wrong passwords lock the account for growing periods, sessions expire,
disabling or a new password ends sessions, and the python -m dashboard.users command line."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from review_records import tables_text

from dashboard import users
from etl.review.accounts import IDLE, LOCK_FIRST, MAX_AGE, MAX_FAILURES, Accounts
from etl.review.errors import AccountError, LoginRefused, ScopeInvalid, SessionExpired
from etl.review.scope import parse_scope

pytest_plugins = ["review_support"]

PASSWORD = "Gz-章贡-2025-口令"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def accounts(store, clock):
    a = Accounts(store, clock=clock)
    a.add("张三", PASSWORD, "reviewer", "江西省/赣州市")
    return a


def test_passwords_and_tokens_are_stored_hashed_nowhere_in_plain(accounts, store_url, request):
    session = accounts.login("张三", PASSWORD)
    accounts.reset_password("张三", PASSWORD + "-新")
    accounts.login("张三", PASSWORD + "-新")
    text = tables_text(accounts.store)
    assert "$argon2id$" in text and "张三" in text
    for secret in (PASSWORD, PASSWORD + "-新", session.token):
        assert secret not in text
    warehouse, url, backend = store_url
    if backend == "sqlite":  # every byte of the file, its WAL and shared memory
        raw = b"".join(p.read_bytes() for p in Path(warehouse).parent.glob("w.review.sqlite*"))
        assert "张三".encode() in raw
    else:  # every row of every table, as the server dumps them
        raw = request.getfixturevalue("pg_server").dump(url.rsplit("/", 1)[1]).encode()
        assert b"$argon2id$" in raw and "张三".encode() in raw
    for secret in (PASSWORD, PASSWORD + "-新", session.token):
        assert secret.encode() not in raw
    assert session.token not in repr(session)


def test_login_gives_a_session_with_role_and_scope(accounts, clock):
    s = accounts.login(" 张三 ", PASSWORD)
    assert (s.account, s.role, s.scope) == ("张三", "reviewer", parse_scope("江西省/赣州市"))
    assert s.actor.scope.contains("江西省", "赣州市", "章贡区") and not s.actor.scope.contains("浙江省", None, None)
    assert accounts.get("张三").last_login_at == clock.now
    assert len(s.token) >= 40 and accounts.login("张三", PASSWORD).token != s.token


@pytest.mark.parametrize("name, password", [("张三", "wrong-password"), ("无此人", PASSWORD), ("张三", "")])
def test_wrong_name_or_password_is_refused_with_one_message(accounts, name, password):
    with pytest.raises(LoginRefused, match="^用户名或密码错误$"):
        accounts.login(name, password)


def test_repeated_wrong_passwords_lock_the_account_for_growing_periods(accounts, clock):
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(LoginRefused, match="用户名或密码错误"):
            accounts.login("张三", "wrong-password")
    accounts.login("张三", PASSWORD)  # a correct password ends the run of failures
    assert accounts.get("张三").failed_attempts == 0
    for _ in range(MAX_FAILURES):
        with pytest.raises(LoginRefused):
            accounts.login("张三", "wrong-password")
    with pytest.raises(LoginRefused, match="锁定.*1 分钟"):
        accounts.login("张三", PASSWORD)  # locked: even the right password is not tried
    clock.advance(seconds=LOCK_FIRST.total_seconds() + 1)
    with pytest.raises(LoginRefused, match="用户名或密码错误"):
        accounts.login("张三", "wrong-again")  # one more failure: locked twice as long
    assert accounts.get("张三").locked_until == clock.now + 2 * LOCK_FIRST
    clock.advance(seconds=LOCK_FIRST.total_seconds() + 1)
    with pytest.raises(LoginRefused, match="锁定"):
        accounts.login("张三", PASSWORD)
    clock.advance(seconds=LOCK_FIRST.total_seconds())
    assert accounts.login("张三", PASSWORD).account == "张三"


def test_an_administrator_reset_clears_the_lock(accounts):
    for _ in range(MAX_FAILURES):
        with pytest.raises(LoginRefused):
            accounts.login("张三", "wrong-password")
    accounts.reset_password("张三", "another-good-password")
    assert accounts.login("张三", "another-good-password").account == "张三"
    with pytest.raises(LoginRefused):
        accounts.login("张三", PASSWORD)


def test_sessions_expire_after_inactivity_and_at_their_maximum_age(accounts, clock):
    s = accounts.login("张三", PASSWORD)
    clock.advance(seconds=IDLE.total_seconds() - 1)
    s = accounts.touch(s)  # activity keeps it alive
    assert s.last_seen_at == clock.now
    clock.advance(seconds=IDLE.total_seconds() - 1)
    assert accounts.touch(s.token).account == "张三"
    clock.advance(seconds=IDLE.total_seconds() + 1)
    with pytest.raises(SessionExpired, match="超时"):
        accounts.touch(s)
    with pytest.raises(SessionExpired):  # and it is gone for good
        accounts.touch(s)
    s = accounts.login("张三", PASSWORD)
    step, lived = IDLE / 2, None
    for _ in range(int(MAX_AGE / step) + 4):  # active all along, yet not beyond the maximum age
        clock.advance(seconds=step.total_seconds())
        try:
            accounts.touch(s)
        except SessionExpired:
            lived = clock.now - s.created_at
            break
    assert lived is not None and MAX_AGE < lived <= MAX_AGE + step


def test_logout_disable_and_new_password_end_sessions(accounts, clock):
    s = accounts.login("张三", PASSWORD)
    accounts.logout(s)
    with pytest.raises(SessionExpired):
        accounts.touch(s)
    s = accounts.login("张三", PASSWORD)
    accounts.set_disabled("张三", True)
    with pytest.raises(SessionExpired):
        accounts.touch(s)
    with pytest.raises(LoginRefused, match="已停用"):
        accounts.login("张三", PASSWORD)
    with pytest.raises(AccountError, match="已停用"):
        accounts.actor("张三")
    accounts.set_disabled("张三", False)
    s = accounts.login("张三", PASSWORD)
    accounts.reset_password("张三", "a-new-password")
    with pytest.raises(SessionExpired):
        accounts.touch(s)
    with pytest.raises(SessionExpired):
        accounts.touch("forged-token")


def test_a_changed_role_or_scope_applies_to_live_sessions(accounts):
    s = accounts.login("张三", PASSWORD)
    accounts.set_role("张三", "viewer", "江西省")
    with pytest.raises(SessionExpired):  # a change of rights ends the session: log in again
        accounts.touch(s)
    s = accounts.login("张三", PASSWORD)
    assert (s.role, s.scope.text()) == ("viewer", "江西省")


@pytest.mark.parametrize(
    "args, error",
    [
        (("张三", PASSWORD, "reviewer", "江西省"), "已存在"),
        (("李四", PASSWORD, "superuser", "江西省"), "角色"),
        (("李四", "short", "viewer", "江西省"), "至少 8 个字符"),
        (("李 四", PASSWORD, "viewer", "江西省"), "不含空格"),
        (("系统", PASSWORD, "viewer", "江西省"), "保留名称"),
    ],
)
def test_bad_accounts_are_refused(accounts, args, error):
    with pytest.raises(AccountError, match=error):
        accounts.add(*args)


def test_scopes_are_checked_against_the_gazetteer(accounts):
    with pytest.raises(ScopeInvalid):
        accounts.add("李四", PASSWORD, "viewer", "江西省/杭州市")
    assert [a.name for a in accounts.list()] == ["张三"]


def test_old_hashes_are_upgraded_at_login(store, clock):
    weak = Accounts(store, clock=clock, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    weak.add("李四", PASSWORD, "viewer", "全国")
    before = tables_text(store)
    assert "m=8," in before
    Accounts(store, clock=clock).login("李四", PASSWORD)
    assert "m=19456,t=2,p=1" in tables_text(store)


def test_public_mode_is_when_no_enabled_account_exists(store, clock):
    a = Accounts(store, clock=clock)
    assert not a.any()
    a.add("王五", PASSWORD, "admin", "全国")
    assert a.any()
    a.set_disabled("王五", True)
    assert not a.any()


def _cli(monkeypatch, capsys, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = users.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_users_command_line(store_url, monkeypatch, capsys):
    warehouse, url, _ = store_url
    where = ["--db", str(warehouse)] + (["--review-db", url] if url else [])
    code, out, _ = _cli(monkeypatch, capsys, "list", *where)
    assert code == 0 and "还没有账户" in out  # no built-in account
    code, out, _ = _cli(
        monkeypatch,
        capsys,
        "add",
        "张三",
        "--role",
        "reviewer",
        "--scope",
        "江西省/赣州市",
        "--password-stdin",
        *where,
        stdin=PASSWORD + "\n",
    )
    assert code == 0 and "已添加账户“张三”：审核员，范围 江西省/赣州市" in out and PASSWORD not in out
    code, out, _ = _cli(monkeypatch, capsys, "list", *where)
    assert "张三\treviewer（审核员）\t江西省/赣州市\t正常" in out
    code, _, err = _cli(
        monkeypatch,
        capsys,
        "add",
        "李四",
        "--role",
        "viewer",
        "--scope",
        "江西",
        "--password-stdin",
        *where,
        stdin=PASSWORD + "\n",
    )
    assert code == 2 and err.startswith("错误：") and "全称" in err and len(err.strip().splitlines()) == 1
    code, _, err = _cli(monkeypatch, capsys, "add", "李四", "--role", "viewer", "--scope", "全国", *where)
    assert code == 2 and "--password-stdin" in err  # no terminal, no flag: no password guessed
    code, out, _ = _cli(monkeypatch, capsys, "disable", "张三", *where)
    assert code == 0 and "已停用" in out
    code, out, _ = _cli(
        monkeypatch, capsys, "reset-password", "张三", "--password-stdin", *where, stdin="a-fresh-password\n"
    )
    assert code == 0 and "已重设" in out
    code, out, _ = _cli(monkeypatch, capsys, "enable", "张三", *where)
    from etl.review.store import open_store

    with open_store(warehouse, url) as s:
        assert Accounts(s).login("张三", "a-fresh-password").account == "张三"
    code, _, err = _cli(monkeypatch, capsys, "disable", "无此人", *where)
    assert code == 2 and "没有账户“无此人”" in err

"""Accounts, roles, region scopes, logins and sessions, kept in the review store.

Passwords are hashed with argon2id (argon2-cffi, default_hasher) and never stored, logged or shown. After
MAX_FAILURES wrong passwords in a row an account is locked, for LOCK_FIRST and twice as long after
each further failure (up to LOCK_MAX); a correct password ends the run. A login returns a
Session: a random token (kept by the dashboard in st.session_state; only its sha256 is stored)
that expires after IDLE of inactivity or MAX_AGE in all. Disabling an account or resetting its
password ends its sessions. Everything here runs without Streamlit."""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection

from etl.review import tables as t
from etl.review.errors import AccountError, LoginRefused, SessionExpired
from etl.review.model import Actor
from etl.review.scope import Scope, parse_scope
from etl.review.store import ReviewStore

ROLES = t.ROLES
ROLE_WORDS = {"viewer": "查看者", "reviewer": "审核员", "admin": "管理员"}
MIN_PASSWORD = 8
MAX_FAILURES = 5
LOCK_FIRST = timedelta(minutes=1)
LOCK_MAX = timedelta(hours=1)
IDLE = timedelta(minutes=30)
MAX_AGE = timedelta(hours=12)
TOUCH_EVERY = timedelta(seconds=30)  # last_seen is written at most this often


def default_hasher() -> PasswordHasher:
    """argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 50 ms a hash on
    the 2-core server, so a burst of logins cannot pin the CPU; a stolen store still costs an
    attacker that much memory and time per guess. Hashes made with other parameters are
    re-hashed with these at the next login."""
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@dataclass(frozen=True)
class Account:
    """An account as listed (no password hash)."""

    name: str
    role: str
    scope: Scope
    disabled: bool
    failed_attempts: int
    locked_until: datetime | None
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True)
class Session:
    token: str  # the secret the browser session holds; never logged
    account: str
    role: str
    scope: Scope
    created_at: datetime
    last_seen_at: datetime

    @property
    def actor(self) -> Actor:
        return Actor(self.account, self.role, self.scope)

    def __repr__(self) -> str:  # keep the token out of logs and tracebacks
        return f"Session(account={self.account!r}, role={self.role!r}, scope={self.scope.text()!r})"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """Account management and login against one review store. `clock` and `hasher` are there for
    tests (a fixed clock; argon2 with smaller costs); production uses the defaults."""

    def __init__(
        self,
        store: ReviewStore,
        *,
        clock: Callable[[], datetime] = _utcnow,
        hasher: PasswordHasher | None = None,
        idle: timedelta = IDLE,
        max_age: timedelta = MAX_AGE,
    ) -> None:
        self.store = store
        self.clock = clock
        self.hasher = hasher or default_hasher()
        self.idle = idle
        self.max_age = max_age

    @functools.cached_property
    def _dummy(self) -> str:
        return self.hasher.hash(secrets.token_hex(16))

    # ---- management (python -m dashboard.users) -------------------------------------------------

    def add(self, name: str, password: str, role: str, scope: str) -> Account:
        name = _check_name(name)
        _check_role(role)
        sc = parse_scope(scope)
        _check_password(password)
        digest = self.hasher.hash(password)

        def run(conn: Connection) -> None:
            if conn.execute(sa.select(t.accounts.c.name).where(t.accounts.c.name == name)).first():
                raise AccountError(f"账户“{name}”已存在")
            when = self.clock()
            conn.execute(
                sa.insert(t.accounts).values(
                    name=name,
                    password_hash=digest,
                    role=role,
                    scope=sc.text(),
                    disabled=False,
                    failed_attempts=0,
                    created_at=when,
                    password_changed_at=when,
                )
            )

        self.store.write(run)
        return self.get(name)

    def get(self, name: str) -> Account:
        with self.store.read() as conn:
            r = conn.execute(sa.select(t.accounts).where(t.accounts.c.name == name)).first()
        if r is None:
            raise AccountError(f"没有账户“{name}”")
        return _account(r)

    def list(self) -> list[Account]:
        with self.store.read() as conn:
            return [_account(r) for r in conn.execute(sa.select(t.accounts).order_by(t.accounts.c.name))]

    def any(self) -> bool:
        """Whether any enabled account exists (without one the dashboard runs in public read-only mode)."""
        with self.store.read() as conn:
            return conn.execute(sa.select(t.accounts.c.name).where(~t.accounts.c.disabled).limit(1)).first() is not None

    def set_disabled(self, name: str, disabled: bool) -> Account:
        self._update(name, disabled=disabled)
        return self.get(name)

    def reset_password(self, name: str, password: str) -> Account:
        """A new password; clears the lockout and ends the account's sessions."""
        _check_password(password)
        self._update(
            name,
            password_hash=self.hasher.hash(password),
            failed_attempts=0,
            locked_until=None,
            password_changed_at=self.clock(),
        )
        return self.get(name)

    def set_role(self, name: str, role: str, scope: str) -> Account:
        _check_role(role)
        self._update(name, role=role, scope=parse_scope(scope).text())
        return self.get(name)

    def _update(self, name: str, **values) -> None:
        def run(conn: Connection) -> None:
            done = conn.execute(sa.update(t.accounts).where(t.accounts.c.name == name).values(**values))
            if done.rowcount != 1:
                raise AccountError(f"没有账户“{name}”")
            conn.execute(sa.delete(t.sessions).where(t.sessions.c.account == name))

        self.store.write(run)

    def actor(self, name: str) -> Actor:
        """The acting account for a command line (--user NAME): it must exist and be enabled."""
        a = self.get(name)
        if a.disabled:
            raise AccountError(f"账户“{name}”已停用")
        return Actor(a.name, a.role, a.scope)

    # ---- login and sessions --------------------------------------------------------------------

    def login(self, name: str, password: str) -> Session:
        name = (name or "").strip()
        with self.store.read() as conn:
            r = conn.execute(sa.select(t.accounts).where(t.accounts.c.name == name)).first()
        now = self.clock()
        if r is None:
            _verify(self.hasher, self._dummy, password or "")  # an unknown name costs the same time
            raise LoginRefused("用户名或密码错误")
        if r.locked_until is not None and r.locked_until > now:
            minutes = max(1, int((r.locked_until - now).total_seconds() + 59) // 60)
            raise LoginRefused(f"密码连续输错次数过多，账户已暂时锁定，请 {minutes} 分钟后再试")
        if not _verify(self.hasher, r.password_hash, password or ""):
            self.store.write(lambda conn: self._failed(conn, name, now))
            raise LoginRefused("用户名或密码错误")
        if r.disabled:
            raise LoginRefused("账户已停用，请联系管理员")
        token = secrets.token_urlsafe(32)
        rehash = self.hasher.hash(password) if self.hasher.check_needs_rehash(r.password_hash) else None

        def run(conn: Connection) -> None:
            values = dict(failed_attempts=0, locked_until=None, last_login_at=now)
            if rehash:
                values["password_hash"] = rehash
            conn.execute(sa.update(t.accounts).where(t.accounts.c.name == name).values(**values))
            conn.execute(
                sa.insert(t.sessions).values(
                    token_hash=_token_hash(token), account=name, created_at=now, last_seen_at=now
                )
            )

        self.store.write(run)
        return Session(token, name, r.role, parse_scope(r.scope), now, now)

    def _failed(self, conn: Connection, name: str, now: datetime) -> None:
        a = t.accounts
        n = conn.execute(sa.select(a.c.failed_attempts).where(a.c.name == name)).scalar_one() + 1
        lock = None
        if n >= MAX_FAILURES:
            lock = now + min(LOCK_FIRST * 2 ** (n - MAX_FAILURES), LOCK_MAX)
        conn.execute(sa.update(a).where(a.c.name == name).values(failed_attempts=n, locked_until=lock))

    def touch(self, session: Session | str) -> Session:
        """The session, still valid, with the account's current role and scope; records activity.
        Raises SessionExpired (and forgets the session) after inactivity, at its maximum age, or
        when the account was disabled or its password reset."""
        token = session.token if isinstance(session, Session) else session
        key = _token_hash(token or "")
        now = self.clock()

        s, a = t.sessions, t.accounts
        with self.store.read() as conn:  # most calls only read: the write lock is taken only when needed
            r = conn.execute(
                sa.select(s, a.c.role, a.c.scope, a.c.disabled)
                .join(a, a.c.name == s.c.account)
                .where(s.c.token_hash == key)
            ).first()
        if r is None:
            raise SessionExpired("登录已失效，请重新登录")
        if r.disabled or now - r.last_seen_at > self.idle or now - r.created_at > self.max_age:
            self.store.write(lambda conn: conn.execute(sa.delete(s).where(s.c.token_hash == key)))
            raise SessionExpired("账户已停用，请联系管理员" if r.disabled else "长时间未操作，登录已超时，请重新登录")
        seen = r.last_seen_at
        if now - seen >= TOUCH_EVERY:
            self.store.write(
                lambda conn: conn.execute(sa.update(s).where(s.c.token_hash == key).values(last_seen_at=now))
            )
            seen = now
        return Session(token, r.account, r.role, parse_scope(r.scope), r.created_at, seen)

    def logout(self, session: Session | str) -> None:
        token = session.token if isinstance(session, Session) else session
        key = _token_hash(token or "")
        self.store.write(lambda conn: conn.execute(sa.delete(t.sessions).where(t.sessions.c.token_hash == key)))

    def purge_sessions(self) -> int:
        """Forget sessions past their idle time (a housekeeping call; touch also refuses them)."""
        cutoff = self.clock() - self.idle
        return self.store.write(
            lambda conn: conn.execute(sa.delete(t.sessions).where(t.sessions.c.last_seen_at < cutoff)).rowcount
        )


def _verify(hasher: PasswordHasher, digest: str, password: str) -> bool:
    try:
        return hasher.verify(digest, password)
    except (VerificationError, InvalidHashError):
        return False


def _account(r) -> Account:
    return Account(
        r.name,
        r.role,
        parse_scope(r.scope),
        r.disabled,
        r.failed_attempts,
        r.locked_until,
        r.created_at,
        r.last_login_at,
    )


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 64 or any(c.isspace() or c in "/\\:" for c in name):
        raise AccountError("账户名须为 1–64 个字符，不含空格、斜杠或冒号")
    if name == "系统":
        raise AccountError("“系统”为保留名称（记录由数据自动作出的变更）")
    return name


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"角色“{role}”无效：可为 viewer（查看者）、reviewer（审核员）、admin（管理员）")


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符")

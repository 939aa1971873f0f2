"""The review store's tables (SQLAlchemy Core). Migrations in etl/review/migrations create them;
a test checks that the migrated schema matches these definitions.

Nothing here refers to a warehouse row id: findings are keyed by etl.review.identity ids, reports
by the file's sha256, accounts by name. Each state row carries the finding's place so scope
checks need no warehouse. finding_history, notes and corrections are append-only (triggers)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

metadata = sa.MetaData()  # every constraint and index is named, here and in the migrations


class UtcDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC out; stored naive UTC so SQLite and PostgreSQL agree."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the review store")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


ROLES = ("viewer", "reviewer", "admin")

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("scope", sa.String(128), nullable=False),  # "全国" or a path such as "江西省/赣州市"
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("failed_attempts", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", UtcDateTime),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("password_changed_at", UtcDateTime, nullable=False),
    sa.Column("last_login_at", UtcDateTime),
    sa.CheckConstraint("role IN ('viewer', 'reviewer', 'admin')", name="ck_accounts_role"),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # sha256 of the token; the token itself is never stored
    sa.Column("account", sa.String(64), sa.ForeignKey("accounts.name", ondelete="CASCADE"), nullable=False),
    sa.Index("ix_sessions_account", "account"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("last_seen_at", UtcDateTime, nullable=False),
)

finding_states = sa.Table(
    "finding_states",
    metadata,
    sa.Column("finding_id", sa.String(16), primary_key=True),
    sa.Column("origin", sa.String(8), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("deadline", sa.Date),
    sa.Column("note", sa.Text),  # the 说明 given with the current state (e.g. why 已排除)
    sa.Column("agency_key", sa.String(300), nullable=False),
    sa.Column("agency_name", sa.String(300), nullable=False),
    sa.Column("year", sa.Integer),
    sa.Column("rule", sa.String(64), nullable=False),
    sa.Column("cells", sa.Text, nullable=False),
    sa.Column("report_sha256", sa.String(64)),
    sa.Column("province", sa.String(64)),
    sa.Column("city", sa.String(64)),
    sa.Column("county", sa.String(64)),
    sa.Column("fixed_old_file", sa.Text),  # 已整改: the file that had the finding
    sa.Column("fixed_new_file", sa.Text),  # 已整改: the newer file without it
    sa.Column("version", sa.Integer, nullable=False),  # optimistic concurrency: bumped by every change
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=False),
    sa.CheckConstraint("origin IN ('report', 'reading')", name="ck_finding_states_origin"),
    sa.Index("ix_finding_states_agency_key", "agency_key"),
    sa.Index("ix_finding_states_place", "province", "city", "county"),
    sa.Index("ix_finding_states_state", "state", "deadline"),
)

finding_history = sa.Table(
    "finding_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("finding_id", sa.String(16), sa.ForeignKey("finding_states.finding_id"), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("account", sa.String(64), nullable=False),  # an account name, or 系统 for changes made by the data
    sa.Column("via", sa.String(16), nullable=False),  # dashboard / excel / data / cli
    sa.Column("from_state", sa.String(16), nullable=False),
    sa.Column("to_state", sa.String(16), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("deadline", sa.Date),
    sa.Index("ix_finding_history_finding_id", "finding_id"),
)

notes = sa.Table(
    "notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("finding_id", sa.String(16), sa.ForeignKey("finding_states.finding_id"), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("account", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Index("ix_notes_finding_id", "finding_id"),
)

corrections = sa.Table(
    "corrections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("report_sha256", sa.String(64), nullable=False),
    sa.Column("field", sa.String(64), nullable=False),  # a warehouse column such as t3__new_received__total
    sa.Column("version", sa.Integer, nullable=False),  # 1, 2, … per report and field
    sa.Column("action", sa.String(8), nullable=False),  # correct / withdraw
    sa.Column("original_value", sa.Double),  # as read from the file (NULL: blank)
    sa.Column("value_before", sa.Double),
    sa.Column("value_after", sa.Double),
    sa.Column("withdraws_version", sa.Integer),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("account", sa.String(64), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("finding_id", sa.String(16)),  # the reading doubt this answers, if any
    sa.Column("province", sa.String(64)),
    sa.Column("city", sa.String(64)),
    sa.Column("county", sa.String(64)),
    sa.UniqueConstraint("report_sha256", "field", "version", name="uq_corrections_version"),
    sa.CheckConstraint("action IN ('correct', 'withdraw')", name="ck_corrections_action"),
)

APPEND_ONLY = ("finding_history", "notes", "corrections")

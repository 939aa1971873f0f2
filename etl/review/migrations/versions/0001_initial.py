"""The review store: accounts, sessions, finding states with history and notes, corrections.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = ("finding_history", "notes", "corrections")


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("scope", sa.String(128), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("failed_attempts", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.DateTime()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime()),
        sa.CheckConstraint("role IN ('viewer', 'reviewer', 'admin')", name="ck_accounts_role"),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("account", sa.String(64), sa.ForeignKey("accounts.name", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_sessions_account", "sessions", ["account"])
    op.create_table(
        "finding_states",
        sa.Column("finding_id", sa.String(16), primary_key=True),
        sa.Column("origin", sa.String(8), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("deadline", sa.Date),
        sa.Column("note", sa.Text),
        sa.Column("agency_key", sa.String(300), nullable=False),
        sa.Column("agency_name", sa.String(300), nullable=False),
        sa.Column("year", sa.Integer),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("cells", sa.Text, nullable=False),
        sa.Column("report_sha256", sa.String(64)),
        sa.Column("province", sa.String(64)),
        sa.Column("city", sa.String(64)),
        sa.Column("county", sa.String(64)),
        sa.Column("fixed_old_file", sa.Text),
        sa.Column("fixed_new_file", sa.Text),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.CheckConstraint("origin IN ('report', 'reading')", name="ck_finding_states_origin"),
    )
    op.create_index("ix_finding_states_agency_key", "finding_states", ["agency_key"])
    op.create_index("ix_finding_states_place", "finding_states", ["province", "city", "county"])
    op.create_index("ix_finding_states_state", "finding_states", ["state", "deadline"])
    op.create_table(
        "finding_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("finding_id", sa.String(16), sa.ForeignKey("finding_states.finding_id"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("from_state", sa.String(16), nullable=False),
        sa.Column("to_state", sa.String(16), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("deadline", sa.Date),
    )
    op.create_index("ix_finding_history_finding_id", "finding_history", ["finding_id"])
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("finding_id", sa.String(16), sa.ForeignKey("finding_states.finding_id"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_notes_finding_id", "notes", ["finding_id"])
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("report_sha256", sa.String(64), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("original_value", sa.Double),
        sa.Column("value_before", sa.Double),
        sa.Column("value_after", sa.Double),
        sa.Column("withdraws_version", sa.Integer),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("finding_id", sa.String(16)),
        sa.Column("province", sa.String(64)),
        sa.Column("city", sa.String(64)),
        sa.Column("county", sa.String(64)),
        sa.UniqueConstraint("report_sha256", "field", "version", name="uq_corrections_version"),
        sa.CheckConstraint("action IN ('correct', 'withdraw')", name="ck_corrections_action"),
    )
    _append_only()


def _append_only() -> None:
    """History, notes and corrections are never updated or deleted: the database itself refuses.
    Trigger syntax is the one thing SQLAlchemy does not abstract, so it is written per dialect here."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""CREATE FUNCTION review_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                      BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$""")
        for t in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
                "FOR EACH ROW EXECUTE FUNCTION review_append_only()"
            )
    else:
        for t in APPEND_ONLY:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {t}_no_{event.lower()} BEFORE {event} ON {t} "
                    f"BEGIN SELECT RAISE(ABORT, '{t} is append-only'); END"
                )

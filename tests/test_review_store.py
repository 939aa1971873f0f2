"""The review store: which store a process uses, migrations on open, refusal of a newer schema,
SQLite settings, append-only tables. Store cases run on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from review_records import actor, finding

from etl.review import tables
from etl.review.errors import StoreError, StoreTooNew
from etl.review.model import Decision
from etl.review.store import ENV_VAR, head_revision, locate, open_store
from etl.review.workflow import add_note, decide

pytest_plugins = ["review_support"]  # the store fixtures, on SQLite and on a real PostgreSQL server


def test_default_store_is_an_sqlite_file_beside_the_warehouse(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    loc = locate(tmp_path / "data" / "warehouse.duckdb")
    assert loc.kind == "sqlite"
    assert Path(loc.shown) == (tmp_path / "data" / "warehouse.review.sqlite").resolve()


def test_url_argument_then_environment_variable_decide(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, "postgresql://env@db.example/review")
    assert locate(tmp_path / "w.duckdb").url.startswith("postgresql+psycopg://env@db.example/review")
    given = locate(tmp_path / "w.duckdb", "postgresql://arg:secret@127.0.0.1:5433/r")
    assert given.kind == "postgresql" and "arg" in given.url and "secret" in given.url
    assert "secret" not in given.shown and "secret" not in str(given)  # messages never show the password
    monkeypatch.setenv(ENV_VAR, "")
    assert locate(tmp_path / "w.duckdb").kind == "sqlite"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "sqlite://", "not a url at all ::"])
def test_unsupported_store_urls_are_refused(tmp_path, url):
    with pytest.raises(StoreError, match="复核库"):
        locate(tmp_path / "w.duckdb", url)


def test_unreachable_server_gives_a_clear_message(tmp_path):
    with pytest.raises(StoreError, match="无法打开复核库 postgresql"):
        open_store(tmp_path / "w.duckdb", "postgresql://nobody:pw@127.0.0.1:1/none?connect_timeout=2")


def test_an_empty_database_is_migrated_to_head_and_matches_the_tables(store):
    with store.read() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == (head_revision(),)
        names = set(sa.inspect(conn).get_table_names())
        assert {"accounts", "sessions", "finding_states", "finding_history", "notes", "corrections"} <= names
        # the migrations create exactly what etl/review/tables.py declares (no drift)
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), tables.metadata)
        assert diff == []


def test_reopening_keeps_the_data(store_url):
    warehouse, url, _ = store_url
    s = open_store(warehouse, url)
    add_note(s, actor(), finding(1), "第一次打开时写的")
    s.close()
    s = open_store(warehouse, url)
    with s.read() as conn:
        assert conn.execute(sa.select(tables.notes.c.text)).scalars().all() == ["第一次打开时写的"]
    s.close()


def test_a_store_of_a_newer_schema_is_refused_and_left_alone(store_url):
    warehouse, url, _ = store_url
    s = open_store(warehouse, url)
    with s.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    s.close()
    with pytest.raises(StoreTooNew, match="比本程序新.*9999_future|9999_future.*比本程序新"):
        open_store(warehouse, url)
    eng = sa.create_engine(locate(warehouse, url).url)
    with eng.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "9999_future"
    eng.dispose()


def test_sqlite_store_uses_wal_and_a_busy_timeout(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    with open_store(tmp_path / "w.duckdb") as s, s.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    for f in tmp_path.glob("w.review.sqlite*"):  # password hashes: readable by the owner only
        assert f.stat().st_mode & 0o077 == 0, f


@pytest.mark.parametrize("table", ["finding_history", "notes"])
@pytest.mark.parametrize("verb", ["UPDATE {t} SET account = 'forged'", "DELETE FROM {t}"])
def test_history_and_notes_are_append_only_in_the_database_itself(store, table, verb):
    f = finding(1)
    decide(store, actor(), [Decision(f, "已确认", "核实属实")])
    add_note(store, actor(), f, "已电话联系")
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(sa.text(verb.format(t=table)))
    with store.read() as conn:
        assert conn.execute(sa.text(f"SELECT account FROM {table}")).scalars().all() == ["张三"]

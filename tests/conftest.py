"""Shared fixtures: a fresh ledger file per test, a fixed office date."""

from __future__ import annotations

import datetime as dt

import pytest

from desk_helpers import TODAY, build_desk_ledger

from store import clock
from store.db import close_database, open_database


@pytest.fixture
def ledger(tmp_path):
    """An empty duban ledger in a temporary SQLite file, open and bound to the models."""
    db = open_database(tmp_path / "ledger.db")
    yield db
    close_database()


@pytest.fixture
def today():
    """Fix the office's date for the test (2023-09-01 unless the test changes it)."""
    day = dt.date(2023, 9, 1)
    clock.fix_today(day)
    yield day
    clock.fix_today(None)


@pytest.fixture
def desk(tmp_path):
    """An open ledger file with three cases; the office's date fixed to TODAY."""
    path = tmp_path / "desk.db"
    open_database(path)
    clock.fix_today(TODAY)
    ids = build_desk_ledger()
    yield path, ids
    clock.fix_today(None)
    close_database()


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL server (tests/pg_server.py): DUBAN_TEST_PG_URL's, or a throwaway cluster."""
    import pg_server as server_module

    reason = server_module.unavailable()
    if reason:
        pytest.skip(reason)
    server = server_module.Server().start()
    yield server
    server.stop()


@pytest.fixture
def pg_ledger(pg_server):
    """A new, empty ledger in a database of its own on the PostgreSQL server; its URL."""
    url = pg_server.new_database()
    open_database(url)
    yield url
    close_database()
    pg_server.drop_database(url)

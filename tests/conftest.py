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

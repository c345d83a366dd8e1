"""Fixtures for the desk's pilot tests: a small ledger file with the office's date fixed."""

from __future__ import annotations

import pytest
from desk_helpers import TODAY, build_desk_ledger

from store import clock
from store.db import close_database, open_database


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

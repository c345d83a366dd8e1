"""Two processes on one SQLite ledger: the desk's own reads never cost it its locks.

Closing any descriptor of a file drops every POSIX lock the process holds on it, SQLite's
among them. The desk once re-read the ledger's header for its change watcher after it had
connected; from then on another process (a second desk, `duban export`) closing its own
connection found nobody holding the ledger, checkpointed and deleted the WAL, and every later
commit of the desk went into the deleted file — on screen, and gone from the ledger.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from store import actions
from store.db import close_database, database, open_database, verify_integrity
from store.feed import ChangeWatcher

from store_helpers import OPERATOR, new_case


def _other_process_count(path) -> int:
    """What another process reads: it connects, counts the events, and closes (the last to close
    a WAL ledger deletes its WAL if it can take the lock)."""
    code = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "print(c.execute('SELECT COUNT(*) FROM event').fetchone()[0]); c.close()")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


@pytest.fixture
def shared(tmp_path, today):
    path = tmp_path / "共用台账.db"
    open_database(path)
    yield path
    close_database()


@pytest.mark.parametrize("reader", ["change watcher", "integrity check"])
def test_another_process_closing_its_connection_loses_none_of_this_ones_commits(shared, reader):
    case_id = new_case(number="1")
    if reader == "change watcher":
        watcher = ChangeWatcher(database.obj)  # what the desk makes once it is connected
        assert watcher is not None
    else:
        database.obj.duban_verified = False  # the check a large ledger defers until after the first paint
        verify_integrity()
    actions.log_follow_up(case_id, OPERATOR, kind="备注", note="第一条")
    wal = shared.with_name(shared.name + "-wal")
    assert wal.exists()
    first = _other_process_count(shared)
    assert wal.exists(), "the other process deleted the WAL this desk still writes to"
    actions.log_follow_up(case_id, OPERATOR, kind="备注", note="第二条")
    assert _other_process_count(shared) == first + 1

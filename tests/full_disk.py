"""A real full disk without root, for the store and pilot tests (tests/store/test_disk_full.py,
tests/tui/test_disk_full_dialogs.py).

`PRAGMA max_page_count` is set to the ledger's current size on the writing connection (it holds
for that connection only: on the desk, run `fill_disk` through `app.gateway.call`), and the free
room in its pages is filled with copies of existing events and change records and with weekly
reviews of made-up weeks (raw INSERTs: the append-only triggers refuse only UPDATE and DELETE).
The next write that needs a page then gets SQLITE_FULL.
"""

from __future__ import annotations

import peewee

from store.db import database

FILLER_SIZES = (2000, 400, 80, 0)


def fill_disk(db=None) -> int:
    """Make the ledger's disk full on this connection; return how many filler rows went in."""
    db = db or database.obj
    pages = db.execute_sql("PRAGMA page_count").fetchone()[0]
    db.execute_sql(f"PRAGMA max_page_count = {pages}")
    added = 0
    for table in ("event", "change_record"):
        columns = [row[1] for row in db.execute_sql(f"PRAGMA table_info({table})").fetchall() if row[1] != "id"]
        picked = ", ".join("?" if name == "note" else name for name in columns)
        group = "case_id, kind" if table == "event" else "area"
        sources = [row[0] for row in db.execute_sql(f"SELECT MIN(id) FROM {table} GROUP BY {group}").fetchall()]
        sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {picked} FROM {table} WHERE id = ?"
        for size in FILLER_SIZES:
            going = True
            while going:
                going = False
                for source in sources:
                    try:
                        db.execute_sql(sql, ("x" * size, source))
                    except peewee.OperationalError as exc:
                        assert "full" in str(exc), exc
                        continue
                    added += 1
                    going = True
    # a week's review has a unique week and may have no row to copy: fill with weeks of its own
    for size in FILLER_SIZES:
        while True:
            try:
                db.execute_sql("INSERT INTO weekly_review (week, started_at, operator, case_ids) "
                               "VALUES (?, '2000-01-01 00:00:00', ?, '[]')", (f"填充{added:06d}", "x" * size))
            except peewee.OperationalError as exc:
                assert "full" in str(exc), exc
                break
            added += 1
    return added


def make_room(db=None) -> None:
    (db or database.obj).execute_sql("PRAGMA max_page_count = 1073741823")

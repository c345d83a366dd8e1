"""Benchmark: what watching the ledger costs a desk, at two sizes (issue 13).

    python bench/feed_cost.py [--engine pg|sqlite] [--small 2000] [--large 100000] [--looks 300]

For each size a synthetic ledger is seeded (`fixtures.seed("synthetic", cases=N)`: about ten events
a case) on a throwaway PostgreSQL cluster (tests/pg_server.py) or in a SQLite file, and one
`store.feed.ChangeWatcher` is made as the desk makes it. Figures, each the median of `--looks`:
- `idle_look_ms`: `news()` when nobody wrote (a poll of the LISTEN socket; SQLite: data_version);
- `look_after_write_ms`: `news()` right after one urge by another connection, waiting for its
  notice (the desk then reads that case's row, which is not counted here);
- `old_poll_ms`: what the desk ran before on PostgreSQL every second, `SELECT MAX(id), COUNT(*)
  FROM event`, for comparison.
The last line is one JSON object with the figures of both sizes and their ratio large/small.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def _median_ms(fn, looks: int) -> float:
    times = []
    for _ in range(looks):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 3)


def measure(target: str, cases: int, looks: int) -> dict:
    import fixtures
    from store import actions
    from store.changes import latest_change_id
    from store.db import close_database, database, open_database
    from store.feed import ChangeWatcher
    from store.models import Case
    from store.queries import latest_event_id

    open_database(target)
    started = time.perf_counter()
    fixtures.seed("synthetic", cases=cases)
    seeded = time.perf_counter() - started
    db = database.obj
    events = db.execute_sql("SELECT COUNT(*) FROM event").fetchone()[0]
    watcher = ChangeWatcher(db, latest_event_id(), latest_change_id())
    watcher.news()
    idle = _median_ms(watcher.news, looks)
    urgeable = [row[0] for row in Case.select(Case.id).where(Case.division.is_null(False) & Case.closed_on.is_null(True))
                .order_by(Case.id).limit(looks).tuples()]

    def elsewhere(case_id: int) -> None:
        thread = threading.Thread(target=lambda: (actions.urge_division(case_id, "基准", note="feed"),
                                                  close_database()))
        thread.start()
        thread.join()

    after = []
    for case_id in urgeable[: min(looks, 50)]:
        elsewhere(case_id)
        started = time.perf_counter()
        while not watcher.news().fired and time.perf_counter() - started < 2:
            time.sleep(0.0005)
        after.append((time.perf_counter() - started) * 1000)
    old = _median_ms(lambda: db.execute_sql("SELECT MAX(id), COUNT(*) FROM event").fetchone(), min(looks, 50))
    watcher.close()
    close_database()
    return {"cases": cases, "events": events, "seed_s": round(seeded, 2), "idle_look_ms": idle,
            "look_after_write_ms": round(statistics.median(after), 3) if after else None, "old_poll_ms": old}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--engine", choices=("pg", "sqlite"), default="pg")
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--looks", type=int, default=300)
    args = parser.parse_args()
    server = None
    folder = Path(tempfile.mkdtemp(prefix="duban-feed-"))
    if args.engine == "pg":
        spec = importlib.util.spec_from_file_location("pg_server", ROOT / "tests" / "pg_server.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        server = module.Server().start()
    try:
        figures = {}
        for label, cases in (("small", args.small), ("large", args.large)):
            target = server.new_database() if server else str(folder / f"{label}.db")
            figures[label] = measure(target, cases, args.looks)
            print(f"{label}: {figures[label]}", flush=True)
        for key in ("idle_look_ms", "look_after_write_ms", "old_poll_ms"):
            small, large = figures["small"][key], figures["large"][key]
            figures[f"{key}_ratio"] = round(large / small, 2) if small else None
        figures["engine"] = args.engine
        print(json.dumps(figures, ensure_ascii=False))
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    main()

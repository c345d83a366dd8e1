"""Time writing the synthetic fixture: `python bench/seed.py --cases 100000 [--db PATH]`.

Seeds N synthetic cases (about ten events each) into a fresh SQLite ledger — a temporary
file unless --db names one, which must not exist yet — and prints the seconds taken. The
last line is a JSON object with the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from store import clock
from store.db import close_database, open_database
from store.models import Case, Event


def seed(path: Path, cases: int, today: dt.date | None = None) -> dict:
    """Seed `cases` synthetic cases into a new ledger at `path`; return the figures."""
    import fixtures

    open_database(path)
    try:
        started = time.perf_counter()
        account = fixtures.seed("synthetic", cases=cases, today=today)
        seconds = time.perf_counter() - started
        events = Event.select().count()
        written = Case.select().count()
    finally:
        close_database()
    return {
        "bench": "seed",
        "cases": written,
        "events": events,
        "seconds": round(seconds, 2),
        "db_mb": round(path.stat().st_size / 1e6, 1),
        "account": account,
        "db": str(path),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="where to write the ledger (must not exist); default a temporary file")
    parser.add_argument("--today", help="YYYY-MM-DD: the day the synthetic dates lead up to (default today)")
    args = parser.parse_args(argv)
    today = clock.parse_date(args.today) if args.today else None
    scratch = None
    if args.db is None:
        scratch = Path(tempfile.mkdtemp(prefix="duban-bench-"))
        path = scratch / "synthetic.db"
    else:
        path = args.db
        if path.exists():
            print(f"{path} already exists; give a new file.", file=sys.stderr)
            return 2
    try:
        figures = seed(path, args.cases, today)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"seeded {figures['cases']} cases, {figures['events']} events in {figures['seconds']:.2f} s "
          f"({figures['db_mb']} MB)")
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

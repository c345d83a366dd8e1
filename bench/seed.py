"""Time writing the synthetic fixture: `python bench/seed.py --cases 100000 [--db PATH] [--engines sqlite,postgresql]`.

Seeds N synthetic cases (about ten events each) into a fresh ledger on each engine named and
prints the cases, events and seconds of each. SQLite: a temporary file unless --db names one,
which must not exist yet. PostgreSQL: --pg-url names an empty database to seed (it is left as
seeded), else a throwaway cluster is started for the run (tests/pg_server.py: initdb into a
temporary folder, a loopback port, as `nobody` when run as root) and stopped after. The last
line is a JSON object with every engine's figures and the load average before and after (the
machine is shared: compare engines within one run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
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


def seed(path: Path | str, cases: int, today: dt.date | None = None) -> dict:
    """Seed `cases` synthetic cases into a new ledger at `path` (a file or a PostgreSQL URL); return the figures."""
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
        "db_mb": round(path.stat().st_size / 1e6, 1) if isinstance(path, Path) else None,
        "account": account,
        "db": str(path) if isinstance(path, Path) else "postgresql",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def seed_server(url: str | None, cases: int, today: dt.date | None) -> dict:
    """Seed into the database `url` names, or into a new one on a throwaway cluster."""
    if url:
        return seed(url, cases, today)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import pg_server

    reason = pg_server.unavailable()
    if reason:
        raise SystemExit(reason)
    server = pg_server.Server().start()
    try:
        return seed(server.new_database(), cases, today)
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="where to write the SQLite ledger (must not exist); default a temporary file")
    parser.add_argument("--pg-url", help="an empty PostgreSQL database to seed; default a throwaway cluster")
    parser.add_argument("--engines", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--today", help="YYYY-MM-DD: the day the synthetic dates lead up to (default today)")
    args = parser.parse_args(argv)
    today = clock.parse_date(args.today) if args.today else None
    engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    if not engines or set(engines) - {"sqlite", "postgresql"}:
        print("--engines takes sqlite and/or postgresql.", file=sys.stderr)
        return 2
    if args.db is not None and args.db.exists():
        print(f"{args.db} already exists; give a new file.", file=sys.stderr)
        return 2
    load_before = os.getloadavg()[0]
    results = {}
    for engine in engines:
        if engine == "postgresql":
            figures = seed_server(args.pg_url, args.cases, today)
        else:
            figures = seed_sqlite(args.db, args.cases, today)
        results[engine] = figures
        print(f"{engine}: seeded {figures['cases']} cases, {figures['events']} events in {figures['seconds']:.2f} s")
    print(json.dumps({"bench": "seed", "cases": args.cases, "engines": results,
                      "loadavg": [round(load_before, 2), round(os.getloadavg()[0], 2)]}, ensure_ascii=False))
    return 0


def seed_sqlite(db: Path | None, cases: int, today: dt.date | None) -> dict:
    """Seed into the new file `db`, or into a temporary one removed after."""
    if db is not None:
        return seed(db, cases, today)
    scratch = Path(tempfile.mkdtemp(prefix="duban-bench-"))
    try:
        return seed(scratch / "synthetic.db", cases, today)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

"""Time the ledger query: `python bench/ledger_query.py --cases 10000 100000`.

For each size, seeds a synthetic ledger (or reuses one left in --dir by an earlier run) and
times `store.queries.ledger_rows()` — every row, sorted by next deadline, as the ledger
screen asks for it — taking the median of --runs runs. Also timed: the SQL alone (the
rows as tuples, no read-model objects) and one window of 100 rows (what a screen that
fetches only the visible rows would ask). One JSON line per size.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed import seed  # noqa: E402  (bench/seed.py)

from store.db import close_database, open_database  # noqa: E402
from store.models import Case  # noqa: E402
from store.queries import ledger_query, ledger_rows  # noqa: E402


def _ledger_for(directory: Path, cases: int) -> tuple[Path, float | None]:
    """A synthetic ledger of exactly `cases` cases: reused if present, else seeded (with its seconds)."""
    path = directory / f"synthetic-{cases}.db"
    if path.exists():
        try:
            open_database(path, create=False)
            count = Case.select().count()
        finally:
            close_database()
        if count == cases:
            return path, None
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path, seed(path, cases)["seconds"]


def _median_time(call, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times)


def _sorted_by_deadline(rows) -> bool:
    """Dated rows first, earliest deadline first; rows without a deadline last."""
    dues = [row.next_due for row in rows]
    dated = sum(due is not None for due in dues)
    return None not in dues[:dated] and set(dues[dated:]) <= {None} and dues[:dated] == sorted(dues[:dated])


def measure(path: Path, runs: int) -> dict:
    open_database(path, create=False)
    try:
        started = time.perf_counter()
        rows = ledger_rows()
        first = time.perf_counter() - started
        median, best = _median_time(ledger_rows, runs)
        sql, _ = _median_time(lambda: list(ledger_query().tuples()), runs)
        window, _ = _median_time(lambda: ledger_rows(limit=100), runs)
        return {"rows": len(rows), "first_s": round(first, 3), "median_s": round(median, 3), "min_s": round(best, 3),
                "sql_only_s": round(sql, 3), "window_100_s": round(window, 4),
                "sorted_by_deadline": _sorted_by_deadline(rows)}
    finally:
        close_database()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "duban-bench",
                        help="where the synthetic ledgers are kept between runs")
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    for cases in args.cases:
        path, seeded = _ledger_for(args.dir, cases)
        figures = {"bench": "ledger_query", "cases": cases, "order": "deadline", "runs": args.runs,
                   "seed_s": seeded, **measure(path, args.runs), "db": str(path)}
        print(json.dumps(figures, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

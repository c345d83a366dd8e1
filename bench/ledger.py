"""Benchmark: the desk at any size — launch, first paint, every key idle to idle, exports, memory.

    python bench/ledger.py --cases 100000 [--db PATH] [--keep] [--repeat 7] [--launches 3]
                           [--no-plain] [--no-launch] [--profile DIR]

Builds a `synthetic` ledger (in a child process, so that seeding neither warms this process
nor counts in its memory; `--db PATH` reuses a file that already holds N cases). Then, in
this order (bench/desk_keys.py, desk_screens.py, launch.py; tools in harness.py):

1. In-process, the real `DubanApp` headless through `App.run_test` and `Pilot` at 160×48:
   launch, the whole ledger loaded, then the keys a user presses.
2. A plain `DataTable` app given the same rows, for comparison (`--no-plain` skips it).
3. Whole processes (`--no-launch` skips them): `duban --db FILE` in tmux, then the exports,
   then VisiData on the CSV export when it is installed (`vd`, or `import visidata`).

How each figure is taken:

- `first_paint_s`: from entering `run_test` to the first frame showing rows (a hook on
  `App._display`, which also serialises the frame as a terminal would); `full_table_s`: to
  the first frame with all N rows; `snapshot_loaded_s`: until `app.ledger.loaded` is seen;
  `loaded_idle_s`: until the desk is also idle. `launch_s` adds the import of `tui.app` and
  `open_database` (`import_s`, `open_database_s`) to `first_paint_s`.
- Three figures per key, each the median of `--repeat` runs. `*_ms` (raw): `pilot.press(key)`,
  poll until the effect is there, one `pilot.pause()` — so it includes Pilot's own waits,
  whose floor is `noop_key_ms` (a key bound to nothing, `press` then `pause`). `*_frame_ms`:
  from the same key to the first frame that shows the effect — what a user sees first.
  `*_ms_net`, idle to idle, in runs of their own: the desk made idle, the key sent as the
  terminal driver sends it (`driver.send_message`, none of Pilot's waits), until a frame
  showing the effect has been put out and the desk is idle again — no worker in
  `app.workers` pending or running, no `StoreGateway` call in flight (counted by wrapping
  `StoreGateway._run`), the current screen's posted messages handled
  (`Pilot._wait_for_screen`) and the app's message queue empty, looked at every 2 ms — less
  `noop_idle_ms`, the no-op key taken the same way (Pilot's `noop_key_ms` would be the
  wrong floor here: these runs never go through its waits). The keys: `filter` (each
  keystroke in `/`: two words typed and erased), `open_case` (`enter` until the case card
  shows), `back` (`esc` until the ledger shows), `urge_dialog` (`u` until the dialog shows;
  `urge_dialog_ms` is raw with no final pause, as before), `urge` (`enter` in it until the
  ledger row shows one more urge), `follow_up_dialog` (`f`), `divisions` (`d`), `weekly`
  (`w`), `lookup` (`:`) and `statistics` (`s`, 3 runs): until that screen or dialog is the
  current one (idle to idle: with its figures in, its worker done), then `esc`.
  `open_case_after_statistics_ms`: `s`, `esc` as soon as it shows, `enter`: from the `enter`
  until the case card is the screen (one run).
  A screen key that is not idle within 300 s is left out (its `*_ms_net` null, or from the
  runs before) and named in `timeouts`; the run goes on.
- `gc_pause_max_ms`: the longest wall-clock pause of any collection of any generation, in
  any thread, from the floor to the last key (`gc.callbacks` start to stop);
  `gc_gen2_runs`, `gc_gen2_longest_ms`: full collections in that span and the CPU of the
  longest; `gc_full_collect_ms`: one `gc.collect()` right after loading.
- `rss_mb`: peak resident memory of the bench process (the desk in-process, before the
  plain DataTable); `rss_now_mb` at the end of the keys; `rss_quiet_mb` after that, once the desk
  has had no key for 3.5 s (its idle tidy, tui/memory.py, has run: what a desk settles at while
  the office reads a screen; the keys above come with no pause, so garbage piles up until then).
- `launch_to_first_rows_s`, `launch_to_loaded_s`: `duban --db FILE` in a detached tmux
  session at 160×48 (its server in the user's environment: a development shell's
  `PYTHONDONTWRITEBYTECODE` dropped, so both programs run from bytecode as installed ones do), from just before `tmux new-session` until `tmux capture-pane -p`
  (polled every 10 ms) first shows the first row's number, resp. the summary bar's figures
  (`在办 N … 本周催办 N`) with no `正在载入`/`载入中` left on screen; then `q`, and the bench
  waits for the desk to end by itself (it keeps its ledger cache, store/ledger_cache.py, in
  the bench's own `DUBAN_CACHE_DIR`). First one start with that folder emptied — the first
  start of the day, which reads the whole ledger: `launch_to_first_rows_cold_s`,
  `launch_to_loaded_cold_s` — then `--launches` more, as the desk is opened again the same
  day (from the cache): their medians are `launch_to_first_rows_s`, `launch_to_loaded_s`.
  The in-process desk of part 1 starts cold too (the folder is empty then).
- `xlsx_export_s`, `csv_export_s`: wall time of `duban export --format xlsx|csv --db FILE
  --out …` run as a subprocess (one run each).
- `visidata_loaded_s`: `vd FILE.csv` (the CSV just exported) in tmux exactly as the desk,
  until its status line shows `N rows` (N cases) with no `loading…` progress; median of
  `--launches`. Absent when VisiData is not installed.

Human-readable lines go to stdout as the run goes; the last line is one JSON object. The
machine may be shared: `loadavg` is in the JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
for _path in (ROOT, BENCH):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from harness import SIZE, TIMEOUT, FrameClock, emit, frame_time, say, wait_until

GOALS = {
    "launch_to_first_rows_s": 0.5, "launch_to_loaded_s": 1.0,
    **{f"{key}_ms_net": 100 for key in ("filter", "open_case", "back", "urge_dialog", "urge", "follow_up_dialog",
                                         "divisions", "weekly", "lookup")},
    "statistics_ms_net": 300, "gc_pause_max_ms": 20, "rss_mb": 250, "xlsx_export_s": 15, "csv_export_s": 3,
}
"""Issue 14's goals (at 100,000 cases): each figure at most this; and the desk loaded before VisiData."""


# --------------------------------------------------------------------------- database


def prepare(path: Path, cases: int) -> dict[str, Any]:
    """(In the child process.) Reuse `path` if it holds `cases` cases, else seed it."""
    from store.db import close_database, open_database
    from store.models import Case, Event

    started = time.perf_counter()
    if path.exists():
        open_database(path, create=False)
        have = Case.select().count()
        if have == cases:
            events = Event.select().count()
            close_database()
            return {"seeded": False, "seed_s": 0.0, "events": events}
        close_database()
        raise SystemExit(f"{path} already holds {have} cases, not {cases}: remove it or choose another --db.")
    import fixtures

    open_database(path)
    account = fixtures.seed("synthetic", cases=cases)
    events = Event.select().count()
    close_database()
    return {"seeded": True, "seed_s": round(time.perf_counter() - started, 2), "events": events,
            "account": account}


def prepare_in_child(path: Path, cases: int) -> dict[str, Any]:
    result = subprocess.run([sys.executable, __file__, "--prepare-only", "--cases", str(cases), "--db", str(path)],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT, check=False)
    if result.returncode:
        raise SystemExit(result.returncode)
    return json.loads(result.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------- a plain DataTable


async def measure_plain_datatable() -> dict[str, Any]:
    """The same rows in a plain DataTable: how long to its first paint."""
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    from store import queries
    from tui.widgets.ledger_table import COLUMNS, cell_texts

    started = time.perf_counter()
    rows = queries.ledger_rows()
    ledger_query_s = round(time.perf_counter() - started, 3)
    # Text cells: a plain `str` would be parsed as markup (a title with `[/]` would crash it).
    cells = [tuple(Text(texts[c.key]) for c in COLUMNS) for texts in map(cell_texts, rows)]
    del rows

    class PlainLedger(App):
        def compose(self) -> ComposeResult:
            yield DataTable()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns(*(c.label for c in COLUMNS))
            table.add_rows(cells)
            table.focus()

    app = PlainLedger()
    frames = FrameClock(app)
    painted = frames.expect(lambda: app.query_one(DataTable).row_count > 0)
    started = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.query_one(DataTable).row_count > 0, "the plain table", step=0.01)
        await pilot.pause()
        poll = round(time.perf_counter() - started, 3)
        first = round((await frame_time(painted, started, timeout=TIMEOUT) or float("nan")) / 1000, 3)
    return {"ledger_query_s": ledger_query_s, "plain_datatable_first_paint_s": first,
            "plain_datatable_first_paint_poll_s": poll}


# ----------------------------------------------------------------------------- main


def measure_processes(path: Path, cases: int, launches: int, work_dir: Path) -> dict[str, Any]:
    """The desk launched in tmux, the two exports, VisiData on the CSV (see bench/launch.py)."""
    import launch

    result: dict[str, Any] = {}
    tmux = shutil.which("tmux") is not None
    if not tmux:
        say("launch (tmux)      skipped: tmux is not installed")
    csv_path, xlsx_path = work_dir / "ledger.csv", work_dir / "ledger.xlsx"
    try:
        if tmux:
            with launch.TmuxServer():
                result |= launch.launch_desk(path, launch.first_row_number(path), launches)
        result["csv_export_s"] = launch.timed_export(path, "csv", csv_path)
        result["xlsx_export_s"] = launch.timed_export(path, "xlsx", xlsx_path)
        say(f"export             csv {result['csv_export_s']:.2f} s, xlsx {result['xlsx_export_s']:.2f} s")
        vd = launch.visidata_command()
        if vd is None:
            say("VisiData           not installed: no visidata_loaded_s")
        elif tmux:
            with launch.TmuxServer():
                result |= launch.launch_visidata(vd, csv_path, cases, launches)
    finally:
        for made in (csv_path, xlsx_path):
            made.unlink(missing_ok=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the 督办台 ledger with a synthetic ledger.")
    parser.add_argument("--cases", type=int, default=1000, help="number of synthetic cases (default 1000)")
    parser.add_argument("--db", type=Path, help="ledger file to build, or to reuse if it holds --cases cases")
    parser.add_argument("--keep", action="store_true", help="keep the temporary ledger file")
    parser.add_argument("--repeat", type=int, default=7, help="runs per measured key (median reported)")
    parser.add_argument("--launches", type=int, default=3, help="launches in tmux of the desk and of VisiData")
    parser.add_argument("--no-plain", action="store_true", help="skip the plain DataTable comparison")
    parser.add_argument("--no-launch", action="store_true", help="skip the launches in tmux and the exports")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="write a cProfile of the UI thread over the measured phases to DIR")
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.prepare_only:
        print(json.dumps(prepare(args.db, args.cases), ensure_ascii=False))
        return

    started = time.perf_counter()
    import tui.app  # noqa: F401 - timed: part of a real launch
    import_s = round(time.perf_counter() - started, 3)

    from desk_keys import measure_desk

    temp_dir = Path(tempfile.mkdtemp(prefix="duban-bench-"))
    os.environ["DUBAN_CACHE_DIR"] = str(temp_dir / "ledger-cache")  # the bench's own, empty: the desk starts cold
    path = args.db or temp_dir / f"synthetic-{args.cases}.db"
    say(f"machine            {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    say(f"ledger             {path} ({args.cases} cases) …")
    prepared = prepare_in_child(path, args.cases)
    seeded = f"seeded in {prepared['seed_s']:.1f} s" if prepared["seeded"] else "reused"
    say(f"ledger             {seeded}, {prepared['events']} events")

    from store.db import close_database, open_database

    started = time.perf_counter()
    open_database(path, create=False, verify=None)  # as `duban` opens it for the desk
    open_s = round(time.perf_counter() - started, 3)
    say(f"launch overhead    import {import_s:.3f} s, open database {open_s:.3f} s (not in first_paint_s)")
    processes: dict[str, Any] = {}
    try:
        desk = asyncio.run(measure_desk(args.cases, args.repeat, args.profile))
        plain: dict[str, Any] = {}
        if not args.no_plain:
            plain = asyncio.run(measure_plain_datatable())
            say(f"plain DataTable    {plain['plain_datatable_first_paint_s']:.3f} s to first paint "
                f"(rows fetched in {plain['ledger_query_s']:.3f} s beforehand)")
        if not args.no_launch:
            processes = measure_processes(path, args.cases, args.launches, temp_dir)
    finally:
        close_database()
        if args.keep and args.db is None:
            say(f"kept               {path}")
        else:
            shutil.rmtree(temp_dir, ignore_errors=True)

    first = ("first_paint_s", "filter_ms", "open_case_ms", "urge_ms", "rss_mb", "noop_key_ms")
    report = {
        "cases": args.cases,
        "events": prepared["events"],
        **{key: desk[key] for key in first},
        "plain_datatable_first_paint_s": plain.get("plain_datatable_first_paint_s"),
        **{k: v for k, v in desk.items() if k not in first},
        **{k: v for k, v in plain.items() if k != "plain_datatable_first_paint_s"},
        **processes,
        "launch_s": round(import_s + open_s + desk["first_paint_s"], 3),
        "import_s": import_s,
        "open_database_s": open_s,
        "seed_s": prepared["seed_s"],
        "cpus": os.cpu_count(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }
    missed = []
    for key, goal in GOALS.items():
        value = report.get(key)
        if value is not None and value > goal:
            missed.append(key)
    if report.get("visidata_loaded_s") is not None and report.get("launch_to_loaded_s") is not None \
            and report["launch_to_loaded_s"] >= report["visidata_loaded_s"]:
        missed.append("launch_to_loaded_s < visidata_loaded_s")
    report["goals_missed"] = missed
    unmeasured = [key for key in GOALS if report.get(key) is None]
    report["goals_unmeasured"] = unmeasured
    say(f"goals              {'all met' if not missed else 'missed: ' + ', '.join(missed)}"
        + (f" (not measured in this run: {', '.join(unmeasured)})" if unmeasured else ""))
    emit(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Whole processes, started as a user would: the desk and VisiData in tmux, the exports timed.

`launch_desk` starts `duban --db FILE` in a detached tmux session at 160×48 and polls
`tmux capture-pane -p` every 10 ms: "first rows" is the first capture that shows the first
row's number (the ledger's first row in its default order, read by the bench beforehand);
"loaded" is the first capture whose summary bar shows its figures (`在办 N`, `本周催办 N`)
with no loading marker left on screen (`正在载入`, the table's `载入中…` placeholder lines).
`launch_visidata` starts `vd FILE.csv` the same way; "loaded" is the first capture whose
status line shows the CSV's full row count (`N rows`) with no loading progress (`loading…`).
Every time runs from just before `tmux new-session` on the bench's own, already running tmux
server (so it includes tmux starting the shell and the interpreter); the session is killed
after each launch. The server runs in the user's environment (`user_environment`): a
development shell's `PYTHONDONTWRITEBYTECODE` is dropped, so both programs start from their
bytecode as installed ones do (the desk's first, cold start writes what is missing).
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness import SIZE, say

POLL = 0.01
LAUNCH_TIMEOUT = 120.0
DESK_LOADED = re.compile(r"在办 \d+.*本周催办 \d+")


SOCKET = f"duban-bench-{os.getpid()}"


def _tmux(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """tmux on the bench's own server (`-L`), never the user's."""
    kwargs.setdefault("check", False)
    return subprocess.run(["tmux", "-L", SOCKET, *args], **kwargs)  # noqa: PLW1510 - check set just above


class TmuxServer:
    """The bench's own tmux server, kept up by one idle session between launches.

    Without it, killing a launch's session stops the server, and the next `new-session`
    can race the server's exit. The launches are then timed on a running server, as a user
    types the command into a terminal that is already open.
    """

    def __enter__(self):
        _tmux("new-session", "-d", "-s", "keeper", "sleep 86400", check=True, env=user_environment())
        return self

    def __exit__(self, *exc) -> None:
        _tmux("kill-server", stderr=subprocess.DEVNULL)


def user_environment() -> dict[str, str]:
    """The bench's environment as a user's shell has it: without `PYTHONDONTWRITEBYTECODE`
    (set in some development shells), so that the desk and VisiData both run from the bytecode
    their first start wrote, as an installed program does — not compiled afresh at every start."""
    return {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def _pane(session: str) -> str:
    return _tmux("capture-pane", "-p", "-t", session, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                 text=True).stdout


def timed_launch(command: str, marks: dict[str, Callable[[str], bool]], name: str,
                 quit_keys: str | None = None) -> dict[str, float]:
    """Start `command` in a new tmux session; seconds until each mark first holds of the pane.
    `quit_keys`: then send these keys and wait (up to 60 s) for the program to end by itself, as
    a user quits (the desk keeps its ledger cache then); else the session is killed."""
    session = f"duban-bench-{os.getpid()}-{name}"
    width, height = SIZE
    seen: dict[str, float] = {}
    started = time.perf_counter()
    _tmux("new-session", "-d", "-s", session, "-x", str(width), "-y", str(height), command, check=True)
    try:
        deadline = started + LAUNCH_TIMEOUT
        while len(seen) < len(marks):
            text = _pane(session)
            now = time.perf_counter()
            for mark, holds in marks.items():
                if mark not in seen and holds(text):
                    seen[mark] = round(now - started, 3)
            if now > deadline:
                raise TimeoutError(f"{name}: no {set(marks) - set(seen)} within {LAUNCH_TIMEOUT:.0f} s; "
                                   f"the screen:\n{text}")
            time.sleep(POLL)
        if quit_keys:
            _tmux("send-keys", "-t", session, quit_keys)
            ends = time.perf_counter() + 60
            while time.perf_counter() < ends and _tmux("has-session", "-t", session,
                                                       stderr=subprocess.DEVNULL).returncode == 0:
                time.sleep(0.05)
    finally:
        _tmux("kill-session", "-t", session, stderr=subprocess.DEVNULL)
    return seen


def _duban() -> str:
    """The `duban` entry point beside this interpreter (the project's venv), else on PATH."""
    beside = Path(sys.executable).with_name("duban")
    return str(beside) if beside.exists() else (shutil.which("duban") or "duban")


def first_row_number(path: Path) -> str:
    """What the number column shows for the ledger's first row in its default order."""
    from store import queries
    from tui.widgets.ledger_table import cell_texts

    rows = queries.ledger_rows(limit=1)
    return cell_texts(rows[0])["number"] if rows else ""


def launch_desk(path: Path, number: str, runs: int) -> dict[str, Any]:
    """`duban --db FILE` in tmux, `runs` times: medians of first rows and loaded, in seconds."""
    from shlex import quote

    from desk_keys import OPERATOR

    command = f"exec {quote(_duban())} --db {quote(str(path))} --operator {quote(OPERATOR)}"

    def loaded(text: str) -> bool:
        return bool(DESK_LOADED.search(text)) and "正在载入" not in text and "载入中" not in text

    marks = {"first": lambda text: number in text, "loaded": loaded}
    cache = os.environ.get("DUBAN_CACHE_DIR", "")
    if cache and cache != "off":  # the first start of the day: no ledger cache yet
        shutil.rmtree(cache, ignore_errors=True)
    cold = timed_launch(command, marks, "desk-cold", quit_keys="q")
    say(f"launch (tmux)      cold (no ledger cache): first rows {cold['first']} s, loaded {cold['loaded']} s")
    firsts, loads = [], []
    for run in range(runs):
        seen = timed_launch(command, marks, f"desk{run}", quit_keys="q")
        firsts.append(seen["first"])
        loads.append(seen["loaded"])
    say(f"launch (tmux)      again the same day: first rows {firsts} s, loaded {loads} s")
    return {"launch_to_first_rows_s": _median_s(firsts), "launch_to_loaded_s": _median_s(loads),
            "launch_to_first_rows_runs": firsts, "launch_to_loaded_runs": loads,
            "launch_to_first_rows_cold_s": cold["first"], "launch_to_loaded_cold_s": cold["loaded"]}


def _median_s(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def timed_export(path: Path, fmt: str, out: Path) -> float:
    """Seconds for `duban export --format FMT --db FILE --out OUT` as a subprocess."""
    started = time.perf_counter()
    subprocess.run([_duban(), "export", "--format", fmt, "--db", str(path), "--out", str(out)], check=True,
                   stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=user_environment())
    return round(time.perf_counter() - started, 2)


def visidata_command() -> str | None:
    """How to start VisiData here: `vd` beside this interpreter or on PATH, else `python -m visidata`."""
    beside = Path(sys.executable).with_name("vd")
    if beside.exists():
        return str(beside)
    if shutil.which("vd"):
        return shutil.which("vd")
    try:
        import visidata  # noqa: F401
    except ImportError:
        return None
    return f"{sys.executable} -m visidata"


def launch_visidata(vd: str, csv_path: Path, rows: int, runs: int) -> dict[str, Any]:
    """`vd FILE.csv` in tmux, `runs` times: the median seconds until its status line shows all rows."""
    from shlex import quote

    full = re.compile(rf"\b{rows} rows\b")

    def loaded(text: str) -> bool:
        return bool(full.search(text)) and "loading" not in text

    loads = []
    for run in range(runs):
        loads.append(timed_launch(f"exec {vd} {quote(str(csv_path))}", {"loaded": loaded}, f"vd{run}")["loaded"])
    say(f"VisiData (tmux)    loaded {loads} s")
    return {"visidata_loaded_s": _median_s(loads), "visidata_loaded_runs": loads}

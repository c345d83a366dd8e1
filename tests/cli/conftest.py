"""Command-line tests: an isolated home for platformdirs, a stand-in for the Textual app."""

from __future__ import annotations

import os
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

from store import clock
from store.db import close_database
from tui.cli import main

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """platformdirs folders under tmp_path; no DUBAN_* from the environment; clock restored."""
    home = tmp_path / "home"
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_STATE_HOME", "state"), ("XDG_CONFIG_HOME", "config"),
                     ("XDG_CACHE_HOME", "cache")):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.delenv("DUBAN_DB", raising=False)
    monkeypatch.delenv("DUBAN_OPERATOR", raising=False)
    yield home
    close_database()
    clock.fix_today(None)


@pytest.fixture
def cli(capsys):
    """Run `duban ARGS…` in-process; return its exit code, stdout and stderr."""

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def fake_app(monkeypatch):
    """Stand in for `tui.app` so that opening the desk records the call instead of running Textual."""
    calls: list[dict] = []
    module = types.ModuleType("tui.app")

    def run(*, target, operator):
        calls.append({"target": target, "operator": operator, "today": clock.today(),
                      "fixed": clock.is_today_fixed()})
        return None

    module.run = run
    monkeypatch.setitem(sys.modules, "tui.app", module)
    return calls


def state_of(path: Path) -> dict:
    """Bytes and mtime of a file and its SQLite companions, to prove nothing was touched."""
    result = {}
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if candidate.is_file():
            stat = candidate.stat()
            result[candidate.name] = (candidate.read_bytes(), stat.st_mtime_ns)
        elif candidate.exists():
            result[candidate.name] = ("not a file", candidate.stat().st_mtime_ns)
    return result


def assert_refused(result: Result, *, must_mention: str | None = None) -> None:
    """One Chinese sentence on stderr, a non-zero exit, no traceback, nothing on stdout."""
    assert result.code != 0, result
    assert result.code == 2, result
    assert "Traceback" not in result.text
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in lines[0]), result.err
    assert result.out == ""
    if must_mention:
        assert must_mention in result.err, result.err


def subprocess_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    env.update({
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "PYTHONPATH": str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
        "PYTHONIOENCODING": "utf-8",
    })
    return env

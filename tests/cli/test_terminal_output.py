"""Stored text printed by the command line: to a terminal its control characters are made
visible; to a pipe (or a file) the data goes exactly as stored, CSV with its formula guard."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys

import pytest

from store import actions
from store.db import close_database, open_database
from tests.cli.conftest import REPO, subprocess_env

HOSTILE = "\x1b]2;PWNED\x07\x1b[?1049l\x9b2J\x07\x1b[2J\u202eRTL\u202c"
SHOWN = "␛]2;PWNED␇␛[?1049l⟨9B⟩2J␇␛[2J⟨U+202E⟩RTL⟨U+202C⟩"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def hostile_ledger(path):
    open_database(path)
    try:
        session = actions.ensure_session("市" + HOSTILE + "人大四次会议", body="人大", year=2023,
                                         assigned_on=dt.date(2023, 3, 10))
        proposer = actions.ensure_proposer(HOSTILE + "李四", group=HOSTILE)
        actions.create_case("测试", session=session, number="20230001", title="=" + HOSTILE + "标题", role="主办",
                            assigned_on=dt.date(2023, 3, 10), lead_proposer=proposer, topic=HOSTILE + "数字政府")
    finally:
        close_database()
    return path


def on_a_terminal(args, home) -> str:
    """Run the command with its standard output on a pseudo-terminal; what the terminal got."""
    master, slave = os.openpty()
    try:
        process = subprocess.Popen([sys.executable, "-m", "tui.cli", *map(str, args)], cwd=REPO,
                                   env=subprocess_env(home), stdout=slave, stderr=subprocess.PIPE)
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other end closed (Linux reports EIO)
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=120) == 0, process.stderr.read().decode()
        process.stderr.close()
    finally:
        os.close(master)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def in_a_pipe(args, home) -> str:
    done = subprocess.run([sys.executable, "-m", "tui.cli", *map(str, args)], cwd=REPO, env=subprocess_env(home),
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode("utf-8")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize("args", [["report", "summary"], ["export", "--format", "csv"], ["export", "--format", "json"]],
                         ids=["summary", "csv", "json"])
def test_a_terminal_gets_control_characters_made_visible_a_pipe_gets_the_data(tmp_path, isolated, args):
    ledger = hostile_ledger(tmp_path / "hostile.db")
    shown = on_a_terminal([*args, "--db", ledger], isolated)
    assert not any(ch in shown for ch in RAW), repr(shown[:300])
    # the text is there, made visible (JSON writes C0 as \u escapes itself; C1 and bidi are the gate's)
    assert ("␛]2;PWNED␇" in shown) if args[-1] != "json" else ("\\u001b]2;PWNED" in shown and "⟨9B⟩" in shown)

    piped = in_a_pipe([*args, "--db", ledger], isolated)
    if args[0] == "report":
        assert "市" + HOSTILE + "人大四次会议" in piped and "⟨9B⟩" not in piped
    elif args[-1] == "csv":
        rows = list(csv.DictReader(io.StringIO(piped)))
        assert rows[0]["标题"] == "'=" + HOSTILE + "标题"  # as stored, behind the formula guard
        assert SHOWN in shown  # the terminal: the same cell, visible
    else:
        records = json.loads(piped)
        assert records[0]["标题"] == "=" + HOSTILE + "标题"

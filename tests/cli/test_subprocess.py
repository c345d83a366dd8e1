"""The command line as users and scripts run it: a real process, exit codes, no Textual for batch work."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import REPO, state_of, subprocess_env


def run(args, home: Path, *, program=None) -> subprocess.CompletedProcess:
    command = (program or [sys.executable, "-m", "tui.cli"]) + [str(a) for a in args]
    return subprocess.run(command, cwd=REPO, env=subprocess_env(home), capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def duban_script() -> str | None:
    """The installed console script: on PATH in an activated venv, else beside this Python."""
    beside = Path(sys.executable).with_name("duban")
    return shutil.which("duban") or (str(beside) if beside.exists() else None)


def test_seed_export_report_as_a_module(tmp_path, isolated):
    ledger = tmp_path / "sz2023.db"
    seeded = run(["seed", "--fixture", "sz2023", "--db", ledger], isolated)
    assert seeded.returncode == 0, seeded.stderr
    assert "20件" in seeded.stdout

    exported = run(["export", "--db", ledger, "--format", "csv"], isolated)
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert len(rows) == 20 and "标题" in rows[0]

    summary = run(["report", "summary", "--db", ledger], isolated)
    assert summary.returncode == 0, summary.stderr
    assert summary.stdout.startswith("市七届人大四次会议期间，我局共接收办理市人大代表建议件20件，"
                                     "其中主办3件、承办2件、分办3件、汇办12件。")
    assert "Traceback" not in seeded.stderr + exported.stderr + summary.stderr


def test_the_console_script(tmp_path, isolated):
    script = duban_script()
    if script is None:
        pytest.skip("the duban console script is not installed in this environment")
    ledger = tmp_path / "synthetic.db"
    seeded = run(["seed", "--fixture", "synthetic", "--cases", "50", "--db", ledger], isolated, program=[script])
    assert seeded.returncode == 0, seeded.stderr
    report = run(["report", "summary", "--db", ledger], isolated, program=[script])
    assert report.returncode == 0 and "我局共接收办理" in report.stdout

    notes = tmp_path / "notes.txt"
    notes.write_text("不是台账\n", encoding="utf-8")
    before = state_of(notes)
    refused = run(["--db", notes], isolated, program=[script])
    assert refused.returncode == 2
    assert "Traceback" not in refused.stdout + refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and "不是 SQLite" in refused.stderr
    assert state_of(notes) == before


@pytest.mark.parametrize(
    "args",
    [
        ["--db", "sqlite://"],
        ["--db", "/proc/duban-test.db"],
        ["--today", "2023-13-45"],
        ["seed", "--fixture", "nosuch", "--db", "{tmp}/x.db"],
        ["export", "--db", "{tmp}/x.db", "--format", "xml"],
        ["report", "summary", "--db", "{tmp}/x.db"],
        ["frobnicate"],
    ],
)
def test_refusals_in_a_real_process(tmp_path, isolated, args):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = run(args, isolated)
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert not (tmp_path / "x.db").exists()
    assert not Path("/proc/duban-test.db").exists()


def test_batch_commands_do_not_load_textual(tmp_path, isolated):
    ledger = tmp_path / "ledger.db"
    code = (
        "import sys\n"
        "from tui.cli import main\n"
        f"assert main(['seed', '--fixture', 'sz2023', '--db', {str(ledger)!r}]) == 0\n"
        f"assert main(['export', '--db', {str(ledger)!r}, '--format', 'json', '--out', {str(tmp_path / 'x.json')!r}]) == 0\n"
        f"assert main(['report', 'summary', '--db', {str(ledger)!r}]) == 0\n"
        f"assert main(['--db', {str(tmp_path / 'notes')!r}, '--today', 'bad']) == 2\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print('LOADED:' + ','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=subprocess_env(isolated),
                            capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert result.returncode == 0, result.stderr
    assert "LOADED:\n" in result.stdout, result.stdout

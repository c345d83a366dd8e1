"""duban calendar show|set|confirm: the working-day calendar from the command line.

`add_parsers` registers the commands on the main parser; `run` carries one out. Refusals are
`CommandRefused` or `LedgerError` sentences, shown by `tui.cli.main`.
"""

from __future__ import annotations


def add_parsers(commands, add_db, add_today) -> None:
    """Register `calendar show|set|confirm`."""


def run(args, today) -> int:
    raise NotImplementedError

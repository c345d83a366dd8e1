"""duban org import|export: the office's divisions and people as an xlsx file (one row a person).

`add_parsers` registers the commands on the main parser; `run` carries one out. Refusals are
`CommandRefused` or `LedgerError` sentences, shown by `tui.cli.main`.
"""

from __future__ import annotations


def add_parsers(commands, add_db, add_today) -> None:
    """Register `org import` and `org export`."""


def run(args, today) -> int:
    raise NotImplementedError

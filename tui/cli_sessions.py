"""duban rules show|set and duban session list|create|rename: sessions and their deadline rules.

`add_parsers` registers the commands on the main parser; `run` carries one out. Refusals are
`CommandRefused` or `LedgerError` sentences, shown by `tui.cli.main`.
"""

from __future__ import annotations


def add_parsers(commands, add_db, add_today) -> None:
    """Register `rules show|set` and `session list|create|rename`."""


def run(args, today) -> int:
    raise NotImplementedError

"""Messages the App sends its screens."""

from __future__ import annotations

from textual.message import Message


class LedgerUpdated(Message):
    """Cases changed (`case_ids`), or everything was reloaded (`case_ids` is None)."""

    def __init__(self, case_ids: list[int] | None) -> None:
        super().__init__()
        self.case_ids = case_ids

"""The summary bar over the ledger: the figures a supervisor scans first.

A narrow terminal breaks the bar between figures, never inside one (在办 31 stays whole).
"""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.content import Content
from textual.widgets import Static

from store.office_calendar import ESTIMATED_MARK

from store.snapshot import LedgerSummary

# The bar's one sentence on marked dates (the full one: store.office_calendar.ESTIMATED_NOTE).
ESTIMATED_SHORT = "（所跨年份节假日未公布或未确认，c 工作日历）"


class SummaryBar(Static):
    """在办, 待签收, 7日内到期, 已逾期, 待评价, 滞后, 本周催办 — each with its word, never colour alone."""

    _parts: list[tuple[str, str]] = []
    """The figures last shown, as (text, style), laid out again when the bar's width changes."""

    def show(self, summary: LedgerSummary | None, urges_this_week: int | None, scope: str, *,
             loading: bool = False) -> None:
        if summary is None:
            self._parts = [(f"{scope}　正在载入台账…", "")]
            self._draw()
            return
        parts = [
            (f"{scope}", "bold"),
            (f"  在办 {summary.open_cases}", ""),
            (f"  待签收 {summary.awaiting_sign}", "bold $warning" if summary.awaiting_sign else ""),
            (f"  7日内到期 {summary.due_within_7}", "bold $warning" if summary.due_within_7 else ""),
            (f"  已逾期 {summary.overdue}", "bold $error" if summary.overdue else ""),
            (f"  待评价 {summary.awaiting_evaluation}", ""),
            (f"  滞后 {summary.stale}", "$error" if summary.stale else ""),
            (f"  本周催办 {urges_this_week if urges_this_week is not None else '…'}", ""),
        ]
        if summary.estimated:
            parts.append((f"  {ESTIMATED_MARK}{summary.estimated}件期限为推算{ESTIMATED_SHORT}", "$warning"))
        if loading:
            parts.append(("  （正在载入全部案件…）", "italic"))
        self._parts = parts
        self._draw()

    def on_resize(self, event: events.Resize) -> None:
        self._draw()

    def _draw(self) -> None:
        """Lay the figures out in lines no wider than the bar, each figure whole."""
        width = self.content_size.width
        pieces: list[tuple[str, str] | str] = []
        used = 0
        for text, style in self._parts:
            if used and width and used + cell_len(text) > width:
                pieces.append("\n")
                text = text.lstrip()
                used = 0
            pieces.append((text, style))
            used += cell_len(text)
        self.update(Content.assemble(*pieces))

"""The command palette's case lookup (ctrl+p): by number, words of the title, or proposer.

Choosing a hit shows the case's meeting card (large facts to read out); enter there opens
the full case.

Searches the desk's in-memory ledger, so a hit is back within milliseconds at 100,000
cases. Stored text is shown as plain Content (the palette's own highlighter would read it
as markup); the help line holds only text the program made.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.style import Style as ContentStyle

from store.queries import LedgerRow
from tui.text import visible

MAX_HITS = 30
PALETTE_PLACEHOLDER = "查找案件：编号、标题中的词或领衔人；或输入命令"
"""The palette's prompt (Textual's own reads "Search for commands…")."""


def hit_label(row: LedgerRow, query: str = "") -> Content:
    """第N号 title — proposer, with the typed words underlined; never parsed as markup."""
    text = f"第{row.number}号  {visible(row.title)}  — {visible(row.lead_proposer)}"
    content = Content(text)
    needle = query.strip().casefold()
    if needle:
        start = text.casefold().find(needle)
        if start >= 0:
            content = content.stylize(ContentStyle(bold=True, underline=True), start, start + len(needle))
    return content


def find_cases(rows: list[LedgerRow], query: str, limit: int = MAX_HITS) -> list[tuple[float, LedgerRow]]:
    """Rank cases for a lookup: number first, then title, then proposer."""
    needle = query.strip().strip("第号").casefold() if query.strip().startswith("第") else query.strip().casefold()
    if not needle:
        return []
    hits: list[tuple[float, LedgerRow]] = []
    for row in rows:
        if row.number == needle:
            score = 1.0
        elif needle in row.number.casefold():
            score = 0.9
        elif needle in row.title.casefold():
            score = 0.7
        elif needle in row.lead_proposer.casefold():
            score = 0.6
        else:
            continue
        hits.append((score, row))
        if len(hits) >= limit * 20:
            break
    hits.sort(key=lambda pair: -pair[0])
    return hits[:limit]


class CaseLookup(Provider):
    """Find a case and open it."""

    def _rows(self, query: str = "") -> list[LedgerRow]:
        """Candidates: with a query, only rows whose search text holds it (fast at 100,000)."""
        snapshot = self.app.ledger.snapshot
        if snapshot is not None:
            return snapshot.rows(text=query)
        first = self.app.ledger.first
        return list(first.rows) if first else []

    async def search(self, query: str) -> Hits:
        if not query.strip():
            return
        for score, row in find_cases(self._rows(query.strip().strip("第号") or query), query):
            yield Hit(
                score,
                hit_label(row, query),
                partial(self.app.open_card, row.case_id),
                text=f"第{row.number}号",
                help=f"{row.status}　{row.next_milestone} {row.countdown}" if row.next_due else row.status,
            )

    async def discover(self) -> Hits:
        """Before anything is typed: the most urgent open cases."""
        for row in [r for r in self._rows() if r.next_due is not None][:8]:
            yield DiscoveryHit(hit_label(row), partial(self.app.open_card, row.case_id), text=f"第{row.number}号",
                               help=f"最紧急：{row.next_milestone} {row.countdown}")

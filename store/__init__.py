"""督办台的数据层 (the ledger store): models, deadlines, actions and read models.

Nothing here imports Textual or Rich; the UI reads through `store.queries` and writes
through `store.actions`, and a test keeps it that way.
"""

from store.errors import LedgerError, VersionConflict

__all__ = ["LedgerError", "VersionConflict"]

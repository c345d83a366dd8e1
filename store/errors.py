"""The one error type the store raises for anything the user can fix.

Every message is a Chinese sentence the UI or the command line shows as it is.
"""


class LedgerError(Exception):
    """A refused input or an unusable database, with a message fit to show the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DatabaseUnusable(LedgerError):
    """The database cannot be opened as a duban ledger; nothing was changed."""


class LedgerReadOnly(LedgerError):
    """The ledger cannot be written (opened read-only, or its file became read-only); nothing was written."""


class VersionConflict(LedgerError):
    """The case was changed elsewhere since the caller read it; nothing was written.

    `changes` lists, newest last, the events recorded since the version the caller had.
    """

    def __init__(self, message: str, changes: list[str] | None = None) -> None:
        super().__init__(message)
        self.changes = changes or []


class ConnectionLost(LedgerError):
    """The connection to the PostgreSQL server was lost; nothing of the call was written.

    The desk keeps what the user typed and reconnects in the background (store.feed)."""


class CommitUncertain(ConnectionLost):
    """The connection was lost at COMMIT: the write may or may not have landed (it says so)."""

"""The desk's copy of the ledger, kept current from the store without blocking the UI.

At start it fetches the first screenful (indexed, fast at any size) so the ledger paints at
once, then loads every row into a `LedgerSnapshot` on the bulk thread. Every second it asks
a `ChangeWatcher` whether anyone committed (this desk, a second workstation, the command
line); if so it fetches only the cases with new events and puts them in place. When the
office's date changes (midnight in Asia/Shanghai) every countdown is recomputed.
"""

from __future__ import annotations

import datetime as dt
import gc
from dataclasses import dataclass

from store import clock, queries
from store.db import ChangeWatcher, database
from store.queries import LedgerRow, SessionInfo
from store.snapshot import LedgerSnapshot
from tui.gateway import StoreGateway

FIRST_WINDOW = 200


@dataclass(frozen=True)
class FirstLook:
    """What the ledger shows before the whole snapshot is loaded."""

    today: dt.date
    rows: list[LedgerRow]
    total: int
    sessions: list[SessionInfo]
    newest_event: int


def _first_look() -> FirstLook:
    today = clock.today()
    newest = queries.latest_event_id()
    return FirstLook(today, queries.ledger_rows(today=today, limit=FIRST_WINDOW), queries.ledger_count(),
                     queries.sessions(), newest)


def _full_load() -> tuple[LedgerSnapshot, int]:
    today = clock.today()
    newest = queries.latest_event_id()
    return LedgerSnapshot(queries.ledger_rows(today=today), today), newest


def _changes(watcher_holder: list, since: int, today: dt.date, force: bool) -> tuple[list[LedgerRow], int, bool]:
    """On the store thread: (changed rows, newest event id, whether anything was committed)."""
    if not watcher_holder:
        watcher_holder.append(ChangeWatcher(database.obj))
    fired = watcher_holder[0].changed() or force
    if not fired:
        return [], since, False
    case_ids, newest = queries.cases_changed_since(since)
    rows = queries.ledger_rows(today=today, case_ids=case_ids) if case_ids else []
    return rows, newest, True


def _close_watcher(watcher_holder: list) -> None:
    for watcher in watcher_holder:
        watcher.close()
    watcher_holder.clear()


def _settle() -> None:
    """Move the loaded ledger out of the garbage collector's sight.

    100,000 rows make every full collection cost 100–250 ms, landing on random keystrokes;
    frozen objects are skipped (the few rows later replaced are left to the next freeze).
    """
    gc.freeze()


class LedgerData:
    """The ledger as the desk knows it; refreshed by `check` and `reload`."""

    def __init__(self, gateway: StoreGateway) -> None:
        self.gateway = gateway
        self.snapshot: LedgerSnapshot | None = None
        self.first: FirstLook | None = None
        self.sessions: list[SessionInfo] = []
        self.newest_event = 0
        self._watcher: list = []

    @property
    def today(self) -> dt.date:
        if self.snapshot is not None:
            return self.snapshot.today
        return self.first.today if self.first else clock.today()

    @property
    def loaded(self) -> bool:
        return self.snapshot is not None

    async def first_look(self) -> FirstLook:
        self.first = await self.gateway.call(_first_look)
        self.sessions = self.first.sessions
        self.newest_event = self.first.newest_event
        return self.first

    async def load_all(self) -> None:
        snapshot, newest = await self.gateway.bulk(_full_load)
        if self.snapshot is not None:
            snapshot.sort(*self.snapshot.order)
        self.snapshot = snapshot
        _settle()
        self.newest_event = min(self.newest_event, newest) if self.newest_event else newest
        await self.check(force=True)

    async def check(self, *, force: bool = False) -> list[int] | None:
        """Bring changed cases in; return their ids (None: nothing changed, [] : date changed)."""
        if self.snapshot is None:
            return None
        if clock.today() != self.snapshot.today:
            await self.load_all_again()
            return []
        since = self.newest_event
        rows, newest, fired = await self.gateway.call(_changes, self._watcher, since, self.snapshot.today, force)
        if not fired:
            return None
        self.newest_event = max(newest, self.newest_event)
        if rows:
            new_sessions = {row.session for row in rows} - {s.name for s in self.sessions}
            self.snapshot.update(rows)
            if new_sessions:
                self.sessions = await self.gateway.call(queries.sessions)
        return [row.case_id for row in rows]

    async def load_all_again(self) -> None:
        order = self.snapshot.order if self.snapshot else ("deadline", False)
        snapshot, newest = await self.gateway.bulk(_full_load)
        snapshot.sort(*order)
        self.snapshot = snapshot
        _settle()
        self.newest_event = newest
        self.sessions = await self.gateway.call(queries.sessions)

    async def urges_this_week(self, session_id: int | None) -> int:
        today = self.today
        monday = today - dt.timedelta(days=today.weekday())
        return await self.gateway.call(queries.urges_since, monday, session_id=session_id)

    async def close(self) -> None:
        try:
            await self.gateway.call(_close_watcher, self._watcher)
        except Exception:  # noqa: BLE001 - closing is best effort
            pass

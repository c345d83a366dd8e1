"""The desk's copy of the ledger, kept current from the store without blocking the UI.

At start it fetches the first screenful (indexed, fast at any size) so the ledger paints at
once, then loads every row into a `LedgerSnapshot` on the bulk thread. Every second it asks
a `ChangeWatcher` whether anyone committed (this desk, a second workstation, the command
line); if so it fetches only the cases with new events and puts them in place. When the
office's date changes (midnight in Asia/Shanghai) every countdown is recomputed. A change
to the office's own settings (a 变更记录: the calendar, a session's rules, the sessions)
writes no case event but may move every deadline, so a new change record reloads the
whole ledger.
"""

from __future__ import annotations

import datetime as dt
import gc
from dataclasses import dataclass

from store import changes, clock, queries
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
    newest_change: int = 0


def _first_look() -> FirstLook:
    today = clock.today()
    newest = queries.latest_event_id()
    return FirstLook(today, queries.ledger_rows(today=today, limit=FIRST_WINDOW), queries.ledger_count(),
                     queries.sessions(), newest, changes.latest_change_id())


def _full_load() -> tuple[LedgerSnapshot, int, int]:
    """(every row, the newest event id, the newest change record id), the ids read before the rows."""
    today = clock.today()
    newest = queries.latest_event_id()
    newest_change = changes.latest_change_id()
    return LedgerSnapshot(queries.ledger_rows(today=today), today), newest, newest_change


def _changes(watcher_holder: list, since: int, today: dt.date, force: bool,
             change_seen: int = 0) -> tuple[list[LedgerRow], int, bool, bool]:
    """On the store thread: (changed rows, newest event id, whether anything was committed,
    whether a change record newer than `change_seen` exists: then everything is reloaded).

    The change record id is read on every look: outside SQLite the watcher counts events only.
    """
    if not watcher_holder:
        watcher_holder.append(ChangeWatcher(database.obj))
    fired = watcher_holder[0].changed() or force
    if changes.latest_change_id() > change_seen:
        return [], since, True, True
    if not fired:
        return [], since, False, False
    case_ids, newest = queries.cases_changed_since(since)
    rows = queries.ledger_rows(today=today, case_ids=case_ids) if case_ids else []
    return rows, newest, True, False


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
        self.newest_change = 0  # the newest 变更记录 the snapshot has taken in
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
        self.newest_change = self.first.newest_change
        return self.first

    async def load_all(self) -> None:
        snapshot, newest, newest_change = await self.gateway.bulk(_full_load)
        if self.snapshot is not None:
            snapshot.sort(*self.snapshot.order)
        self.snapshot = snapshot
        _settle()
        self.newest_event = min(self.newest_event, newest) if self.newest_event else newest
        self.newest_change = newest_change
        await self.check(force=True)

    async def check(self, *, force: bool = False) -> list[int] | None:
        """Bring changed cases in; return their ids (None: nothing changed; []: everything was
        reloaded, because the date changed or the office changed its calendar or rules)."""
        if self.snapshot is None:
            return None
        if clock.today() != self.snapshot.today:
            await self.load_all_again()
            return []
        since = self.newest_event
        rows, newest, fired, settings_changed = await self.gateway.call(
            _changes, self._watcher, since, self.snapshot.today, force, self.newest_change)
        if settings_changed:
            await self.load_all_again()
            return []
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
        snapshot, newest, newest_change = await self.gateway.bulk(_full_load)
        snapshot.sort(*order)
        self.snapshot = snapshot
        _settle()
        self.newest_event = newest
        self.newest_change = newest_change
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

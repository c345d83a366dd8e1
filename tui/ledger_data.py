"""The desk's copy of the ledger, kept current from the store without blocking the UI.

At start it fetches the first screenful (indexed, fast at any size) so the ledger paints at
once, then loads every row into a `LedgerSnapshot` on the bulk thread. Every second it asks
the change feed (store/feed.py) what anyone committed (this desk, a second workstation, the
command line); it fetches only the cases written and puts them in place. When the office's
date changes (midnight in Asia/Shanghai) every countdown is recomputed. A change to the
office's own settings (a 变更记录: the calendar, a session's rules, the sessions) writes no
case event but may move every deadline, so it reloads the whole ledger; so does the server
coming back after an outage, since what was committed meanwhile was not announced.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from concurrent import futures
from dataclasses import dataclass

from store import changes, clock, ledger_cache, queries
from store.errors import LedgerError
from store.db import database
from store.feed import ChangeWatcher, News
from store.queries import LedgerRow, SessionInfo
from store.snapshot import LedgerSnapshot
from store.statistics_keeper import StatisticsKeeper
from tui.gateway import StoreGateway

FIRST_WINDOW = 200
START_ORDER = ("deadline", False)
"""The order the ledger opens in."""


@dataclass(frozen=True)
class FirstLook:
    """What the ledger shows before the whole snapshot is loaded."""

    today: dt.date
    rows: list[LedgerRow]
    total: int
    sessions: list[SessionInfo]
    newest_event: int
    newest_change: int = 0


def _first_look(watcher_holder: list) -> FirstLook:
    """The first screenful; the change feed starts listening before anything is read, so nothing
    committed from then on is missed, however long the whole load takes or late a commit lands."""
    try:
        watcher = _watcher(watcher_holder)
    except Exception:  # noqa: BLE001 - a damaged file: the integrity check after the first paint says so
        watcher = None  # (and a watcher is made at the first look instead)
    today = clock.today()
    newest, newest_change = queries.latest_event_id(), changes.latest_change_id()
    if watcher is not None:
        watcher.start_at(newest, newest_change)
    return FirstLook(today, queries.ledger_rows(today=today, limit=FIRST_WINDOW), queries.ledger_count(),
                     queries.sessions(), newest, newest_change)


def _watcher(watcher_holder: list, since: int = 0, change_seen: int = 0) -> ChangeWatcher:
    if not watcher_holder:
        watcher_holder.append(ChangeWatcher(database.obj, since, change_seen))
    return watcher_holder[0]


def _full_load(order: tuple[str, bool] = START_ORDER, *, kept: bool = False,
               after=None) -> tuple[LedgerSnapshot, int, int]:
    """(every row, sorted by `order`, the newest event id, the newest change record id), the ids
    read before the rows. `kept`: from the ledger cache when it is still true (store/ledger_cache.py).
    `after`: a Future to wait for first (the first look: on two cores, beside Textual starting,
    the first rows come sooner alone). Run through `gateway.bulk`, with the garbage collector
    paused (tui/gateway.py)."""
    if after is not None:
        futures.wait([after])
    today = clock.today()
    found = ledger_cache.load(today) if kept else None
    if found is not None:
        snapshot = LedgerSnapshot(found.rows, today, in_deadline_order=True, texts=found.texts, counts=found.counts)
        snapshot.from_cache = True
        if found.kept_facts is not None:  # the statistics' facts kept with the rows: the desk adopts them
            snapshot.kept_facts = (found.kept_facts, [row.case_id for row in found.changed])
        if found.changed:
            snapshot.update(found.changed)
        return snapshot.prepare(*order), found.newest_event, found.newest_change
    newest = queries.latest_event_id()
    newest_change = changes.latest_change_id()
    return LedgerSnapshot(queries.ledger_rows(today=today), today).prepare(*order), newest, newest_change


def _adopt(keeper: StatisticsKeeper, facts: ledger_cache.KeptFacts, changed: list[int]) -> StatisticsKeeper:
    """On the report thread: the statistics' facts kept with the rows, read and adopted with the
    cases written since read afresh (`StatisticsKeeper.adopt`); facts that cannot be read are
    counted afresh (`build`)."""
    found = facts.read()
    return keeper.build() if found is None else keeper.adopt(found, changed)


def _keep(snapshot: LedgerSnapshot, newest_event: int, newest_change: int,
          keeper: StatisticsKeeper | None = None) -> bool:
    """Write the snapshot to the ledger cache for the next start (on the bulk thread), with the
    statistics' facts of `keeper` (one with nothing left to catch up) when it has them."""
    facts = keeper.facts() if keeper is not None else None
    return ledger_cache.save(snapshot.rows(), snapshot.texts, newest_event, newest_change, snapshot.today,
                             snapshot.counts(), facts)


@dataclass(frozen=True)
class Look:
    """One look at the ledger from the store thread (`_changes`)."""

    rows: list[LedgerRow]  # the changed cases' rows, read afresh
    news: News


def _changes(watcher_holder: list, since: int, today: dt.date, force: bool, change_seen: int = 0,
             probe: bool = False) -> Look:
    """On the store thread: what was committed since the snapshot's marks (store.feed), and the
    rows of the cases written; news whose rows could not be read is handed back to the watcher.
    `probe`: a round trip to the server first (the desk believes it is away). Raises
    ConnectionLost while the server cannot be reached."""
    watcher = _watcher(watcher_holder, since, change_seen)
    watcher.newest_event, watcher.newest_change = since, change_seen  # the snapshot's own marks
    if probe:
        database.obj.execute_sql("SELECT 1")
    news = watcher.news(force=force)
    if news.reload or not news.case_ids:
        return Look([], news)
    try:
        return Look(queries.ledger_rows(today=today, case_ids=sorted(news.case_ids)), news)
    except BaseException:
        watcher.requeue(news)
        raise


def _close_watcher(watcher_holder: list) -> None:
    for watcher in watcher_holder:
        watcher.close()
    watcher_holder.clear()


class LedgerData:
    """The ledger as the desk knows it; refreshed by `check` and `reload`."""

    def __init__(self, gateway: StoreGateway) -> None:
        self.gateway = gateway
        self.snapshot: LedgerSnapshot | None = None
        self.first: FirstLook | None = None
        self.sessions: list[SessionInfo] = []
        self.newest_event = 0
        self.newest_change = 0  # the newest 变更记录 the snapshot has taken in
        self.reconnected = False  # the last look brought the desk back after an outage (reloaded)
        self._reload_pending = False  # a whole reload is owed (it failed, or the server came back)
        self._reconnect_pending = False
        self._busy = asyncio.Lock()  # one look or reload at a time: an older snapshot never wins
        self._watcher: list = []
        self._keeper: StatisticsKeeper | None = None  # the statistics' facts, built or being built
        self._tasks: set[asyncio.Task] = set()  # keeper builds and refreshes under way
        self._reads: set[asyncio.Task] = set()  # reads ahead under way (`read_ahead`)
        self._kept_at: tuple | None = None  # (snapshot, its version) as read from the ledger cache
        self._kept_facts: tuple | None = None  # (facts, cases written since) read with it, until adopted
        self._facts_kept = False  # the ledger cache read held the statistics' facts too
        self._starting = False  # loading at start, the statistics not yet asked for
        self._early_look = self._early_load = None  # started by `begin`, not yet taken (Futures)

    @property
    def today(self) -> dt.date:
        if self.snapshot is not None:
            return self.snapshot.today
        return self.first.today if self.first else clock.today()

    @property
    def loaded(self) -> bool:
        return self.snapshot is not None

    @property
    def pending(self) -> bool:
        """A whole reload is owed or under way."""
        return self._reload_pending or self._busy.locked()

    def begin(self) -> None:
        """Start the first look (on the store thread) and, right after it, the whole read (on the
        bulk thread), as the desk is made: both run while Textual starts and draws its first
        frame, and `first_look` and `load_all` take what they found. Any write landing meanwhile is seen
        by the look after the load (the change feed starts before either reads)."""
        if self._early_look is not None or self.snapshot is not None:
            return
        try:
            self._early_look = self.gateway.call_now(_first_look, self._watcher)
            self._early_load = self.gateway.bulk_now(_full_load, START_ORDER, kept=True, after=self._early_look)
        except LedgerError:  # refused (the desk is closing): the screen asks again and says why
            pass

    async def first_look(self) -> FirstLook:
        early, self._early_look = self._early_look, None
        if early is not None:
            self.first = await self.gateway.outcome(early)
        else:
            self.first = await self.gateway.call(_first_look, self._watcher)
        self.sessions = self.first.sessions
        self.newest_event = self.first.newest_event
        self.newest_change = self.first.newest_change
        return self.first

    async def load_all(self) -> None:
        """Every row: from the ledger cache when it is still true, else read whole."""
        order = self.snapshot.order if self.snapshot is not None else START_ORDER
        self._starting = True  # until the statistics are asked for (`count_statistics`)
        early, self._early_load = self._early_load, None
        try:
            if early is not None and order == START_ORDER:
                snapshot, newest, newest_change = await self.gateway.outcome(early)
            else:
                snapshot, newest, newest_change = await self.gateway.bulk(_full_load, order, kept=True)
            self.snapshot = snapshot
            self._kept_at = (snapshot, snapshot.version) if snapshot.from_cache else None
            self._kept_facts, snapshot.kept_facts = snapshot.kept_facts, None
            self._facts_kept = self._kept_facts is not None
            self.newest_event = min(self.newest_event, newest) if self.newest_event else newest
            self.newest_change = newest_change
            await self.check(force=True)
        except BaseException:
            self._starting = False  # nobody will ask: a statistics screen counts for itself
            raise

    @property
    def statistics_keeper(self) -> StatisticsKeeper | None:
        """The statistics kept up to date (store/statistics_keeper.py): built on the report thread
        after the ledger is loaded, refreshed with every case the change feed brings in, built
        again after every whole reload (a calendar, rules or sessions change moves its deadlines).
        Possibly still being built: a read of it queued on the report thread runs after the build."""
        return self._keeper

    async def statistics_keeper_soon(self) -> StatisticsKeeper | None:
        """The statistics keeper; while the desk is still starting (it asks for the keeper once the
        ledger shows), wait for it rather than count everything apart."""
        for _ in range(600):  # at most 30 s: the start is stuck, count apart
            if self._keeper is not None or not self._starting:
                break
            await asyncio.sleep(0.05)
        return self._keeper

    def count_statistics(self) -> None:
        """Build the statistics' facts on the report thread (the desk asks once the ledger shows;
        every whole reload asks again) — or adopt those kept with the rows in the ledger cache and
        read afresh the cases written since."""
        keeper = self._keeper = StatisticsKeeper()
        self._starting = False
        kept, self._kept_facts = self._kept_facts, None
        if kept is not None:
            self._background(self.gateway.report(_adopt, keeper, *kept))
        else:
            self._background(self.gateway.report(keeper.build))

    def read_ahead(self) -> None:
        """On the report thread, behind the statistics: this week's review marks on SQLite
        (store/weekly_marks.py remembers them; the first read goes over every event, about 0.5 s
        at 100,000 cases), so the first `w` does not wait for it."""
        from store import weekly

        self._background(self.gateway.report(weekly.remember_marks, weekly.week_of(self.today)), self._reads)

    async def _refresh_statistics(self, keeper: StatisticsKeeper, case_ids: list[int]) -> None:
        """Those cases' facts afresh; a refresh that failed counts everything again (the keeper
        never shows figures it could not bring up to date)."""
        try:
            await self.gateway.report(keeper.refresh, case_ids)
        except Exception:  # noqa: BLE001 - a busy or lost read: build again
            if self._keeper is keeper:
                self.count_statistics()

    def _background(self, work, tasks: set | None = None) -> None:
        async def run():
            try:
                await work
            except Exception:  # noqa: BLE001 - the statistics screen reads afresh from an unbuilt keeper
                pass
        tasks = self._tasks if tasks is None else tasks
        task = asyncio.ensure_future(run())
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def check(self, *, force: bool = False, probe: bool = False) -> list[int] | None:
        """Bring changed cases in; return their ids (None: nothing changed, or a reload is under
        way; []: everything was reloaded, because the date changed, the office changed its
        calendar or rules, or the server came back after an outage). `probe`: make a round trip to
        the server (while the desk believes it away). Raises ConnectionLost during an outage."""
        if self.snapshot is None or self._busy.locked():
            return None
        async with self._busy:
            return await self._check(force, probe)

    async def _check(self, force: bool, probe: bool) -> list[int] | None:
        self.reconnected = False
        if self._reload_pending or clock.today() != self.snapshot.today:
            await self._reload()
            return []
        look: Look = await self.gateway.call(
            _changes, self._watcher, self.newest_event, self.snapshot.today, force, self.newest_change, probe)
        news = look.news
        if news.reload:
            self._reconnect_pending = self._reconnect_pending or news.reconnected
            await self._reload()
            return []
        if not news.fired:
            return None
        self.newest_event = max(news.newest_event, self.newest_event)
        self.newest_change = max(news.newest_change, self.newest_change)
        if look.rows:
            new_sessions = {row.session for row in look.rows} - {s.name for s in self.sessions}
            self.snapshot.update(look.rows)
            if self._keeper is not None:  # after any build queued before it: the report thread is one
                self._background(self._refresh_statistics(self._keeper, [row.case_id for row in look.rows]))
            elif self._kept_facts is not None:  # not yet adopted: these are read afresh with the others
                facts, since = self._kept_facts
                self._kept_facts = (facts, [*since, *(row.case_id for row in look.rows)])
            if new_sessions:
                self.sessions = await self.gateway.call(queries.sessions)
        return [row.case_id for row in look.rows]

    async def load_all_again(self) -> None:
        """Read the whole ledger again (after a look or reload already under way)."""
        async with self._busy:
            await self._reload()

    async def _reload(self) -> None:
        """The whole ledger again; owed until it succeeds (a failure is tried on the next look)."""
        self._reload_pending = True
        self._kept_facts = None  # kept under settings or marks that no longer hold: counted afresh
        order = self.snapshot.order if self.snapshot else ("deadline", False)
        snapshot, newest, newest_change = await self.gateway.bulk(_full_load, order)
        sessions = await self.gateway.call(queries.sessions)
        self.snapshot = snapshot
        self.newest_event = newest
        self.newest_change = newest_change
        self.sessions = sessions
        self._reload_pending = False
        self.reconnected, self._reconnect_pending = self._reconnect_pending, False
        self.count_statistics()

    async def urges_this_week(self, session_id: int | None) -> int:
        today = self.today
        monday = today - dt.timedelta(days=today.weekday())
        return await self.gateway.call(queries.urges_since, monday, session_id=session_id)

    async def close(self) -> None:
        """Stop watching; keep the snapshot for the next start when it changed since it was
        loaded (not while a reload is owed: it would keep rows known to be out of date)."""
        try:
            await self.gateway.call(_close_watcher, self._watcher)
        except Exception:  # noqa: BLE001 - closing is best effort
            pass
        snapshot = self.snapshot
        if snapshot is None or self._reload_pending or self._busy.locked():
            return
        keeper = self._keeper if not self._tasks else None  # its facts only when nothing is left to catch up
        if self._kept_at == (snapshot, snapshot.version) and (self._facts_kept or keeper is None):
            return  # as the cache already holds it
        try:
            await self.gateway.bulk(_keep, snapshot, self.newest_event, self.newest_change, keeper)
        except Exception:  # noqa: BLE001 - a cache: the next start reads the whole ledger
            pass

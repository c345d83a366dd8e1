"""The desk's whole ledger kept on disk between runs, so that a desk opened again the same day
shows and filters every row at once instead of reading 100,000 cases afresh (about 3 s).

What is kept: every `LedgerRow` (as plain tuples), in the deadline order, and the statistics'
facts of every case when the desk had them up to date (store/statistics_keeper.py: the desk then
starts without counting them again, reading afresh only the cases written since), with the marks it was
read at — the newest event id, the newest 变更记录 id, the office's date — and who the ledger
is. It is a cache, never the record, and it is used only when all of these hold:

- it was written by this code (`FORMAT`, the schema version, the row's fields) for this very
  ledger (the file's path, device and inode on SQLite; the server, the database and its oid on
  PostgreSQL);
- the office's date is the day it was written (every countdown is counted to that day);
- no 变更记录 was written since (their number and the highest id are the same: on PostgreSQL
  one may commit after another with a higher id), and no row was added to the settings tables
  (the calendar, rules, sessions, divisions or people may have changed: it reads everything);
- the cases are as it saw them: when no event was written since, their number, the sum of their
  versions and the highest id are the same (every write of the store moves a version); when
  events were written since (by another workstation or the command line while this desk was
  closed), the cases they name are read afresh and put in place — up to `MAX_CATCH_UP` of them.

Anything else — no file, an older one, a damaged or unreadable one — is a miss, and the desk
reads the whole ledger as before. Writing fails silently (a full disk, a read-only home): the
next start is slower, nothing else. Files live in the user's cache folder (store/cache_files.py,
`DUBAN_CACHE_DIR`), one per ledger, readable by the user alone: they hold what the ledger
holds. `DUBAN_CACHE_DIR=off` keeps none. The file is three pickles one after the other — the
header (the marks above), the rows with their search texts, the statistics' facts if kept — so a
file of another day is refused before its rows are read, and the facts are read only when the
desk adopts them (`KeptFacts`). They are read with an unpickler that builds nothing but tuples,
strings, numbers and dates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import pickle
from dataclasses import dataclass
from pathlib import Path

from store.cache_files import cache_dir, write_private
from store.queries.ledger import LedgerRow

FORMAT = 3
KEEP_LEDGERS = 8
"""Cache files kept: those of the ledgers opened last."""
MAX_CATCH_UP = 2000
"""More cases written since the cache than this: reading the whole ledger is as quick."""
_SETTINGS_TABLES = (("session", "id"), ("division", "id"), ("person", "id"), ("proposer", "id"),
                    ("calendar_day", "id"), ("calendar_year", "year"))


@dataclass(frozen=True)
class KeptLedger:
    """Rows read back from the cache, caught up with the events written since."""

    rows: list[LedgerRow]  # in the deadline order (as written), before `changed`
    texts: list[str]  # each row's search text (store.snapshot.search_text), in the same order
    counts: dict | None  # the summary bar's counts of `rows` by session (store.snapshot), if kept
    changed: list[LedgerRow]  # rows of cases written since the cache, read afresh
    newest_event: int
    newest_change: int
    kept_facts: KeptFacts | None = None  # the statistics' facts (store/statistics_keeper.py), if kept

    @property
    def facts(self) -> dict | None:
        """The statistics' facts by case id, read now (`KeptFacts.read`); None if none were kept."""
        return self.kept_facts.read() if self.kept_facts is not None else None


class KeptFacts:
    """The statistics' facts kept beside the rows, still as stored: read (`read`) by whoever adopts
    them — the desk, on its report thread, once the ledger shows — so that reading the rows back
    does not wait for them (they were a third of the file's reading time)."""

    def __init__(self, stored: bytes) -> None:
        self._stored = stored

    def read(self) -> dict | None:
        """The facts by case id; None when they cannot be read (a damaged file: count afresh)."""
        try:
            facts = _OnlyPlainValues(io.BytesIO(self._stored)).load()
        except Exception:  # noqa: BLE001 - damaged: the keeper counts everything instead
            return None
        return facts if isinstance(facts, dict) else None


def _identity() -> str | None:
    """Who the bound ledger is, as text; None when it cannot be told (then nothing is kept)."""
    from store.db import database

    db = database.obj
    target = getattr(db, "duban_target", None)
    if target is None:
        return None
    if target.kind == "sqlite":
        path = Path(target.path).resolve()
        info = path.stat()
        return f"sqlite|{path}|{info.st_dev}|{info.st_ino}"
    (oid,) = db.execute_sql("SELECT oid FROM pg_database WHERE datname = current_database()").fetchone()
    return f"postgresql|{target.describe()}|{oid}"


_ROW_MODULES = ("store.queries.ledger", "store.queries.common", "store.rules", "store.calendar", "store.vocabulary",
                "store.snapshot", "store.ledger_cache",
                "store.co_units", "store.models",
                # what makes the statistics' facts kept beside the rows
                "store.statistics_facts", "store.statistics_keeper", "store.statistics", "store.form_figures",
                "store.figures", "store.weekly_marks")


def _code_mark() -> str:
    """A digest of the code that makes a row (and of the holiday tables it counts on): a desk
    upgraded since the cache was written never shows rows an older version counted."""
    import importlib
    import sys

    from store.calendar import holidays_version

    digest = hashlib.sha256(holidays_version().encode())
    for name in _ROW_MODULES:
        module = sys.modules.get(name) or importlib.import_module(name)
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def _header(identity: str, today: dt.date) -> dict:
    from store.db import SCHEMA_VERSION

    return {"format": FORMAT, "schema": SCHEMA_VERSION, "fields": LedgerRow._fields, "code": _code_mark(),
            "ledger": identity, "today": today.isoformat()}


def _case_fingerprint() -> tuple[int, int, int]:
    from store.db import database

    row = database.obj.execute_sql('SELECT COUNT(*), COALESCE(SUM(version), 0), COALESCE(MAX(id), 0) FROM "case"')
    return tuple(int(value) for value in row.fetchone())


def _settings_fingerprint() -> tuple[int, ...]:
    """Each settings table's row count and highest id, and the change records' (on PostgreSQL a
    change record may commit after one with a higher id: its count still moves)."""
    from store.db import database

    parts = ", ".join(f'(SELECT COUNT(*) FROM "{table}"), (SELECT COALESCE(MAX({key}), 0) FROM "{table}")'
                      for table, key in _SETTINGS_TABLES + (("change_record", "id"),))
    return tuple(int(value) for value in database.obj.execute_sql(f"SELECT {parts}").fetchone())


def _path(identity: str) -> Path | None:
    folder = cache_dir("ledgers")
    if folder is None:
        return None
    return folder / f"{hashlib.sha256(identity.encode()).hexdigest()[:24]}.rows"


def save(rows: list[LedgerRow], texts: dict[int, str], newest_event: int, newest_change: int, today: dt.date,
         counts: dict | None = None, facts: dict | None = None) -> bool:
    """Keep `rows` and their search texts by case id (read as of `today`, every event up to
    `newest_event` and change record up to `newest_change` taken in) for the next start, with
    the statistics' `facts` when given (true of every event up to `newest_event` at least: the
    cases written since are read afresh at the next start); False when nothing could be written."""
    try:
        identity = _identity()
        path = _path(identity) if identity else None
        if path is None:
            return False
        ordered = sorted(rows, key=lambda r: (r.next_due is None, r.next_due or dt.date.max, r.number, r.case_id))
        header = _header(identity, today) | {
            "newest_event": newest_event, "newest_change": newest_change, "settings": _settings_fingerprint(),
            "cases": (len(ordered), sum(r.version for r in ordered), max((r.case_id for r in ordered), default=0)),
            "counts": counts,
        }
        parts = [header, ([tuple(row) for row in ordered], [texts[row.case_id] for row in ordered])]
        if facts is not None:
            parts.append(facts)
        write_private(path, b"".join(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL) for part in parts))
        _prune(path.parent)
        return True
    except Exception:  # noqa: BLE001 - a cache: failing to keep it costs the next start time, nothing else
        return False


def _prune(folder: Path) -> None:
    """Keep the files of the `KEEP_LEDGERS` ledgers opened last (a demo ledger is a new file each
    time), and no piece of a write that never finished."""
    import time

    files = sorted(folder.glob("*.rows"), key=lambda item: item.stat().st_mtime, reverse=True)
    stale = files[KEEP_LEDGERS:] + [part for part in folder.glob("*.part") if part.stat().st_mtime < time.time() - 3600]
    for item in stale:
        item.unlink(missing_ok=True)


class _OnlyPlainValues(pickle.Unpickler):
    """Builds tuples, lists, strings, numbers and dates; refuses every other class."""

    def find_class(self, module: str, name: str):
        if (module, name) == ("datetime", "date"):
            return dt.date
        raise pickle.UnpicklingError(f"{module}.{name}")


def load(today: dt.date) -> KeptLedger | None:
    """The kept rows if they are still true of the bound ledger on `today` (see the module's
    docstring), caught up with what was written since; None: read the whole ledger."""
    try:
        identity = _identity()
        path = _path(identity) if identity else None
        if path is None or not path.is_file():
            return None
        with path.open("rb") as raw:
            handle = io.BufferedReader(raw, 1 << 20)
            header = _OnlyPlainValues(handle).load()
            if not isinstance(header, dict) or any(header.get(key) != value
                                                   for key, value in _header(identity, today).items()):
                return None  # another day, version or ledger: the rows are not read at all
            tuples, texts = _OnlyPlainValues(handle).load()
            facts = handle.read()  # the third part, if any: read when adopted (`KeptFacts`)
    except Exception:  # noqa: BLE001 - missing, damaged, older: a miss
        return None
    try:
        return _still_true(header, tuples, texts, KeptFacts(facts) if facts else None, identity, today)
    except Exception:  # noqa: BLE001 - whatever the cache or the server says: read the whole ledger
        return None


def _still_true(header: dict, tuples, texts, facts: KeptFacts | None, identity: str,
                today: dt.date) -> KeptLedger | None:
    from store.changes import latest_change_id
    from store.queries import cases_changed_since, latest_event_id, ledger_rows

    newest_change = latest_change_id()
    if newest_change != header["newest_change"] or _settings_fingerprint() != tuple(header["settings"]):
        return None
    fingerprint = _case_fingerprint()  # first: a write after it shows in the events read below
    if latest_event_id() < header["newest_event"]:
        return None  # events gone: not the ledger it was
    case_ids, newest_event = cases_changed_since(header["newest_event"])
    if len(case_ids) > MAX_CATCH_UP:
        return None
    changed = ledger_rows(today=today, case_ids=case_ids) if case_ids else []
    count, versions, highest = header["cases"]
    if changed:  # the cases as the cache holds them, with the changed ones as read now
        wanted = {row.case_id: row.version for row in changed}
        old = {row[0]: row[1] for row in tuples if row[0] in wanted}
        count += len(wanted) - len(old)
        versions += sum(wanted.values()) - sum(old.values())
        highest = max(highest, *wanted)
    if fingerprint != (count, versions, highest):
        return None  # a case changed with no event (or a write landed meanwhile): read everything
    new = tuple.__new__
    counts = header.get("counts")
    return KeptLedger([new(LedgerRow, row) for row in tuples], texts, counts if isinstance(counts, dict) else None,
                      changed, newest_event, newest_change, facts)

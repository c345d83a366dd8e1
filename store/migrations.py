"""Schema migrations: the only code that changes a ledger's tables once it exists.

`STEPS[n]` takes a ledger at schema version n-1 to n. Columns are added with plain
`ALTER TABLE … ADD COLUMN … NOT NULL DEFAULT …`, which both engines run in place
(`playhouse.migrate` would rebuild a SQLite table to add NOT NULL, and dropping the old
`person` table trips the cases' foreign keys). Before the
first step a SQLite ledger is copied beside itself (`ledger.db.v1-备份-20261201-0930.db`), so
that an office can go back to the file as it was; the steps and the new version number are
written in one transaction, so a ledger is never left half-migrated.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from peewee import Database

from store import clock


def _to_2(db: Database) -> None:
    """处室 order and retirement; a person's phone, supervised divisions and retirement; 变更记录;
    whether a case's cached next deadline was counted through an unconfirmed year."""
    from store.models import ChangeRecord, WeeklyReview

    for statement in (
        "ALTER TABLE division ADD COLUMN sort_order INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE division ADD COLUMN retired_on DATE",
        "ALTER TABLE person ADD COLUMN phone VARCHAR(255) NOT NULL DEFAULT ''",
        "ALTER TABLE person ADD COLUMN supervises TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE person ADD COLUMN retired_on DATE",
        'ALTER TABLE "case" ADD COLUMN next_due_estimated BOOLEAN NOT NULL DEFAULT FALSE',
    ):
        db.execute_sql(statement)
    db.create_tables([ChangeRecord, WeeklyReview], safe=True)  # 每周检查 came during version 1


def _to_3(db: Database) -> None:
    """The first evaluation kept through re-handling; an extension recorded after its deadline."""
    for statement in (
        'ALTER TABLE "case" ADD COLUMN first_evaluation VARCHAR(255) NOT NULL DEFAULT \'\'',
        'ALTER TABLE "case" ADD COLUMN first_evaluated_on DATE',
        'ALTER TABLE "case" ADD COLUMN extension_late BOOLEAN NOT NULL DEFAULT FALSE',
    ):
        db.execute_sql(statement)
    _backfill_first_evaluations(db)


def _backfill_first_evaluations(db: Database) -> None:
    """From each case's earliest 评价 event still standing (not undone)."""
    from store.models import Case, Event

    undone = Event.select(Event.undoes).where(Event.undoes.is_null(False))
    first: dict[int, tuple] = {}
    query = (Event.select(Event.case, Event.on_date, Event.data)
             .where((Event.kind == "评价") & ~(Event.id << undone)).order_by(Event.id))
    for case_id, on_date, data in query.tuples():
        evaluation = ((data or {}).get("after") or {}).get("evaluation") if isinstance(data, dict) else None
        if case_id not in first and evaluation:
            first[case_id] = (evaluation, on_date)
    for case_id, (evaluation, on_date) in first.items():
        Case.update(first_evaluation=evaluation, first_evaluated_on=on_date).where(Case.id == case_id).execute()


def _to_4(db: Database) -> None:
    """Append-only in the database itself: triggers refuse UPDATE and DELETE of 跟进记录 and 变更记录."""
    from peewee import SqliteDatabase

    from store.ledger_schema import trigger_sql

    for statement in trigger_sql("sqlite" if isinstance(db, SqliteDatabase) else "postgresql"):
        db.execute_sql(statement)


STEPS = {2: _to_2, 3: _to_3, 4: _to_4}


def stored_version(db: Database) -> int:
    from store.models import Meta

    row = Meta.get_or_none(Meta.key == "schema_version")
    return int(row.value) if row else 0


def backup_before_migration(path: Path, version: int) -> Path:
    """A consistent copy of a SQLite ledger beside it, made with SQLite's backup API."""
    stamp = clock.office_now().strftime("%Y%m%d-%H%M%S")  # Beijing time, as the records show
    copy = path.with_name(f"{path.name}.v{version}-备份-{stamp}.db")
    source = sqlite3.connect(str(path), timeout=8)
    try:
        target = sqlite3.connect(str(copy))
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    return copy


def migrate_to_current(db: Database, current: int, path: Path | None = None) -> Path | None:
    """Bring an older ledger up to `current`; return the backup's path (None: nothing to do).

    The steps run in one write transaction (BEGIN IMMEDIATE on SQLite) that reads the
    version again first, so two desks opening the same old ledger at once migrate it once.
    The cached deadlines are recomputed at the end: the new code may count them differently.
    """
    from peewee import SqliteDatabase

    from store.deadlines import recompute_next_due
    from store.models import Meta

    version = stored_version(db)
    if version >= current:
        return None
    backup = backup_before_migration(path, version) if path is not None else None
    with db.atomic("IMMEDIATE") if isinstance(db, SqliteDatabase) else db.atomic():
        version = stored_version(db)
        if version >= current:  # another desk migrated it meanwhile
            return backup
        for step in range(version + 1, current + 1):
            STEPS[step](db)
        Meta.update(value=str(current)).where(Meta.key == "schema_version").execute()
        recompute_next_due()
    return backup

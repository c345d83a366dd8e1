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


STEP_5_COLUMNS = (
    ("unit_progress", "TEXT NOT NULL DEFAULT '{}'"),
    ("units_expected", "INTEGER NOT NULL DEFAULT 0"),
    ("units_received", "INTEGER NOT NULL DEFAULT 0"),
    ("reply_early_reason", "TEXT NOT NULL DEFAULT ''"),
    ("own_part", "TEXT NOT NULL DEFAULT ''"),
    ("form_sent_on", "DATE"),
    ("form_sent_how", "VARCHAR(255) NOT NULL DEFAULT ''"),
    ("form_holder", "VARCHAR(255) NOT NULL DEFAULT ''"),
    ("form_due", "DATE"),
    ("form_urge_count", "INTEGER NOT NULL DEFAULT 0"),
    ("form_returned_on", "DATE"),
    ("evaluation_work", "VARCHAR(255) NOT NULL DEFAULT ''"),
    ("is_typical", "BOOLEAN NOT NULL DEFAULT FALSE"),
    ("typical_note", "TEXT NOT NULL DEFAULT ''"),
)


def _to_5(db: Database) -> None:
    """Each co-unit's opinion, 会签 and separate reply; the evaluation form; typical cases.

    The cached counts of expected co-units are filled from each case's `co_units`; a returned
    evaluation already on the ledger counts as its form returned on the evaluation's date."""
    from store.models import Case

    for name, definition in STEP_5_COLUMNS:
        db.execute_sql(f'ALTER TABLE "case" ADD COLUMN {name} {definition}')
    from store.co_units import expected_units

    for case in Case.select(Case.id, Case.role, Case.co_units).where(Case.role.in_(("主办", "分办"))):
        expected = len(expected_units(case))
        if expected:
            Case.update(units_expected=expected).where(Case.id == case.id).execute()
    Case.update(form_returned_on=Case.evaluated_on).where(Case.evaluated_on.is_null(False)).execute()


def _to_6(db: Database) -> None:
    """Who wrote each record on a shared ledger (`db_user`: the PostgreSQL login, by a server
    default), the change feed's triggers on PostgreSQL, and the deadline index ending in the id
    (the ledger's order, so that PostgreSQL reads a window of it from the index alone)."""
    from peewee import SqliteDatabase

    from store.ledger_schema import db_user_sql, feed_trigger_sql

    for table in ("event", "change_record"):  # step 2 creates change_record with today's columns
        if "db_user" not in {column.name for column in db.get_columns(table)}:
            db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN db_user VARCHAR(255)')
    db.execute_sql("DROP INDEX IF EXISTS case_next_due_number")
    db.execute_sql('CREATE INDEX IF NOT EXISTS case_next_due_number_id ON "case" (next_due, number, id)')
    if not isinstance(db, SqliteDatabase):
        for statement in db_user_sql() + feed_trigger_sql():
            db.execute_sql(statement)


STEPS = {2: _to_2, 3: _to_3, 4: _to_4, 5: _to_5, 6: _to_6}


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

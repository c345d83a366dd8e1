"""File names the desk makes are stamped in Beijing time (store.clock.office_now), as the
records show, not the machine's clock: 07:00 UTC is 15:00 in the name."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pendulum

from store import clock
from store.io.export import documents_export_path
from store.migrations import backup_before_migration

SEVEN_UTC = pendulum.datetime(2026, 3, 2, 7, 5, 9, tz="UTC")


def test_office_now_is_beijing_time():
    with clock.frozen_now(SEVEN_UTC):
        assert (clock.office_now().hour, clock.office_now().minute) == (15, 5)
        assert clock.office_now().timezone_name == clock.OFFICE_TZ


def test_the_export_file_name_is_in_beijing_time():
    with clock.frozen_now(SEVEN_UTC):
        assert documents_export_path().name == "台账-20260302-1505.xlsx"
    assert documents_export_path(dt.datetime(2026, 1, 2, 3, 4)).name == "台账-20260102-0304.xlsx"


def test_the_backup_before_a_migration_is_named_in_beijing_time(tmp_path):
    path = tmp_path / "old.db"
    sqlite3.connect(path).execute("create table t (x)").connection.close()
    with clock.frozen_now(SEVEN_UTC):
        copy = backup_before_migration(path, 1)
    assert copy.name == "old.db.v1-备份-20260302-150509.db"
    assert copy.is_file()

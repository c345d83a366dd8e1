"""Issue 13: one PostgreSQL login per workstation or person, as the README tells the
administrator to set up — the grants it lists are enough to work, each event keeps the login
that wrote it, and the connection options (sslmode) reach the server untouched."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import psycopg2.errors
import pytest

from store import actions, clock
from store.db import close_database, open_database
from store.feed import ChangeWatcher
from store.office import add_division

from desk_helpers import TODAY, build_desk_ledger
from pg_server import raw_sql

pytestmark = pytest.mark.pg_only("logins and grants are PostgreSQL's")


def _as(url: str, user: str, query: str = "") -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{user}@{parts.hostname}:{parts.port}", query=query))


def _grant_workstation(url: str, role: str) -> None:
    """What README's 多个工作站共用一本台账 tells the administrator to grant, and nothing more."""
    database = urlsplit(url).path.lstrip("/")
    raw_sql(url, f'CREATE ROLE "{role}" LOGIN')
    raw_sql(url, f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"')
    raw_sql(url, f'GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO "{role}"')
    raw_sql(url, f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{role}"')


def test_a_workstation_login_with_the_readme_grants_works_and_is_kept_on_each_record(ledger):
    url = ledger.duban_target.url
    clock.fix_today(TODAY)
    try:
        ids = build_desk_ledger()
        close_database()
        role = f"duban_li_{uuid.uuid4().hex[:6]}"
        _grant_workstation(url, role)
        try:
            open_database(_as(url, role))
            actions.urge_division(ids["overdue"], "李督办", note="工作站一")
            add_division("李督办", "督查室")
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):  # no DELETE granted (and the
                raw_sql(_as(url, role), "DELETE FROM event")                # triggers refuse it anyway)
            close_database()
        finally:
            raw_sql(url, f'REASSIGN OWNED BY "{role}" TO CURRENT_USER')
            raw_sql(url, f'DROP OWNED BY "{role}"')
            raw_sql(url, f'DROP ROLE "{role}"')
        owner = raw_sql(url, "SELECT current_user")[0][0]
        assert raw_sql(url, "SELECT operator, db_user FROM event WHERE note = '工作站一'") == [("李督办", role)]
        assert raw_sql(url, "SELECT db_user FROM change_record ORDER BY id DESC LIMIT 1") == [(role,)]
        assert raw_sql(url, "SELECT count(*) FROM event WHERE db_user = %s", owner)[0][0] > 0  # the seeding
    finally:
        clock.fix_today(None)
        open_database(url)  # the fixture closes what it opened


def test_sslmode_in_the_address_reaches_both_connections(ledger):
    url = ledger.duban_target.url
    close_database()
    db = open_database(url + "?sslmode=disable&application_name=duban-test")
    assert db.connect_params["sslmode"] == "disable"
    watcher = ChangeWatcher(db)
    try:
        dsn = watcher._listener.get_dsn_parameters()
        assert dsn["sslmode"] == "disable"
        assert raw_sql(url, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'duban-test'")[0][0] >= 2
    finally:
        watcher.close()


def test_a_workstation_login_cannot_upgrade_the_ledger_and_says_so(ledger):
    from store.errors import DatabaseUnusable

    url = ledger.duban_target.url
    close_database()
    role = f"duban_wang_{uuid.uuid4().hex[:6]}"
    _grant_workstation(url, role)
    raw_sql(url, "UPDATE duban_meta SET value = '5' WHERE key = 'schema_version'")  # an older ledger
    try:
        with pytest.raises(DatabaseUnusable, match="权限不足.*所有者"):
            open_database(_as(url, role))
        assert raw_sql(url, "SELECT value FROM duban_meta WHERE key = 'schema_version'") == [("5",)]
    finally:
        raw_sql(url, f'DROP OWNED BY "{role}"')
        raw_sql(url, f'DROP ROLE "{role}"')
    open_database(url)  # the owner upgrades it
    assert raw_sql(url, "SELECT value FROM duban_meta WHERE key = 'schema_version'") == [("6",)]

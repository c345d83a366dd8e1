"""Shared fixtures: a fresh ledger file per test, a fixed office date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from desk_helpers import TODAY, build_desk_ledger

from store import clock
from store.db import close_database, open_database


ENGINES = ("sqlite", "pg")
"""The engines a store test's `ledger` runs on (its ids: `tests/store/test_x.py::test_y[pg]`)."""

STORE_TESTS = Path(__file__).parent / "store"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "sqlite_only(reason): the test is about the SQLite file itself; its `ledger` is SQLite only")
    config.addinivalue_line(
        "markers", "pg_only(reason): the test is about the PostgreSQL server (notices, logins); `ledger` is [pg] only")


def pytest_generate_tests(metafunc):
    """Every store test that takes `ledger` (directly or through a fixture) runs on both engines,
    except those marked `sqlite_only`; tests elsewhere (pilot, snapshots) stay on SQLite."""
    if "ledger" not in metafunc.fixturenames:
        return
    if STORE_TESTS not in Path(str(metafunc.definition.path)).parents:
        return  # not parametrized at all: pilot and snapshot names (and snapshot files) stay as they were
    engines = ["sqlite"] if metafunc.definition.get_closest_marker("sqlite_only") else list(ENGINES)
    if metafunc.definition.get_closest_marker("pg_only"):
        engines = ["pg"]
    metafunc.parametrize("ledger", engines, indirect=True, ids=engines)


@pytest.fixture(autouse=True)
def _ledger_cache_of_its_own(tmp_path, monkeypatch):
    """Each test keeps its desk's ledger cache (store/ledger_cache.py) in a folder of its own,
    never the user's: a desk in one test never starts from rows another test kept."""
    monkeypatch.setenv("DUBAN_CACHE_DIR", str(tmp_path / "ledger-cache"))


@pytest.fixture
def ledger(request, tmp_path):
    """An empty duban ledger, open and bound to the models; the Database object.

    `[sqlite]`: in a temporary SQLite file (`tmp_path / "ledger.db"`). `[pg]`: in a new database of
    its own on the session's PostgreSQL server (skipped, with the reason, when there is none)."""
    engine = getattr(request, "param", "sqlite")
    if engine == "sqlite":
        db = open_database(tmp_path / "ledger.db")
        yield db
        close_database()
        return
    server = request.getfixturevalue("pg_server")
    url = server.new_database()
    db = open_database(url)
    try:
        yield db
    finally:
        close_database()
        server.drop_database(url)


@pytest.fixture
def another_ledger(request, ledger, tmp_path):
    """Further empty ledgers on this test's engine: `another_ledger("a")` is a new target for
    `open_database` (a SQLite path beside `ledger`'s, or a new database on the same server)."""
    engine = getattr(request.node, "callspec", None) and request.node.callspec.params.get("ledger", "sqlite")
    made: list[str] = []

    def make(name: str = "another"):
        if engine != "pg":
            return tmp_path / f"{name}.db"
        made.append(request.getfixturevalue("pg_server").new_database())
        return made[-1]

    yield make
    for url in made:
        request.getfixturevalue("pg_server").drop_database(url)


@pytest.fixture
def today():
    """Fix the office's date for the test (2023-09-01 unless the test changes it)."""
    day = dt.date(2023, 9, 1)
    clock.fix_today(day)
    yield day
    clock.fix_today(None)


@pytest.fixture
def desk(request, tmp_path):
    """An open ledger with three cases; the office's date fixed to TODAY; (its target, their ids).

    A SQLite file unless a test asks, with `@pytest.mark.parametrize("desk", ["sqlite", "pg"],
    indirect=True)`, for the same ledger on the PostgreSQL server too (its target is then a URL)."""
    engine = getattr(request, "param", "sqlite")
    server = request.getfixturevalue("pg_server") if engine == "pg" else None
    target = server.new_database() if server else tmp_path / "desk.db"
    open_database(target)
    clock.fix_today(TODAY)
    ids = build_desk_ledger()
    yield target, ids
    clock.fix_today(None)
    close_database()
    if server:
        server.drop_database(target)


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL server (tests/pg_server.py): DUBAN_TEST_PG_URL's, or a throwaway cluster."""
    import pg_server as server_module

    reason = server_module.unavailable()
    if reason:
        pytest.skip(reason)
    server = server_module.Server().start()
    yield server
    server.stop()


@pytest.fixture
def pg_ledger(pg_server):
    """A new, empty ledger in a database of its own on the PostgreSQL server; its URL."""
    url = pg_server.new_database()
    open_database(url)
    yield url
    close_database()
    pg_server.drop_database(url)

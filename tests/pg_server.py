"""A PostgreSQL server for the tests: the one `DUBAN_TEST_PG_URL` names, or a throwaway cluster.

With `DUBAN_TEST_PG_URL` set (a `postgresql://user@host:port/db` URL of a server the tests may
create and drop databases on), that server is used. Otherwise `start()` runs `initdb` into a
temporary folder and starts `postgres` on a free loopback port, as the unprivileged user
`nobody` when the tests run as root (PostgreSQL refuses to run as root), and `stop()` stops it
and removes the folder. Each test gets a database of its own (`new_database`).

`unavailable()` says, in one line, why no server can be had (no server binary, no driver);
the PostgreSQL tests are then skipped with that reason, which pytest prints (`-ra`).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ENV = "DUBAN_TEST_PG_URL"


def _bindir() -> Path | None:
    for candidate in [os.environ.get("PG_BINDIR", "")] + sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if candidate and (Path(candidate) / "initdb").is_file():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def unavailable() -> str | None:
    """Why PostgreSQL tests cannot run here (None: they can)."""
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        return "PostgreSQL tests skipped: the driver psycopg2 is not installed (pip install '.[test]')"
    if os.environ.get(ENV):
        return None
    if _bindir() is None:
        return ("PostgreSQL tests skipped: no PostgreSQL server binary (initdb) on this machine; "
                "install Debian's postgresql package or set DUBAN_TEST_PG_URL")
    return None


class Server:
    """A running server: `url(database)` gives a URL for one of its databases."""

    def __init__(self) -> None:
        self._folder: Path | None = None
        self._bindir: Path | None = None
        self._user: int | None = None
        self.base = os.environ.get(ENV, "")

    def start(self) -> "Server":
        if self.base:
            return self
        self._bindir = _bindir()
        self._folder = Path(tempfile.mkdtemp(prefix="duban-pg-"))
        data = self._folder / "data"
        as_root = hasattr(os, "geteuid") and os.geteuid() == 0
        if as_root:
            self._user = 65534  # nobody
            os.chown(self._folder, self._user, self._user)
            self._folder.chmod(0o700)
        port = _free_port()
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", "duban", "-E", "UTF8", "--locale=C",
                  "--no-sync")
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {self._folder} -F -c fsync=off"
        self._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(self._folder / "log"), "-w", "start")
        self.base = f"postgresql://duban@127.0.0.1:{port}/postgres"
        return self

    def _run(self, program: str, *args: str) -> None:
        assert self._bindir is not None
        kwargs = {"user": self._user, "group": self._user} if self._user is not None else {}
        result = subprocess.run([str(self._bindir / program), *args], capture_output=True, text=True,
                                cwd=self._folder, **kwargs)
        if result.returncode != 0:
            log = self._folder / "log" if self._folder else None
            extra = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"{program} failed: {result.stderr.strip()} {extra}")

    def stop(self) -> None:
        if self._folder is None:
            return
        try:
            self._run("pg_ctl", "-D", str(self._folder / "data"), "-m", "immediate", "-w", "stop")
        except RuntimeError:
            pass
        shutil.rmtree(self._folder, ignore_errors=True)
        self._folder = None

    def url(self, database: str) -> str:
        parts = urlsplit(self.base)
        return urlunsplit(parts._replace(path=f"/{database}"))

    def _admin(self, statement: str) -> None:
        import psycopg2

        connection = psycopg2.connect(self.base)
        connection.autocommit = True
        try:
            connection.cursor().execute(statement)
        finally:
            connection.close()

    def new_database(self) -> str:
        """A fresh, empty database on the server; returns its URL."""
        name = f"duban_test_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def raw_sql(url: str, statement: str, *params):
    """Run one statement on a connection of its own (an independent read, or a raw write the
    store would refuse) and return its rows (None for a statement with no result)."""
    import psycopg2

    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement, params or None)
            rows = cursor.fetchall() if cursor.description else None
        connection.commit()
        return rows
    finally:
        connection.close()

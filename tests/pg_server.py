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
import queue
import shutil
import socket
import subprocess
import tempfile
import threading
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
        self._stop_helper()
        if self._folder is None:
            return
        try:
            self._run("pg_ctl", "-D", str(self._folder / "data"), "-m", "immediate", "-w", "stop")
        except RuntimeError:
            pass
        shutil.rmtree(self._folder, ignore_errors=True)
        self._folder = None

    @property
    def can_restart(self) -> bool:
        """Only a cluster the tests started themselves may be stopped and started again."""
        return self._folder is not None

    def restart(self) -> None:
        """Stop the server (fast: every connection is cut) and start it again."""
        self.go_down()
        self.come_back()

    def go_down(self) -> None:
        """Stop the server, fast: every connection is cut (only a throwaway cluster)."""
        assert self._folder is not None, "only a throwaway cluster can be restarted"
        self._run("pg_ctl", "-D", str(self._folder / "data"), "-m", "fast", "-w", "stop")

    def come_back(self) -> None:
        """Start the stopped server again on the same port."""
        assert self._folder is not None
        port = urlsplit(self.base).port
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {self._folder} -F -c fsync=off"
        self._run("pg_ctl", "-D", str(self._folder / "data"), "-o", options, "-l", str(self._folder / "log"),
                  "-w", "start")

    def terminate(self, url: str) -> None:
        """Cut every other connection to one database, as a server restart would (57P01)."""
        name = urlsplit(url).path.lstrip("/")
        self._admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")

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

    SPARE = 2
    """Empty databases made ahead, in a thread of their own, while the tests run."""

    def new_database(self) -> str:
        """A fresh, empty database on the server; returns its URL.

        A test's database costs ~40 ms to create and ~10 ms to drop; both happen in a thread beside
        the tests (`SPARE` made ahead, drops queued), so a test waits only for its ledger's schema
        (~45 ms). A copy of a template with the schema in it is no cheaper: opening an existing
        ledger on the server reads its layout column by column (~90 ms)."""
        self._start_helper()
        self._jobs.put("make")
        name = self._spare.get()
        if name is None:  # the helper could not make one (the server was down a moment)
            name = self._create()
        return self.url(name)

    def _create(self) -> str:
        name = f"duban_test_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}"')
        return name

    def _start_helper(self) -> None:
        if getattr(self, "_helper", None) is not None:
            return
        self._spare: queue.Queue[str | None] = queue.Queue()
        self._jobs: queue.Queue[str] = queue.Queue()
        self._helper = threading.Thread(target=self._serve, name="pg-test-databases", daemon=True)
        for _ in range(self.SPARE):
            self._jobs.put("make")
        self._helper.start()

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job == "stop":
                    return
                if job == "make":
                    self._spare.put(self._create())
                else:
                    self._admin(f'DROP DATABASE IF EXISTS "{job}" WITH (FORCE)')
            except Exception:  # the server went away (a restart test): the test makes its own
                if job == "make":
                    self._spare.put(None)
            finally:
                self._jobs.task_done()

    def _stop_helper(self) -> None:
        """Finish queued drops, then drop the spare databases nobody took."""
        if getattr(self, "_helper", None) is None:
            return
        self._jobs.put("stop")
        self._helper.join(timeout=60)
        self._helper = None
        while not self._spare.empty():
            name = self._spare.get_nowait()
            try:
                if name:
                    self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception:
                pass

    def drop_database(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        if getattr(self, "_helper", None) is not None:
            self._jobs.put(name)  # dropped beside the next tests; WITH (FORCE) cuts what is left
        else:
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

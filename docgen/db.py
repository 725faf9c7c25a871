"""The database every process shares: one metadata, engines by URL, Alembic migrations applied under a lock.

SQLite under DATA_DIR is the embedded default; PostgreSQL (``postgresql+psycopg://…``) when processes on
several machines share one registry. The schema is only ever changed by the revisions in
docgen/migrations/versions: ``docgen db upgrade``, also run when the service, a worker or the app starts.
"""
from __future__ import annotations

import contextlib
import fcntl
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.orm import DeclarativeBase, Session

FIRST_REVISION = "0001"
# any constant: the key of the PostgreSQL advisory lock that serialises migrations across processes
_LOCK_KEY = zlib.crc32(b"docgen-migrations")


class Base(DeclarativeBase):
    """The declarative base of every table docgen keeps."""


# every module that declares tables on Base; a new table module is added here (and gets its revision)
TABLE_MODULES = ("docgen.registry", "docgen.batch.store", "docgen.access", "docgen.batch.webhooks")


def load_models() -> type[Base]:
    """Import every table module, so that Base.metadata holds the whole schema (for autogenerate)."""
    for name in TABLE_MODULES:
        import_module(name)
    return Base


def sqlite_path(url: str) -> Path | None:
    """Return the file of a SQLite URL, or None for other databases and in-memory SQLite."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url.removeprefix("sqlite:///"))
    return None


def make_engine(url: str) -> Engine:
    """Create an engine for a database URL; SQLite files get their folder, WAL and a generous busy wait."""
    path = sqlite_path(url)
    if path is None:
        return create_engine(url, pool_pre_ping=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:   # readers do not wait for a batch's writes
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    return engine


def _config(connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    cfg.attributes["connection"] = connection
    return cfg


@contextlib.contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    """Yield a connection in a transaction that no other process migrates beside.

    PostgreSQL: a transaction-level advisory lock (released at commit). SQLite: an exclusive lock on a
    file next to the database (several gunicorn or Celery workers start at once on one machine).
    """
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    with contextlib.ExitStack() as stack:
        if path is not None:
            lock = stack.enter_context(open(path.with_name(path.name + ".lock"), "a"))
            fcntl.flock(lock, fcntl.LOCK_EX)
        connection = stack.enter_context(engine.begin())
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        yield connection


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; safe when several processes start at once.

    A registry made before migrations existed (tables from create_all, no alembic_version) is taken as
    the first revision, which is exactly that schema.
    """
    with _migration_lock(engine) as connection:
        tables = set(inspect(connection).get_table_names())
        if "issued_documents" in tables and "alembic_version" not in tables:
            command.stamp(_config(connection), FIRST_REVISION)
        command.upgrade(_config(connection), revision)


def current(engine: Engine) -> str | None:
    """Return the schema's revision (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@dataclass
class _Write:
    """One thread's part of a group commit: what it adds to the transaction, and how that ended."""

    work: Callable[[Session], None]
    done: bool = False
    error: BaseException | None = None


class GroupWriter:
    """Commits the small write transactions of a process's threads together, and on SQLite one process at a time.

    Every issued document is committed (fsync'd) before its request is answered. Alone, each commit costs an
    fsync, and two gunicorn workers writing one SQLite file meet SQLite's busy handler, which sleeps 1, 2, 5 … 100
    ms between tries (records waited up to a second at concurrency 8). Here the first thread to come commits
    everything that is waiting in one transaction (one fsync for all); the threads that come meanwhile wait and the
    next of them commits theirs. On SQLite the committing thread first takes an exclusive lock on a file beside
    the database, so that the other process's writer waits in the kernel and wakes as soon as it is free. A
    transaction that fails is retried with each thread's work alone, so that each thread gets its own outcome.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        path = sqlite_path(engine.url.render_as_string(hide_password=False))
        self._lock_file = path.with_name(path.name + ".write-lock") if path is not None else None
        self._pending: list[_Write] = []
        self._committing = False
        self._changed = threading.Condition()

    def write(self, work: Callable[[Session], None]) -> None:
        """Run `work` in a committed transaction, shared with other threads' work; raise what made it fail."""
        mine, batch = _Write(work), []
        with self._changed:
            self._pending.append(mine)
            while self._committing and not mine.done:
                self._changed.wait()
            if not mine.done:
                self._committing, batch, self._pending = True, self._pending, []
        if not mine.done:
            try:
                self._commit(batch)
            finally:
                with self._changed:
                    self._committing = False
                    self._changed.notify_all()
        if mine.error is not None:
            raise mine.error

    def _commit(self, batch: list[_Write]) -> None:
        """Commit the batch's work in one transaction, or else each part in one of its own. Every part ends done,
        with an error unless its work was committed."""
        try:
            with self._exclusive():
                if not self._together(batch):
                    self._each_alone(batch)
        except BaseException as exc:   # the lock file failed, or this thread was interrupted: nothing is known committed
            for part in batch:
                part.error = part.error or exc
            raise
        finally:
            for part in batch:
                part.done = True

    def _together(self, batch: list[_Write]) -> bool:
        """Commit every part in one transaction; False when that failed for several (each is then tried alone)."""
        try:
            self._transaction(batch)
        except Exception as exc:
            if len(batch) > 1:
                return False
            batch[0].error = exc
        return True

    def _each_alone(self, batch: list[_Write]) -> None:
        for part in batch:
            try:
                self._transaction([part])
            except Exception as exc:
                part.error = exc

    def _transaction(self, batch: list[_Write]) -> None:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            for part in batch:
                part.work(session)

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Hold the SQLite database's write lock file (nothing for other databases); opened per commit, so that a
        forked process never shares it."""
        if self._lock_file is None:
            yield
            return
        with open(self._lock_file, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

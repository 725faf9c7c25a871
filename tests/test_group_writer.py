"""db.GroupWriter: the registry's writes from many threads are committed together, each thread answered only once
its own work is committed (or with its own error), and on SQLite one process at a time by a lock file."""
from __future__ import annotations

import datetime as dt
import fcntl
import threading
import time

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from docgen import db
from docgen.registry import IssuedDocument, Registry

pytestmark = pytest.mark.databases


def _row(document_id: str) -> IssuedDocument:
    return IssuedDocument(id=document_id, kind="commitment", title="个人承诺书", profile="xinjiang", subject="李娟",
                          format="pdf", sha256="0" * 64, size=1, issued_at=dt.datetime.now(dt.timezone.utc))


@pytest.fixture
def registry(database):
    registry = Registry(database)
    db.upgrade(registry.engine)
    yield registry
    registry.engine.dispose()


def _count(registry: Registry) -> int:
    with registry._session() as session:
        return session.scalar(select(func.count()).select_from(IssuedDocument)) or 0


def _slow_first(registry: Registry, started: threading.Event) -> None:
    """Write one row in a transaction that stays open for a moment, so that the others queue behind it."""
    def work(session) -> None:
        session.add(_row("slow"))
        started.set()
        time.sleep(0.3)

    registry.writer.write(work)


def test_waiting_writes_share_one_transaction_and_all_are_committed(registry):
    commits: list[int] = []
    event.listen(registry.engine, "commit", lambda _conn: commits.append(1))
    started = threading.Event()
    first = threading.Thread(target=_slow_first, args=(registry, started))
    first.start()
    started.wait(5)
    others = [threading.Thread(target=registry.add, args=([_row(f"d{i}")],)) for i in range(9)]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join(10)
    assert _count(registry) == 10
    assert len(commits) == 2          # the slow one's, then the nine that waited for it, together
    assert registry.get("d5") is not None


def test_a_failing_write_fails_alone(registry):
    registry.add([_row("taken")])
    started = threading.Event()
    first = threading.Thread(target=_slow_first, args=(registry, started))
    first.start()
    started.wait(5)
    outcomes: dict[str, BaseException | None] = {}

    def add(document_id: str) -> None:
        try:
            registry.add([_row(document_id)])
            outcomes[document_id] = None
        except Exception as exc:
            outcomes[document_id] = exc

    threads = [threading.Thread(target=add, args=(name,)) for name in ("a", "taken", "b")]
    for thread in threads:
        thread.start()
    for thread in [first, *threads]:
        thread.join(10)
    assert outcomes["a"] is None and outcomes["b"] is None
    assert isinstance(outcomes["taken"], IntegrityError)   # the duplicate id: its own thread's error
    assert registry.get("a") is not None and registry.get("b") is not None and _count(registry) == 4


def test_sqlite_writes_wait_for_the_lock_file(tmp_path):
    registry = Registry(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    db.upgrade(registry.engine)
    done = threading.Event()
    with open(tmp_path / "r.sqlite3.write-lock", "a") as other_process:   # as another worker's writer holds it
        fcntl.flock(other_process, fcntl.LOCK_EX)
        writer = threading.Thread(target=lambda: (registry.add([_row("x")]), done.set()))
        writer.start()
        assert not done.wait(0.3) and registry.get("x") is None
    assert done.wait(5) and registry.get("x") is not None
    writer.join()
    registry.engine.dispose()

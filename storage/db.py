"""The connection: one async engine, with read and write transactions.

On SQLite one process writes (the bot refuses a second instance on a SQLite file): its
writers queue on an asyncio lock, in order and without polling. Writers that queue
together share one SQLite transaction, each in a savepoint of its own, and one COMMIT:
a commit waits for the disk (fsync), and under load that wait, not the writes, bounded
what one writer can do (group commit). A writer that fails rolls back its savepoint
alone; a COMMIT that fails fails every writer of its group, none of whose writes is
kept. Each SQLite transaction starts with BEGIN IMMEDIATE, so that another process (a
migration, a backup) can never make it fail half way. Readers use plain BEGIN and, with
WAL, never wait for writers. PostgreSQL needs none of this: its constraints, row locks
and MVCC do the work, and its server commits concurrent transactions together.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from storage import files, sqlite_driver

BUSY_WAIT = 30.0  # seconds a write waits for another process's write (a migration, sqlite3)
BUSY_PAUSE = 0.05
BUSY_TIMEOUT_MS = 20  # SQLite's own busy wait, which blocks the loop: short
GROUP_MAX = 64  # writers sharing one COMMIT at most: the first of them waits for the last


@dataclass
class _Group:
    """Writers sharing one SQLite transaction and its COMMIT."""

    conn: AsyncConnection
    committed: asyncio.Future[None]
    members: int = 0  # writers whose savepoint was released into it


class Database:
    def __init__(self, url: str, connections: int = 16) -> None:
        """`connections`: how many updates are processed at once; each may hold one
        connection to read and, on SQLite, take the one writer's."""
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.path = (Path(parsed.database) if self.is_sqlite and parsed.database
                     and parsed.database != ":memory:" else None)
        if self.path is not None:
            files.lock_down(self.path)
        if self.is_sqlite:
            parsed = parsed.set(drivername=sqlite_driver.DRIVER)
        self.engine: AsyncEngine = create_async_engine(
            parsed, connect_args={"timeout": 30} if self.is_sqlite else {},
            pool_size=connections + 4, max_overflow=connections,
            # Every use ends its transaction (commit, or rollback on an error) itself: a
            # rollback on each return to the pool would only cost a round trip.
            pool_reset_on_return=None,
            # A failed statement's error names its SQL, never its values (a citizen's).
            hide_parameters=True,
            # The advisory locks (storage/locks.py) rely on each statement seeing what
            # committed while its transaction waited: whatever the server's default.
            **({} if self.is_sqlite else {"isolation_level": "READ COMMITTED"}),
        )
        if self.is_sqlite:
            _sqlite_connections(self.engine, self.path)
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None
        self._writing: asyncio.Task[Any] | None = None
        self._waiting = 0  # writers queued on the lock
        self._group: _Group | None = None

    def _write_lock(self) -> asyncio.Lock:
        """The writers' queue, made in the event loop that uses it."""
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        if not self.is_sqlite:
            async with self.engine.begin() as conn:
                yield conn
            return
        async with self._sqlite_transaction("BEGIN") as conn:
            yield conn

    @asynccontextmanager
    async def look(self) -> AsyncIterator[AsyncConnection]:
        """Reads that need no snapshot of their own (on SQLite no BEGIN: one round trip
        fewer; on PostgreSQL a read transaction)."""
        if not self.is_sqlite:
            async with self.read() as conn:
                yield conn
            return
        async with self.engine.connect() as conn:
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        if not self.is_sqlite:
            async with self.engine.begin() as conn:
                yield conn
            return
        lock = self._write_lock()
        if lock.locked() and self._writing is asyncio.current_task():
            raise RuntimeError("a write transaction inside another: pass the connection on")
        self._waiting += 1
        try:
            await lock.acquire()
        finally:
            self._waiting -= 1
        group: _Group | None = None
        try:
            self._writing = asyncio.current_task()
            group = self._group or await self._open_group()
            async with _member(group) as conn:
                yield conn
        finally:
            self._writing = None
            if group is not None and (self._waiting == 0 or group.members in (0, GROUP_MAX)):
                await self._commit(group)
            lock.release()
        await group.committed

    async def _open_group(self) -> _Group:
        conn = await self.engine.connect()
        try:
            await _begin(conn, "BEGIN IMMEDIATE")
        except BaseException:
            await conn.close()
            raise
        self._group = _Group(conn, asyncio.get_running_loop().create_future())
        return self._group

    async def _commit(self, group: _Group) -> None:
        """The group's COMMIT; each writer of it learns how it went from `committed`."""
        self._group = None
        try:
            await group.conn.commit()
        except BaseException as error:
            # Closed, not given back: SQLite may have left its transaction open.
            with suppress(Exception):
                await group.conn.invalidate()
            if group.members:  # each of them awaits it
                group.committed.set_exception(error)
        else:
            group.committed.set_result(None)
        finally:
            await group.conn.close()

    @asynccontextmanager
    async def _sqlite_transaction(self, begin: str) -> AsyncIterator[AsyncConnection]:
        """SQLite's transactions are ours to begin (the sqlite3 module's own are off), and a
        write begins IMMEDIATE, so that another process can never make it fail half way."""
        async with self.engine.connect() as conn:
            await _begin(conn, begin)
            try:
                yield conn
            except BaseException:
                await conn.rollback()
                raise
            await conn.commit()

    async def ping(self) -> None:
        """Raises unless the database answers (for a load balancer's health check)."""
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")

    async def checkpoint(self) -> None:
        """After an erasure: SQLite copies the WAL into the file and empties it, so the
        erased values live on in neither (secure_delete zeroes them in the file itself).
        PostgreSQL's own VACUUM reclaims dead rows."""
        if not self.is_sqlite:
            return
        async with self._write_lock(), self.engine.connect() as conn:
            if self._group is not None:  # nobody is left to commit it: the lock is ours
                await self._commit(self._group)
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    async def close(self) -> None:
        await self.engine.dispose()


@asynccontextmanager
async def _member(group: _Group) -> AsyncIterator[AsyncConnection]:
    """One writer of a group: its writes all kept, or none of them. After the first, in
    a savepoint; the first needs none (two statements fewer when nobody queues): failing,
    it rolls back a transaction that holds nothing else, and ends the group."""
    if group.members == 0:
        try:
            yield group.conn
        except BaseException:
            await group.conn.rollback()
            raise
        group.members += 1
        return
    savepoint = await group.conn.begin_nested()
    try:
        yield group.conn
    except BaseException:
        await savepoint.rollback()
        raise
    await savepoint.commit()
    group.members += 1


async def _begin(conn: AsyncConnection, begin: str) -> None:
    """BEGIN, waiting for another process's write transaction without blocking the loop
    (statements run on the loop's thread, storage.sqlite_driver): SQLite's own busy wait is
    kept short and the rest of the wait is asleep here."""
    waited = 0.0
    while True:
        try:
            await conn.exec_driver_sql(begin)
            return
        except OperationalError as error:
            if "locked" not in str(error) or waited >= BUSY_WAIT:
                raise
        await asyncio.sleep(BUSY_PAUSE)
        waited += BUSY_PAUSE


def _sqlite_connections(engine: AsyncEngine, path: Path | None) -> None:
    """Transaction control taken away from the sqlite3 module (we begin them, see
    `_begin`); erased data overwritten, not left in free pages (secure_delete); a WAL or
    SHM file left readable by others tightened."""

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()
        if path is not None:
            files.tighten_companions(path)

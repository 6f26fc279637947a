"""The connection: one async engine, with read and write transactions.

On SQLite one process writes (the bot refuses a second instance on a SQLite file): its
writers go one at a time and share COMMITs (storage/group_commit.py); each transaction of
theirs starts with BEGIN IMMEDIATE, so that another process (a migration, a backup) can
never make it fail half way. Readers use plain BEGIN and, with WAL, never wait for
writers. PostgreSQL needs none of this: its constraints, row locks and MVCC do the work,
and its server commits concurrent transactions together.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from storage import files, sqlite_driver
from storage.group_commit import Writers

log = logging.getLogger(__name__)
BUSY_WAIT = 30.0  # seconds a write waits for another process's write (a migration, sqlite3)
BUSY_PAUSE = 0.05
BUSY_TIMEOUT_MS = 20  # SQLite's own busy wait, which blocks the loop: short


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
        self._writers = Writers(self.engine, _begin)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        if not self.is_sqlite:
            async with self.engine.begin() as conn:
                yield conn
            return
        async with self.engine.connect() as conn:
            await _begin(conn, "BEGIN")
            try:
                yield conn
            finally:  # nothing to keep: no COMMIT (and no trip to its thread)
                await conn.rollback()

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
        async with self._writers.write() as conn:
            yield conn

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
        async with self._writers.alone() as conn:
            waited = 0.0
            # Busy while a reader still reads an older snapshot: again, asleep.
            while (await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).one()[0]:
                if waited >= BUSY_WAIT:
                    log.warning("the WAL could not be emptied: readers kept it busy")
                    return
                await asyncio.sleep(BUSY_PAUSE)
                waited += BUSY_PAUSE

    async def close(self) -> None:
        await self._writers.close()
        await self.engine.dispose()


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

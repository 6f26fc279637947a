"""SQLite's writers: one at a time, sharing their COMMITs (group commit).

A COMMIT waits for the disk (fsync), and under a crowd that wait, not the writes, bounded
what the one writer could do. So writers queue on one asyncio lock, in order and without
polling, and those that queued together share one SQLite transaction and one COMMIT: the
first writer of a group begins it (BEGIN IMMEDIATE) and queues a flush behind the writers
already waiting; each of them writes in a savepoint of its own; the flush commits once
they have all had their turn, on a thread (storage.sqlite_driver), and each writer learns
the outcome. A writer that fails loses its own writes alone. A COMMIT that fails, or a
transaction SQLite rolled back by itself (a full disk), fails every writer of its group,
and none of their writes is kept. Nobody is told of a write before its COMMIT.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

Begin = Callable[[AsyncConnection, str], Awaitable[None]]


@dataclass
class _Group:
    conn: AsyncConnection
    committed: asyncio.Future[None]
    members: int = 0  # writers whose writes are in it
    lost: BaseException | None = None  # SQLite rolled the transaction back by itself
    flush: asyncio.Task[None] | None = field(default=None, repr=False)


class Writers:
    def __init__(self, engine: AsyncEngine, begin: Begin) -> None:
        self.engine, self._begin = engine, begin
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None
        self._writing: asyncio.Task[Any] | None = None
        self._group: _Group | None = None

    def _queue(self) -> asyncio.Lock:
        """The writers' queue, made in the event loop that uses it."""
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        lock = self._queue()
        if lock.locked() and self._writing is asyncio.current_task():
            raise RuntimeError("a write transaction inside another: pass the connection on")
        group: _Group | None = None
        async with lock:
            self._writing = asyncio.current_task()
            try:
                group = self._group or await self._open()
                async with _member(group) as conn:
                    yield conn
            finally:
                self._writing = None
                if group is not None and (group.lost or not group.members):
                    await self._end(group)  # nothing of it to keep, or nothing left
        if group is not None:
            # Shielded: a writer cancelled meanwhile must not cancel the others' outcome.
            await asyncio.shield(group.committed)

    @asynccontextmanager
    async def alone(self) -> AsyncIterator[AsyncConnection]:
        """A connection of its own while no writer writes, what they wrote committed."""
        async with self._queue():
            if self._group is not None:
                await self._end(self._group)
            async with self.engine.connect() as conn:
                yield conn

    async def close(self) -> None:
        if self._group is not None and self._group.flush is not None:
            await self._group.flush

    async def _open(self) -> _Group:
        conn = await self.engine.connect()
        try:
            await self._begin(conn, "BEGIN IMMEDIATE")
        except BaseException:
            await conn.close()
            raise
        group = _Group(conn, asyncio.get_running_loop().create_future())
        # Queued now, behind the writers already waiting: they join the group first.
        group.flush = asyncio.create_task(self._flush(group))
        self._group = group
        return group

    async def _flush(self, group: _Group) -> None:
        async with self._queue():
            if self._group is group:
                await self._end(group)

    async def _end(self, group: _Group) -> None:
        """The group's COMMIT (under the lock); its writers learn how it went."""
        self._group = None
        error = group.lost
        if error is None and group.members and not _in_transaction(group.conn):
            error = sqlite3.OperationalError("SQLite rolled the transaction back")
        try:
            if error is None:
                await group.conn.commit()
        except Exception as failed:
            error = failed
        finally:
            if error is None:
                await group.conn.close()
            else:  # closed, not given back: SQLite may have left its transaction open
                with suppress(Exception):
                    await group.conn.invalidate()
            if group.members and error is not None:
                group.committed.set_exception(error)
            elif not group.committed.done():
                group.committed.set_result(None)


@asynccontextmanager
async def _member(group: _Group) -> AsyncIterator[AsyncConnection]:
    """One writer of a group: its writes all kept, or none of them. After the first, in a
    savepoint; the first needs none (two statements fewer when nobody queues): failing, it
    rolls back a transaction that holds nothing else, which ends the group."""
    savepoint = await group.conn.begin_nested() if group.members else None
    try:
        yield group.conn
        if savepoint is not None:
            await savepoint.commit()
    except BaseException:
        await _undo(group, savepoint)
        raise
    group.members += 1


async def _undo(group: _Group, savepoint: Any) -> None:
    if not _in_transaction(group.conn):  # SQLite rolled it all back (a full disk)
        group.lost = group.lost or sqlite3.OperationalError(
            "SQLite rolled the transaction back")
    elif savepoint is None:
        await group.conn.rollback()
    else:
        await savepoint.rollback()


def _in_transaction(conn: AsyncConnection) -> bool:
    return bool(conn.sync_connection and conn.sync_connection.connection.dbapi_connection
                and conn.sync_connection.connection.dbapi_connection.in_transaction)

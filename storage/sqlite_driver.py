"""SQLAlchemy's async engine over SQLite, with each statement run on the event loop's thread.

aiosqlite runs every call on a thread of its own: a statement costs a queue, a thread
wake-up and a future, about ten times what SQLite spends on the small statements of a
turn (bench: 0.43 ms against 0.04 ms for the same SELECT), and most of an update's CPU went
there. Run on the loop's thread, a statement blocks the loop only as long as SQLite works
on it, which here is less than the hop: one process writes (storage.locks refuses a
second on the file), its writers queue on an asyncio lock (storage.group_commit) and
readers never wait for writers in WAL mode; a write that must wait for another process (a migration,
the sqlite3 shell) waits asleep (storage.db's `_begin`), not in SQLite's busy loop.

The dialect is the standard library's sqlite3 one (pysqlite), declared async so that the
async engine accepts it. That engine insists that a statement awaits something (a sync
driver by mistake would otherwise block unnoticed): here it awaits an awaitable that is
already done, one greenlet switch and no trip through the loop.

A COMMIT is the exception: it waits for the disk (an fsync, 0.2 ms here and many on a
slow disk), so it runs on a thread and the loop goes on meanwhile; the writers that queue
in that time share the next COMMIT (storage.group_commit). A connection is used by one
task at a time, so never by two threads at once.
"""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.util.concurrency import await_

DRIVER = "sqlite+rantevou"
# One writer commits at a time; a thread of its own, so that nothing else queued on the
# default executor (aiohttp's DNS look-ups) delays a COMMIT while the writers wait.
_COMMITS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-commit")


class _Done:
    def __await__(self) -> Any:
        return iter(())


_DONE = _Done()


class _Cursor(sqlite3.Cursor):
    async def _async_soft_close(self) -> None:
        """What the async engine calls on a result's cursor: rows here need no trip."""


class _Connection(sqlite3.Connection):
    def cursor(self, factory: Any = _Cursor) -> Any:
        return super().cursor(factory)


class LoopDialect(SQLiteDialect_pysqlite):
    driver = "rantevou"
    is_async = True
    supports_statement_cache = True

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        # The async engine's pool: a connection awaited, never waited for on a thread.
        return pool.AsyncAdaptedQueuePool if cls._is_url_file_db(url) else pool.StaticPool

    def connect(self, *cargs: Any, **cparams: Any) -> Any:
        # check_same_thread: see do_commit. cached_statements: each connection keeps its
        # statements prepared (SQLite's memory, some KB each); a turn uses about 25.
        cparams.update(factory=_Connection, check_same_thread=False, cached_statements=32)
        return super().connect(*cargs, **cparams)

    def do_commit(self, dbapi_connection: Any) -> None:
        if dbapi_connection.in_transaction:
            await_(asyncio.get_running_loop().run_in_executor(_COMMITS,
                                                              dbapi_connection.commit))

    def do_execute(self, cursor: Any, statement: str, parameters: Any,
                   context: Any = None) -> None:
        await_(_DONE)
        cursor.execute(statement, parameters)

    def do_execute_no_params(self, cursor: Any, statement: str, context: Any = None) -> None:
        await_(_DONE)
        cursor.execute(statement)

    def do_executemany(self, cursor: Any, statement: str, parameters: Any,
                       context: Any = None) -> None:
        await_(_DONE)
        cursor.executemany(statement, parameters)


registry.register("sqlite.rantevou", __name__, "LoopDialect")

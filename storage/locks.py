"""PostgreSQL advisory locks, by name: what several instances must not do at once.

A lock's name (e.g. "chat:123", "day:chios:2026-12-04") is hashed into the 64-bit key
PostgreSQL takes, with a namespace of our own so that another application sharing the
server cannot collide with us by accident. On SQLite every one of these is a no-op: its
single writer already serialises every write, and only one process runs on it (see
`hold_instance`).
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

NAMESPACE = "rantevou:"


class InstanceConflict(RuntimeError):
    """Another instance runs where this one may not run beside it."""


def key(name: str) -> int:
    digest = hashlib.blake2b((NAMESPACE + name).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def exclusive(conn: AsyncConnection, name: str) -> None:
    """Until the transaction ends, nobody else holds `name` (waits for it)."""
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key(name)})


async def shared(conn: AsyncConnection, name: str) -> None:
    """Until the transaction ends, `name` is held with others, but not exclusively."""
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"),
                           {"key": key(name)})


async def try_exclusive(conn: AsyncConnection, name: str) -> bool:
    """Take `name` until the transaction ends, if nobody holds it; do not wait."""
    if conn.dialect.name != "postgresql":
        return True
    taken = await conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"),
                               {"key": key(name)})
    return bool(taken.scalar())


MODE = "mode"  # polling holds it alone; webhook instances share it


@asynccontextmanager
async def hold_instance(engine: AsyncEngine, database: Path | None,
                        polling: bool) -> AsyncIterator[None]:
    """For the life of this process: on SQLite, the one process on the file; on
    PostgreSQL, one poller alone (Telegram allows one), or any number of webhook
    instances, but never both at once. Raises InstanceConflict otherwise."""
    if engine.dialect.name != "postgresql":
        with _file_lock(database):
            yield
        return
    async with engine.connect() as conn:  # a session lock lives as long as its connection
        how = "" if polling else "_shared"
        taken = await conn.execute(text(f"SELECT pg_try_advisory_lock{how}(:key)"),
                                   {"key": key(MODE)})
        await conn.commit()
        if not taken.scalar():
            raise InstanceConflict(
                "Another instance is polling Telegram on this database: stop it first "
                "(Telegram allows one poller; set WEBHOOK_URL on every instance to run several)."
                if not polling else
                "Another instance runs on this database (polling or by webhook): Telegram "
                "allows one poller. Stop it, or run every instance by webhook (WEBHOOK_URL).")
        try:
            yield
        finally:
            await conn.execute(text(f"SELECT pg_advisory_unlock{how}(:key)"), {"key": key(MODE)})
            await conn.commit()


@contextmanager
def _file_lock(database: Path | None) -> Iterator[None]:
    """An exclusive lock on `<database>.lock` beside the SQLite file, held while open."""
    if database is None:
        yield
        return
    with database.with_name(database.name + ".lock").open("ab") as file:
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InstanceConflict(
                f"Another instance of the bot already runs on {database}: SQLite serves one "
                "process. Stop the other one, or use PostgreSQL to run several.") from None
        yield

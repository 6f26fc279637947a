"""Updates already processed, so that one delivered twice is processed once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import processed_updates


async def first_time(conn: AsyncConnection, update_id: int, now: datetime) -> bool:
    """Record the update as processed; False if it was already (a redelivery). Within the
    transaction that holds its effects, so both are kept or neither."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(processed_updates).values(update_id=update_id, at=now)
    result = await conn.execute(statement.on_conflict_do_nothing())
    return bool(result.rowcount)


async def purge(conn: AsyncConnection, before: datetime) -> int:
    """Forget updates processed long ago: Telegram redelivers within minutes, not days."""
    result = await conn.execute(delete(processed_updates).where(processed_updates.c.at < before))
    return int(result.rowcount)

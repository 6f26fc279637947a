"""Rows behind PTB's persistence: conversation states and per-user drafts, as JSON."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import bot_state


async def load(conn: AsyncConnection, kind: str) -> dict[str, Any]:
    rows = await conn.execute(
        select(bot_state.c.key, bot_state.c.data).where(bot_state.c.kind == kind)
    )
    return {row.key: row.data for row in rows}


async def save(conn: AsyncConnection, kind: str, key: str, data: Any | None) -> None:
    """Store `data` under (kind, key); None deletes the row."""
    where = (bot_state.c.kind == kind) & (bot_state.c.key == key)
    if data is None:
        await conn.execute(delete(bot_state).where(where))
        return
    result = await conn.execute(update(bot_state).where(where).values(data=data))
    if result.rowcount == 0:
        await conn.execute(insert(bot_state).values(kind=kind, key=key, data=data))

"""Which message of a staff chat shows the day's agenda, so that changes edit it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import day_agendas


async def remember(conn: AsyncConnection, chat_id: int, day: date, message_id: int) -> None:
    """The newest agenda message of the day is the one kept up to date."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(day_agendas).values(chat_id=chat_id, day=day,
                                                   message_id=message_id)
    await conn.execute(statement.on_conflict_do_update(
        index_elements=["chat_id", "day"], set_={"message_id": message_id}))


async def message_of(conn: AsyncConnection, chat_id: int, day: date) -> int | None:
    row = (await conn.execute(select(day_agendas.c.message_id).where(
        day_agendas.c.chat_id == chat_id, day_agendas.c.day == day))).first()
    return int(row.message_id) if row else None


async def any_since(conn: AsyncConnection, chat_id: int, day: date) -> bool:
    """Whether the chat has an agenda message of this day or a later one."""
    row = (await conn.execute(select(day_agendas.c.day).where(
        day_agendas.c.chat_id == chat_id, day_agendas.c.day >= day).limit(1))).first()
    return row is not None


async def forget(conn: AsyncConnection, chat_id: int, day: date) -> None:
    await conn.execute(delete(day_agendas).where(day_agendas.c.chat_id == chat_id,
                                                 day_agendas.c.day == day))


async def purge(conn: AsyncConnection, before: date) -> int:
    """Agendas of past days are never edited again."""
    deleted = await conn.execute(delete(day_agendas).where(day_agendas.c.day < before))
    return deleted.rowcount or 0

"""The Telegram messages that show a booking, so that a change updates every one of them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import booking_messages

_REMEMBER = (sqlite.insert(booking_messages).on_conflict_do_nothing(),
             postgresql.insert(booking_messages).on_conflict_do_nothing())


async def remember_message(
    conn: AsyncConnection, booking_id: int, chat_id: int, message_id: int, kind: str
) -> None:
    statement = _REMEMBER[conn.dialect.name == "postgresql"]
    await conn.execute(statement, {"booking_id": booking_id, "chat_id": chat_id,
                                   "message_id": message_id, "kind": kind})


async def messages_of(conn: AsyncConnection, booking_id: int) -> list[tuple[int, int, str]]:
    """(chat id, message id, kind) of every message that shows the booking, oldest first."""
    rows = await conn.execute(
        select(booking_messages.c.chat_id, booking_messages.c.message_id, booking_messages.c.kind)
        .where(booking_messages.c.booking_id == booking_id)
        .order_by(booking_messages.c.message_id)
    )
    return [(row.chat_id, row.message_id, row.kind) for row in rows]


async def messages_of_bookings(conn: AsyncConnection,
                               booking_ids: Sequence[int]) -> list[tuple[int, int, int, str]]:
    """(booking id, chat id, message id, kind) of every message that shows these bookings."""
    if not booking_ids:
        return []
    rows = await conn.execute(
        select(booking_messages).where(booking_messages.c.booking_id.in_(list(booking_ids)))
        .order_by(booking_messages.c.booking_id, booking_messages.c.message_id))
    return [(row.booking_id, row.chat_id, row.message_id, row.kind) for row in rows]


async def forget_message(conn: AsyncConnection, booking_id: int, chat_id: int,
                         message_id: int) -> None:
    await conn.execute(delete(booking_messages).where(
        booking_messages.c.booking_id == booking_id, booking_messages.c.chat_id == chat_id,
        booking_messages.c.message_id == message_id))

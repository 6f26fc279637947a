"""The Telegram messages that show a booking, so that a change updates every one of them."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import booking_messages


async def remember_message(
    conn: AsyncConnection, booking_id: int, chat_id: int, message_id: int, kind: str
) -> None:
    exists = await conn.execute(
        select(booking_messages.c.kind).where(
            booking_messages.c.booking_id == booking_id,
            booking_messages.c.chat_id == chat_id,
            booking_messages.c.message_id == message_id,
        )
    )
    if exists.first() is None:
        await conn.execute(
            insert(booking_messages).values(
                booking_id=booking_id, chat_id=chat_id, message_id=message_id, kind=kind
            )
        )


async def messages_of(conn: AsyncConnection, booking_id: int) -> list[tuple[int, int, str]]:
    """(chat id, message id, kind) of every message that shows the booking, oldest first."""
    rows = await conn.execute(
        select(booking_messages.c.chat_id, booking_messages.c.message_id, booking_messages.c.kind)
        .where(booking_messages.c.booking_id == booking_id)
        .order_by(booking_messages.c.message_id)
    )
    return [(row.chat_id, row.message_id, row.kind) for row in rows]

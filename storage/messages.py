"""The Telegram messages that show a booking, so that a change updates every one of them."""

from __future__ import annotations

from sqlalchemy import select
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

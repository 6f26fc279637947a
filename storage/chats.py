"""Where each chat's conversation stands, read and written by every update of that chat."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import chats


class ChatRow(NamedTuple):
    step: str | None = None
    draft: dict[str, Any] | None = None
    revision: int = 0
    message_id: int = 0
    pending: dict[str, Any] | None = None


async def load(conn: AsyncConnection, chat_id: int) -> ChatRow | None:
    row = (await conn.execute(
        select(chats.c.step, chats.c.draft, chats.c.revision, chats.c.message_id,
               chats.c.pending).where(chats.c.chat_id == chat_id))).first()
    if row is None:
        return None
    return ChatRow(row.step, row.draft, row.revision, row.message_id, row.pending)


async def save(conn: AsyncConnection, chat_id: int, row: ChatRow, now: datetime,
               exists: bool) -> None:
    """Store the chat's state (`exists`: whether load() found a row to update)."""
    values = {**row._asdict(), "updated_at": now}
    if exists:
        await conn.execute(update(chats).where(chats.c.chat_id == chat_id).values(**values))
    else:
        await conn.execute(insert(chats).values(chat_id=chat_id, **values))


async def drafts_left_before(conn: AsyncConnection, cutoff: datetime) -> list[int]:
    """Chats whose booking in progress was last touched before the cutoff."""
    rows = await conn.execute(select(chats.c.chat_id).where(
        chats.c.draft.is_not(None), chats.c.updated_at < cutoff))
    return [row.chat_id for row in rows]


async def forget(conn: AsyncConnection, chat_ids: Sequence[int]) -> None:
    if chat_ids:
        await conn.execute(delete(chats).where(chats.c.chat_id.in_(list(chat_ids))))

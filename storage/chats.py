"""Where each chat's conversation stands, read and written by every update of that chat."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import chats, users
from storage.users import UserPrefs


class ChatRow(NamedTuple):
    step: str | None = None
    draft: dict[str, Any] | None = None
    revision: int = 0
    message_id: int = 0
    pending: dict[str, Any] | None = None
    seen: list[int] | None = None  # the chat's latest update ids: a redelivery is known


_COLUMNS = (chats.c.step, chats.c.draft, chats.c.revision, chats.c.message_id,
            chats.c.pending, chats.c.seen)
_FIELDS = ("step", "draft", "revision", "message_id", "pending", "seen", "updated_at")

# Built once: every update runs these, and building a statement costs more than running it.
_KEY = select(bindparam("chat", type_=BigInteger).label("chat")).subquery()
_LOAD_WITH_USER = select(
    chats.c.chat_id, *_COLUMNS, users.c.id.label("user"), users.c.locale, users.c.timezone,
    users.c.unreachable_at,
).select_from(_KEY.outerjoin(chats, chats.c.chat_id == _KEY.c.chat)
              .outerjoin(users, users.c.id == bindparam("user", type_=BigInteger)))
_UPDATE = update(chats).where(chats.c.chat_id == bindparam("chat")).values(
    {name: bindparam(name) for name in _FIELDS})


async def load(conn: AsyncConnection, chat_id: int) -> ChatRow | None:
    row = (await conn.execute(select(*_COLUMNS).where(chats.c.chat_id == chat_id))).first()
    return ChatRow(*row) if row is not None else None


async def load_with_user(conn: AsyncConnection, chat_id: int,
                         user_id: int | None) -> tuple[ChatRow | None, UserPrefs | None]:
    """The chat's row and its user's preferences, in one statement (every update reads
    both)."""
    row = (await conn.execute(_LOAD_WITH_USER, {
        "chat": chat_id, "user": user_id if user_id is not None else 0})).one()
    chat = ChatRow(*row[1:7]) if row.chat_id is not None else None
    prefs = (UserPrefs(row.locale, row.timezone, row.unreachable_at is not None)
             if row.user is not None else None)
    return chat, prefs


async def save(conn: AsyncConnection, chat_id: int, row: ChatRow, now: datetime,
               exists: bool) -> None:
    """Store the chat's state (`exists`: whether load() found a row to update; if it was
    wrong, the row is made or updated all the same)."""
    values = {**row._asdict(), "updated_at": now}
    if exists:
        result = await conn.execute(_UPDATE, {"chat": chat_id, **values})
        if result.rowcount:
            return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(chats).values(chat_id=chat_id, **values)
    await conn.execute(statement.on_conflict_do_update(index_elements=[chats.c.chat_id],
                                                       set_=values))


async def drafts_left_before(conn: AsyncConnection, cutoff: datetime) -> list[int]:
    """Chats whose booking in progress was last touched before the cutoff."""
    rows = await conn.execute(select(chats.c.chat_id).where(
        chats.c.draft.is_not(None), chats.c.updated_at < cutoff))
    return [row.chat_id for row in rows]


async def forget(conn: AsyncConnection, chat_ids: Sequence[int]) -> None:
    if chat_ids:
        await conn.execute(delete(chats).where(chats.c.chat_id.in_(list(chat_ids))))

"""Citizens' preferences: language and time zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import metadata, users


class UserPrefs(NamedTuple):
    locale: str | None
    timezone: str | None
    unreachable: bool = False


async def get_prefs(conn: AsyncConnection, user_id: int) -> UserPrefs | None:
    query = select(users.c.locale, users.c.timezone, users.c.unreachable_at).where(
        users.c.id == user_id)
    row = (await conn.execute(query)).first()
    return UserPrefs(row.locale, row.timezone, row.unreachable_at is not None) if row else None


async def set_prefs(
    conn: AsyncConnection,
    user_id: int,
    now: datetime,
    *,
    locale: str | None = None,
    timezone: str | None = None,
) -> None:
    changes = {
        key: value
        for key, value in (("locale", locale), ("timezone", timezone))
        if value is not None
    }
    result = await conn.execute(
        update(users).where(users.c.id == user_id).values(updated_at=now, **changes)
    )
    if result.rowcount == 0:
        await conn.execute(
            insert(users).values(id=user_id, created_at=now, updated_at=now, **changes)
        )


async def mark_unreachable(conn: AsyncConnection, user_id: int, now: datetime) -> None:
    await conn.execute(update(users).where(users.c.id == user_id)
                       .values(unreachable_at=now, updated_at=now))


async def reachable_again(conn: AsyncConnection, user_id: int, now: datetime) -> None:
    """The citizen wrote to the bot: Telegram can reach them again."""
    await conn.execute(update(users).where(users.c.id == user_id, users.c.unreachable_at
                                           .is_not(None)).values(unreachable_at=None,
                                                                 updated_at=now))


async def is_unreachable(conn: AsyncConnection, user_id: int) -> bool:
    row = (await conn.execute(select(users.c.unreachable_at)
                              .where(users.c.id == user_id))).first()
    return bool(row and row.unreachable_at)


async def row_of(conn: AsyncConnection, user_id: int) -> dict[str, Any] | None:
    """What is stored about the user themselves (their preferences), as stored."""
    row = (await conn.execute(select(users).where(users.c.id == user_id))).first()
    return dict(row._mapping) if row else None


def _waitlist() -> Table | None:
    """The waitlist, where the schema has one with a user column."""
    table = metadata.tables.get("waitlist")
    return table if table is not None and "user_id" in table.c else None


async def waitlist_of(conn: AsyncConnection, user_id: int) -> list[dict[str, Any]]:
    table = _waitlist()
    if table is None:
        return []
    rows = await conn.execute(select(table).where(table.c.user_id == user_id))
    return [dict(row._mapping) for row in rows]


async def forget(conn: AsyncConnection, user_id: int) -> None:
    """Forget the user: their preferences and their places on the waitlist."""
    table = _waitlist()
    if table is not None:
        await conn.execute(delete(table).where(table.c.user_id == user_id))
    await conn.execute(delete(users).where(users.c.id == user_id))

"""Citizens' preferences: language and time zone."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import users


class UserPrefs(NamedTuple):
    locale: str | None
    timezone: str | None


async def get_prefs(conn: AsyncConnection, user_id: int) -> UserPrefs | None:
    query = select(users.c.locale, users.c.timezone).where(users.c.id == user_id)
    row = (await conn.execute(query)).first()
    return UserPrefs(row.locale, row.timezone) if row else None


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

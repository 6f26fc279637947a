"""Days an admin closed, for a municipality, a group or a service."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import bindparam, delete, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import closures


class Closure(NamedTuple):
    day: date
    scope_kind: str
    scope_id: str
    reason: str


async def close(conn: AsyncConnection, day: date, scope_kind: str, scope_id: str, reason: str,
                by: int, now: datetime) -> bool:
    """Close the day for the scope; False if it was closed already."""
    if await _exists(conn, day, scope_kind, scope_id):
        return False
    await conn.execute(insert(closures).values(
        day=day, scope_kind=scope_kind, scope_id=scope_id, reason=reason, created_by=by,
        created_at=now,
    ))
    return True


async def reopen(conn: AsyncConnection, day: date, scope_kind: str, scope_id: str) -> bool:
    result = await conn.execute(delete(closures).where(
        closures.c.day == day, closures.c.scope_kind == scope_kind,
        closures.c.scope_id == scope_id,
    ))
    return bool(result.rowcount)


_CLOSED_DAYS = select(closures.c.day).where(
    tuple_(closures.c.scope_kind, closures.c.scope_id).in_(bindparam("scopes", expanding=True)),
    closures.c.day >= bindparam("start"), closures.c.day <= bindparam("end"))


async def closed_days(conn: AsyncConnection, scopes: Iterable[tuple[str, str]], start: date,
                      end: date) -> set[date]:
    """The days in [start, end] closed for any of the (kind, id) scopes."""
    rows = await conn.execute(_CLOSED_DAYS, {"scopes": list(scopes), "start": start,
                                             "end": end})
    return {row.day for row in rows}


async def _exists(conn: AsyncConnection, day: date, scope_kind: str, scope_id: str) -> bool:
    rows = await conn.execute(select(closures.c.day).where(
        closures.c.day == day, closures.c.scope_kind == scope_kind,
        closures.c.scope_id == scope_id,
    ))
    return rows.first() is not None

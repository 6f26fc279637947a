"""Citizens' ratings of their appointments, and their comments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import feedback


async def save_feedback(conn: AsyncConnection, booking_id: int, now: datetime, *,
                        rating: int | None = None, comment: str | None = None) -> bool:
    """Store a rating, or add a comment to one; False if there is nothing to add it to."""
    query = select(feedback.c.rating).where(feedback.c.booking_id == booking_id)
    exists = (await conn.execute(query)).first() is not None
    if rating is not None and not exists:
        await conn.execute(insert(feedback).values(
            booking_id=booking_id, rating=rating, comment=comment or "", created_at=now))
        return True
    if not exists:
        return False
    changes: dict[str, Any] = {}
    if rating is not None:
        changes["rating"] = rating
    if comment is not None:
        changes["comment"] = comment
    await conn.execute(update(feedback).where(feedback.c.booking_id == booking_id)
                       .values(**changes))
    return True


async def feedback_of(conn: AsyncConnection, booking_ids: Sequence[int]) -> list[int]:
    """The ratings given for these bookings."""
    if not booking_ids:
        return []
    rows = await conn.execute(select(feedback.c.rating)
                              .where(feedback.c.booking_id.in_(booking_ids)))
    return [row.rating for row in rows]


async def feedback_by_booking(conn: AsyncConnection,
                              booking_ids: Sequence[int]) -> dict[int, tuple[int, str]]:
    """Each rated booking's rating and comment."""
    if not booking_ids:
        return {}
    rows = await conn.execute(select(feedback).where(feedback.c.booking_id.in_(booking_ids)))
    return {row.booking_id: (row.rating, row.comment) for row in rows}

"""Personal data is kept only as long as it is needed: RETENTION_DAYS after the appointment."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from storage import bookings, chats

DRAFT_DAYS = 30  # a booking left half way is forgotten after this long


async def erase_old(conn: AsyncConnection, now: datetime, days: int) -> int:
    """Erase the personal data of bookings that ended more than `days` ago; what statistics
    need stays. Returns how many bookings were erased."""
    return await bookings.erase_personal_data(conn, now - timedelta(days=days), now)


async def forget_abandoned_drafts(conn: AsyncConnection, now: datetime) -> int:
    """Forget bookings in progress (name, email, phone…) left more than DRAFT_DAYS ago."""
    stale = await chats.drafts_left_before(conn, now - timedelta(days=DRAFT_DAYS))
    await chats.forget(conn, stale)
    return len(stale)

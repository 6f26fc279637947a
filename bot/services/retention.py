"""Personal data is kept only as long as it is needed: RETENTION_DAYS after the appointment."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import bookings, state
from storage.db import Database

DRAFT_DAYS = 30  # a booking left half way is forgotten after this long


async def erase_old(db: Database, now: datetime, days: int) -> int:
    """Erase the personal data of bookings that ended more than `days` ago; what statistics
    need stays. Returns how many bookings were erased."""
    async with db.write() as conn:
        return await bookings.erase_personal_data(conn, now - timedelta(days=days), now)


async def abandoned_drafts(db: Database, now: datetime) -> list[int]:
    """Users whose booking in progress (name, email, phone…) was left over DRAFT_DAYS ago."""
    async with db.read() as conn:
        rows = await state.load(conn, "user_data")
    stale = []
    for key, data in rows.items():
        draft = data.get("draft") if isinstance(data, dict) else None
        if not isinstance(draft, dict):
            continue
        try:
            touched = datetime.fromisoformat(str(draft.get("touched")))
        except ValueError:
            touched = None
        if touched is None or touched.tzinfo is None or now - touched > timedelta(
                days=DRAFT_DAYS):
            stale.append(int(key))
    return stale

"""Personal data is kept only as long as it is needed: RETENTION_DAYS after the appointment."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import bookings as store
from storage.db import Database


async def erase_old(db: Database, now: datetime, days: int) -> int:
    """Erase the personal data of bookings that ended more than `days` ago; what statistics
    need stays. Returns how many bookings were erased."""
    async with db.write() as conn:
        return await store.erase_personal_data(conn, now - timedelta(days=days), now)

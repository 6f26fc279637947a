"""Free slots as a citizen browses them: a month of days, then the times of one day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.availability import (
    MonthView,
    add_month,
    free_slots,
    last_bookable_day,
    midnight,
    scopes_of,
)
from bot.domain.catalog import ResolvedService
from bot.domain.model import Slot
from storage import bookings, closures


async def free_slots_between(
    conn: AsyncConnection,
    service: ResolvedService,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    now: datetime,
    ignore: int | None = None,
) -> list[Slot]:
    """Free slots in [start, end); `ignore` is a booking being moved, whose desk counts free."""
    margin = timedelta(minutes=service.service.duration)
    first, last = (start - margin).astimezone(zone).date(), end.astimezone(zone).date()
    holds = await bookings.holds_between(
        conn, service.service.desk, start - margin, end + margin, ignore
    )
    closed = await closures.closed_days(conn, scopes_of(service), first, last)
    return free_slots(service, zone, start, end, now, holds, closed)


async def month_view(
    conn: AsyncConnection,
    service: ResolvedService,
    zone: ZoneInfo,
    citizen_zone: ZoneInfo,
    month: date | None,
    now: datetime,
    ignore: int | None = None,
) -> MonthView | None:
    """The free days of a month as the citizen sees them; None if nothing is free at all.

    With no month given, the month of the first free slot is shown.
    """
    first_month = now.astimezone(citizen_zone).date().replace(day=1)
    horizon_end = midnight(last_bookable_day(service, now, zone) + timedelta(days=1), zone)
    last_month = horizon_end.astimezone(citizen_zone).date().replace(day=1)
    if month is None:
        upcoming = await free_slots_between(conn, service, zone, now, horizon_end, now, ignore)
        if not upcoming:
            return None
        month = upcoming[0].start.astimezone(citizen_zone).date().replace(day=1)
    month = min(max(month.replace(day=1), first_month), last_month)
    start = midnight(month, citizen_zone)
    end = midnight(add_month(month, 1), citizen_zone)
    slots = await free_slots_between(conn, service, zone, start, end, now, ignore)
    return MonthView(
        month=month,
        free_days=frozenset(slot.start.astimezone(citizen_zone).date() for slot in slots),
        previous=add_month(month, -1) if month > first_month else None,
        following=add_month(month, 1) if month < last_month else None,
        first_slot=slots[0] if slots else None,
    )


async def day_slots(
    conn: AsyncConnection,
    service: ResolvedService,
    zone: ZoneInfo,
    citizen_zone: ZoneInfo,
    day: date,
    now: datetime,
    ignore: int | None = None,
) -> list[Slot]:
    """The free slots of one day of the citizen's calendar."""
    start, end = midnight(day, citizen_zone), midnight(day + timedelta(days=1), citizen_zone)
    return await free_slots_between(conn, service, zone, start, end, now, ignore)

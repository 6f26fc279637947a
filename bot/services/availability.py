"""Free slots as a citizen browses them: a month of days, then the times of one day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.availability import (
    Busy,
    MonthView,
    add_month,
    candidate_slots,
    free_days,
    free_slots,
    last_bookable_day,
    midnight,
    scopes_of,
)
from bot.domain.catalog import MAX_DURATION, ResolvedService
from bot.domain.model import Booking, Slot
from storage import bookings, closures, waitlist

LONGEST = timedelta(minutes=MAX_DURATION)  # no appointment lasts longer


async def _occupied(conn: AsyncConnection, service: ResolvedService, zone: ZoneInfo,
                    start: datetime, end: datetime,
                    ignore: int | None) -> tuple[list[Busy], set[date]]:
    """What a span needs read: the seats taken on the desk, the days closed. Two indexed
    queries bounded to the span."""
    first, last = start.astimezone(zone).date() - timedelta(days=1), end.astimezone(zone).date()
    taken = await bookings.seats_taken(conn, service.service.desk, start, end, LONGEST, ignore)
    taken += await waitlist.open_offers_of_desk(conn, service.service.desk, start, end)
    closed = await closures.closed_days(conn, scopes_of(service), first, last)
    return taken, closed


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
    busy, closed = await _occupied(conn, service, zone, start, end, ignore)
    return free_slots(service, zone, start, end, now, busy, closed)


def ever_bookable(service: ResolvedService, zone: ZoneInfo, now: datetime) -> bool:
    """Whether the hours give the service any time within its horizon, taken or free:
    without one nobody is put on a waitlist for a seat that can never free up."""
    end = midnight(last_bookable_day(service, now, zone) + timedelta(days=1), zone)
    return next(candidate_slots(service, zone, now, end, now), None) is not None


async def month_view(
    conn: AsyncConnection,
    service: ResolvedService,
    zone: ZoneInfo,
    citizen_zone: ZoneInfo,
    month: date | None,
    now: datetime,
    ignore: int | None = None,
    held: Slot | None = None,
) -> MonthView | None:
    """The free days of a month as the citizen sees them; None if nothing is free at all.
    `held`: a time an offer holds for the citizen, free to them alone.

    With no month given, the first month with a free day is shown, looked for month by
    month: the calendar costs the months it looks at, not the whole horizon.
    """
    first_month = now.astimezone(citizen_zone).date().replace(day=1)
    horizon_end = midnight(last_bookable_day(service, now, zone) + timedelta(days=1), zone)
    last_month = horizon_end.astimezone(citizen_zone).date().replace(day=1)
    shown = first_month if month is None else min(max(month.replace(day=1), first_month),
                                                  last_month)
    while True:
        start = max(midnight(shown, citizen_zone), now)
        end = midnight(add_month(shown, 1), citizen_zone)
        busy, closed = await _occupied(conn, service, zone, start, end, ignore)
        days, first = free_days(service, zone, citizen_zone, start, end, now, busy, closed)
        if held is not None and start <= held.start < end:
            days, first = days | {held.start.astimezone(citizen_zone).date()}, first or held
        if days or month is not None:
            return MonthView(month=shown, free_days=days,
                             previous=add_month(shown, -1) if shown > first_month else None,
                             following=add_month(shown, 1) if shown < last_month else None,
                             first_slot=first)
        if shown >= last_month:
            return None
        shown = add_month(shown, 1)


async def day_slots(
    conn: AsyncConnection,
    service: ResolvedService,
    zone: ZoneInfo,
    citizen_zone: ZoneInfo,
    day: date,
    now: datetime,
    ignore: int | None = None,
    held: Slot | None = None,
) -> list[Slot]:
    """The free slots of one day of the citizen's calendar, with `held` (a time an offer
    holds for the citizen) among them."""
    start, end = midnight(day, citizen_zone), midnight(day + timedelta(days=1), citizen_zone)
    free = await free_slots_between(conn, service, zone, start, end, now, ignore)
    if held is None or not start <= held.start < end or held in free:
        return free
    return sorted([*free, held], key=lambda slot: slot.start)


async def held_for(conn: AsyncConnection, service: ResolvedService, offer_id: int,
                   user_id: int, now: datetime) -> Slot | None:
    """The time the citizen's offer holds of the service, while it does: theirs to book
    in the flow (their booking of it takes the offer), though the calendar counts it taken
    (everyone else's, and every other time of its seat)."""
    row = await waitlist.offer(conn, offer_id)
    if (row is None or row["user_id"] != user_id or row["service_id"] != service.id
            or row["status"] != waitlist.OPEN or row["expires_at"] <= now):
        return None
    return Slot(row["start_at"], row["end_at"])


MOVE_REACH = timedelta(days=14)  # how far ahead staff are offered times to move a booking


async def times_to_move(conn: AsyncConnection, service: ResolvedService, zone: ZoneInfo,
                        booking: Booking, day: date | None, now: datetime) -> list[Slot]:
    """Where staff may move a booking: the free times of its service on the day, or (no
    day) in the next two weeks; the booking's own seat counts free."""
    if day is None:
        return await free_slots_between(conn, service, zone, now, now + MOVE_REACH, now,
                                        booking.id)
    return await day_slots(conn, service, zone, zone, day, now, booking.id)

"""Free slots as a citizen browses them: a month of days, then the times of one day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.availability import free_slots, last_bookable_day
from bot.domain.catalog import ResolvedService
from bot.domain.model import Slot
from storage import bookings as store
from storage import closures
from storage.db import Database


async def free_slots_between(
    db: Database,
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
    async with db.read() as conn:
        holds = await store.holds_between(
            conn, service.service.desk, start - margin, end + margin, ignore
        )
        closed = await closures.closed_days(conn, scopes_of(service), first, last)
    return free_slots(service, zone, start, end, now, holds, closed)


def scopes_of(service: ResolvedService) -> list[tuple[str, str]]:
    """The closure scopes that apply to a service: its municipality, group and itself."""
    return [("municipality", service.municipality.id), ("group", service.group.id),
            ("service", service.id)]


def offered_slot(
    service: ResolvedService, zone: ZoneInfo, start: datetime, now: datetime
) -> Slot | None:
    """The slot starting at `start` if hours, notice and horizon allow it (desks aside)."""
    probe = free_slots(service, zone, start, start + timedelta(minutes=1), now, [])
    return probe[0] if probe and probe[0].start == start else None


@dataclass(frozen=True, slots=True)
class MonthView:
    month: date  # the first day of the month shown
    free_days: frozenset[date]  # in the citizen's zone
    previous: date | None
    following: date | None
    first_slot: Slot | None


def midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _add_month(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


async def month_view(
    db: Database,
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
        upcoming = await free_slots_between(db, service, zone, now, horizon_end, now, ignore)
        if not upcoming:
            return None
        month = upcoming[0].start.astimezone(citizen_zone).date().replace(day=1)
    month = min(max(month.replace(day=1), first_month), last_month)
    start = midnight(month, citizen_zone)
    end = midnight(_add_month(month, 1), citizen_zone)
    slots = await free_slots_between(db, service, zone, start, end, now, ignore)
    return MonthView(
        month=month,
        free_days=frozenset(slot.start.astimezone(citizen_zone).date() for slot in slots),
        previous=_add_month(month, -1) if month > first_month else None,
        following=_add_month(month, 1) if month < last_month else None,
        first_slot=slots[0] if slots else None,
    )


async def day_slots(
    db: Database,
    service: ResolvedService,
    zone: ZoneInfo,
    citizen_zone: ZoneInfo,
    day: date,
    now: datetime,
    ignore: int | None = None,
) -> list[Slot]:
    """The free slots of one day of the citizen's calendar."""
    start, end = midnight(day, citizen_zone), midnight(day + timedelta(days=1), citizen_zone)
    return await free_slots_between(db, service, zone, start, end, now, ignore)

"""Which start times are free: opening hours, notice, horizon, holidays, closures, desks.

A booking holds one desk (a seat) of its service's resource for every 5-minute cell of
UTC time it covers; the database refuses a second hold of the same (resource, cell, seat),
so overlapping appointments can never share a desk. This module only computes; it is pure.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.catalog import ResolvedService
from bot.domain.holidays import is_holiday
from bot.domain.model import Slot

CELL = timedelta(minutes=5)

CELL_SECONDS = 300
Busy = tuple[int, int, int]
"""(start, end) in Unix seconds, and the seats bookings hold then: a bit each"""
Taken = dict[int, int]
"""The seats held in each cell (a cell's number: its Unix second // CELL_SECONDS)"""


def cells(start: datetime, end: datetime) -> list[datetime]:
    """The 5-minute UTC cells that [start, end) covers."""
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    first = epoch + ((start - epoch) // CELL) * CELL
    result = []
    cell = first
    while cell < end:
        result.append(cell)
        cell += CELL
    return result


def _wall(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """Local wall-clock minutes after midnight of `day`, as an aware UTC datetime."""
    day = day + timedelta(days=minutes // (24 * 60))
    minutes %= 24 * 60
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    return local.astimezone(UTC)


def last_bookable_day(service: ResolvedService, now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date() + timedelta(days=service.service.horizon_days)


def entered_horizon(service: ResolvedService, zone: ZoneInfo, now: datetime,
                    since: date | None) -> list[date]:
    """The days that entered the service's horizon after the day `since` (each day, one
    more enters), to today's; none yet past. Without `since`, today's alone."""
    last = last_bookable_day(service, now, zone)
    first = last if since is None else max(
        now.astimezone(zone).date(), since + timedelta(days=service.service.horizon_days + 1))
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def is_open_day(service: ResolvedService, day: date, closed: Collection[date] = ()) -> bool:
    return day not in service.closures and day not in closed and not is_holiday(day)


def candidate_slots(
    service: ResolvedService,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    now: datetime,
    closed: Collection[date] = (),
) -> Iterator[Slot]:
    """Every slot in [start, end) that opening hours, notice, horizon and closures allow;
    `closed` adds the days an admin closed to the catalog's closures."""
    duration = timedelta(minutes=service.service.duration)
    step = timedelta(minutes=service.service.slot_step)
    earliest = max(start, now + timedelta(hours=service.service.min_notice_hours))
    last_day = last_bookable_day(service, now, zone)
    day = start.astimezone(zone).date() - timedelta(days=1)
    while day <= min(end.astimezone(zone).date(), last_day):
        if is_open_day(service, day, closed):
            for open_at, close_at in service.hours.on(day.weekday()):
                slot_start, window_end = _wall(day, open_at, zone), _wall(day, close_at, zone)
                while slot_start + duration <= window_end:
                    if earliest <= slot_start < end:
                        yield Slot(slot_start, slot_start + duration)
                    slot_start += step
        day += timedelta(days=1)


def overlapping_slots(service: ResolvedService, zone: ZoneInfo, start: datetime,
                      end: datetime, now: datetime, closed: Collection[date] = ()) -> list[Slot]:
    """The slots the service would book now that overlap [start, end): those a seat freed
    then may make bookable."""
    reach = start - timedelta(minutes=service.service.duration)
    return [slot for slot in candidate_slots(service, zone, reach, end, now, closed)
            if slot.end > start]


def opened_slots(
    before: ResolvedService | None,
    after: ResolvedService,
    zone: ZoneInfo,
    now: datetime,
    closed: Collection[date] = (),
) -> list[Slot]:
    """The slots a changed service would book now, to the end of its horizon, that it would
    not have booked before the change (hours, notice, horizon, closures); with more desks,
    or another desk, every slot: each may have a seat free now."""
    end = midnight(last_bookable_day(after, now, zone) + timedelta(days=1), zone)
    slots = list(candidate_slots(after, zone, now, end, now, closed))
    if before is None or before.service.desk != after.service.desk or (
            before.service.capacity < after.service.capacity):
        return slots
    had = set(candidate_slots(before, zone, now, end, now, closed))
    return [slot for slot in slots if slot not in had]


def _cells_of(start: int, end: int) -> range:
    return range(start // CELL_SECONDS, -(-end // CELL_SECONDS))


def free_seat(slot: Slot, capacity: int, taken: Taken) -> int | None:
    """The lowest seat free for the whole slot, or None when every desk is taken."""
    busy = 0
    for cell in _cells_of(int(slot.start.timestamp()), int(slot.end.timestamp())):
        busy |= taken.get(cell, 0)
    free = ~busy & ((1 << capacity) - 1)
    return (free & -free).bit_length() - 1 if free else None


def free_days(
    service: ResolvedService,
    zone: ZoneInfo,
    citizen_zone: ZoneInfo,
    start: datetime,
    end: datetime,
    now: datetime,
    busy: Iterable[Busy],
    closed: Collection[date] = (),
) -> tuple[frozenset[date], Slot | None]:
    """The days of [start, end) in the citizen's calendar with a slot still free, and the
    first such slot. A day is done with at its first free slot: the calendar costs its
    days, not every seat of every slot."""
    taken = occupancy(busy)
    capacity = service.service.capacity
    days: set[date] = set()
    first: Slot | None = None
    day = start.astimezone(citizen_zone).date()
    while (day_start := max(midnight(day, citizen_zone), start)) < end:
        day_end = min(midnight(day + timedelta(days=1), citizen_zone), end)
        for slot in candidate_slots(service, zone, day_start, day_end, now, closed):
            if free_seat(slot, capacity, taken) is not None:
                days.add(day)
                first = first or slot
                break
        day += timedelta(days=1)
    return frozenset(days), first


def occupancy(busy: Iterable[Busy]) -> Taken:
    """The seats held in each cell, from what bookings hold (storage.bookings.seats_taken)."""
    taken: Taken = {}
    for start, end, seats in busy:
        for cell in _cells_of(start, end):
            taken[cell] = taken.get(cell, 0) | seats
    return taken


def free_slots(
    service: ResolvedService,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    now: datetime,
    busy: Iterable[Busy],
    closed: Collection[date] = (),
) -> list[Slot]:
    """The slots in [start, end) that can still be booked, earliest first."""
    taken = occupancy(busy)
    capacity = service.service.capacity
    return [
        slot
        for slot in candidate_slots(service, zone, start, end, now, closed)
        if free_seat(slot, capacity, taken) is not None
    ]


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


def add_month(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)

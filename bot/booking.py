"""Booking rules: which slots are free, and taking one atomically."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.availability import cells, free_slots, last_bookable_day
from bot.catalog import Catalog, ResolvedService
from bot.domain import Booking, Channel, Details, Slot, Status
from storage import bookings as store
from storage.db import Database

# Crockford's base32 without look-alikes: references are read aloud over the phone.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class BookingError(Exception):
    """Base for refusals a citizen is told about."""


class SlotTaken(BookingError):
    """Every desk of the slot was taken meanwhile."""


class NotBookable(BookingError):
    """The service, channel or time is not one the catalog offers (now)."""


def new_reference() -> str:
    code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


@dataclass(frozen=True, slots=True)
class BookingRequest:
    user_id: int
    service_id: str
    channel: Channel
    start: datetime
    details: Details
    consent_at: datetime
    locale: str
    timezone: str


async def free_slots_between(
    db: Database,
    service: ResolvedService,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[Slot]:
    margin = timedelta(minutes=service.service.duration)
    async with db.read() as conn:
        holds = await store.holds_between(conn, service.service.desk, start - margin, end + margin)
    return free_slots(service, zone, start, end, now, holds)


def offered_slot(
    service: ResolvedService, zone: ZoneInfo, start: datetime, now: datetime
) -> Slot | None:
    """The slot starting at `start` if hours, notice and horizon allow it (desks aside)."""
    probe = free_slots(service, zone, start, start + timedelta(minutes=1), now, [])
    return probe[0] if probe and probe[0].start == start else None


async def book(
    db: Database,
    catalog: Catalog,
    zone: ZoneInfo,
    request: BookingRequest,
    now: datetime,
    meeting_url: str = "",
) -> Booking:
    """Take a desk for the requested slot and record the booking, in one transaction."""
    service = catalog.service(request.service_id)
    if service is None or request.channel not in service.service.channels:
        raise NotBookable(request.service_id)
    slot = offered_slot(service, zone, request.start, now)
    if slot is None:
        raise NotBookable(request.start.isoformat())
    details = request.details
    values = {
        "uid": f"{uuid.uuid4()}@rantevou",
        "user_id": request.user_id,
        "municipality_id": service.municipality.id,
        "group_id": service.group.id,
        "service_id": service.id,
        "desk": service.service.desk,
        "seat": -1,
        "channel": request.channel.value,
        "start_at": slot.start,
        "end_at": slot.end,
        "status": Status.BOOKED.value,
        "name": details.name,
        "email": details.email,
        "phone": details.phone,
        "address": details.address,
        "notes": details.notes,
        "requirements": details.requirements,
        "third_party_email": details.third_party_email
        if request.channel is Channel.VIDEO
        else "",
        "consent_at": request.consent_at,
        "locale": request.locale,
        "timezone": request.timezone,
        "meeting_url": meeting_url if request.channel is Channel.VIDEO else "",
        "sequence": 0,
        "created_at": now,
        "updated_at": now,
    }
    async with db.write() as conn:
        booking_id, reference = await store.insert_booking(conn, values, new_reference)
        seat = await store.hold_seat(
            conn, booking_id, service.service.desk, cells(slot.start, slot.end),
            service.service.capacity,
        )
        if seat is None:
            raise SlotTaken(reference)  # leaving the block rolls the insert back
        await store.add_event(
            conn, booking_id, now, "booked", request.user_id,
            {"start": slot.start.isoformat(), "channel": request.channel.value, "seat": seat},
        )
        booking = await store.get_booking(conn, booking_id)
    assert booking is not None
    return booking


async def upcoming_bookings(db: Database, user_id: int, now: datetime) -> list[Booking]:
    async with db.read() as conn:
        found = await store.bookings_of_user(conn, user_id, since=now)
    return [booking for booking in found if booking.status is Status.BOOKED]


@dataclass(frozen=True, slots=True)
class MonthView:
    month: date  # the first day of the month shown
    free_days: frozenset[date]  # in the citizen's zone
    previous: date | None
    following: date | None
    first_slot: Slot | None


def _midnight(day: date, zone: ZoneInfo) -> datetime:
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
) -> MonthView | None:
    """The free days of a month as the citizen sees them; None if nothing is free at all.

    With no month given, the month of the first free slot is shown.
    """
    first_month = now.astimezone(citizen_zone).date().replace(day=1)
    horizon_end = _midnight(last_bookable_day(service, now, zone) + timedelta(days=1), zone)
    last_month = horizon_end.astimezone(citizen_zone).date().replace(day=1)
    if month is None:
        upcoming = await free_slots_between(db, service, zone, now, horizon_end, now)
        if not upcoming:
            return None
        month = upcoming[0].start.astimezone(citizen_zone).date().replace(day=1)
    month = min(max(month.replace(day=1), first_month), last_month)
    start = _midnight(month, citizen_zone)
    end = _midnight(_add_month(month, 1), citizen_zone)
    slots = await free_slots_between(db, service, zone, start, end, now)
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
) -> list[Slot]:
    """The free slots of one day of the citizen's calendar."""
    start, end = _midnight(day, citizen_zone), _midnight(day + timedelta(days=1), citizen_zone)
    return await free_slots_between(db, service, zone, start, end, now)

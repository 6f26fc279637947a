"""Booking rules: taking a slot, moving it, cancelling it; limits, ownership, cutoffs.

Every change goes through `_changed`, the one place that records the history and plans
what must follow (staff notices, scheduled messages).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.availability import cells
from bot.domain.catalog import Catalog, ResolvedService
from bot.domain.model import Booking, Channel, Details, Slot, Status
from bot.services import planning as outbox
from bot.services.availability import offered_slot, scopes_of
from storage import bookings as store
from storage import closures
from storage.db import Database

# Crockford's base32 without look-alikes: references are read aloud over the phone.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class BookingError(Exception):
    """Base for refusals a citizen is told about."""


class SlotTaken(BookingError):
    """Every desk of the slot was taken meanwhile."""


class NotBookable(BookingError):
    """The service, channel or time is not one the catalog offers (now)."""


class NotAllowed(BookingError):
    """A rule forbids it; `reason` says which."""

    NOT_FOUND = "not_found"  # no such booking, or not this citizen's
    NOT_ACTIVE = "not_active"  # cancelled, completed, no-show
    STARTED = "started"  # already begun or past
    NOT_STARTED = "not_started"  # an outcome before the appointment
    CUTOFF = "cutoff"  # too close to the start to change
    LIMIT_SERVICE = "limit_service"  # too many upcoming bookings of this service
    LIMIT_TOTAL = "limit_total"  # too many upcoming bookings with this municipality

    def __init__(self, reason: str, service: ResolvedService | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.service = service  # for the refusal's advice (the department's phone)


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


def _resolve(catalog: Catalog, zone: ZoneInfo, request: BookingRequest,
             now: datetime) -> tuple[ResolvedService, Slot]:
    service = catalog.service(request.service_id)
    if service is None or request.channel not in service.service.channels:
        raise NotBookable(request.service_id)
    slot = offered_slot(service, zone, request.start, now)
    if slot is None:
        raise NotBookable(request.start.isoformat())
    return service, slot


async def check_limits(conn: AsyncConnection, service: ResolvedService, user_id: int,
                       now: datetime) -> None:
    """Refuse a new booking beyond the citizen's allowance (per service, per municipality)."""
    here = await store.count_active(conn, user_id, now, service_id=service.id)
    if here >= service.service.max_active:
        raise NotAllowed(NotAllowed.LIMIT_SERVICE, service)
    municipality = service.municipality
    total = await store.count_active(conn, user_id, now, municipality_id=municipality.id)
    if total >= municipality.max_active_total:
        raise NotAllowed(NotAllowed.LIMIT_TOTAL, service)


async def limit_problem(db: Database, service: ResolvedService, user_id: int,
                        now: datetime) -> NotAllowed | None:
    """Whether a new booking of this service would be refused, asked before the flow goes on."""
    try:
        async with db.read() as conn:
            await check_limits(conn, service, user_id, now)
    except NotAllowed as refusal:
        return refusal
    return None


async def book(
    db: Database,
    catalog: Catalog,
    zone: ZoneInfo,
    request: BookingRequest,
    now: datetime,
    meeting_url: str = "",
) -> Booking:
    """Take a desk for the requested slot and record the booking, in one transaction."""
    service, slot = _resolve(catalog, zone, request, now)
    video = request.channel is Channel.VIDEO
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
        **_detail_values(request.details, video),
        "consent_at": request.consent_at,
        "locale": request.locale,
        "timezone": request.timezone,
        "meeting_url": meeting_url if video else "",
        "sequence": 0,
        "created_at": now,
        "updated_at": now,
    }
    async with db.write() as conn:
        await check_limits(conn, service, request.user_id, now)
        booking_id, _ = await store.insert_booking(conn, values, new_reference)
        seat = await store.hold_seat(conn, booking_id, service.service.desk,
                                     cells(slot.start, slot.end), service.service.capacity)
        if seat is None:
            raise SlotTaken(service.id)  # leaving the block rolls the insert back
        if await _closed(conn, service, slot, zone):
            raise NotBookable(slot.start.isoformat())
        data = {"start": slot.start.isoformat(), "channel": request.channel.value, "seat": seat}
        return await _changed(conn, booking_id, "booked", request.user_id, data, now, service)


def _detail_values(details: Details, video: bool) -> dict[str, str]:
    return {
        "name": details.name,
        "email": details.email,
        "phone": details.phone,
        "address": details.address,
        "notes": details.notes,
        "requirements": details.requirements,
        "third_party_email": details.third_party_email if video else "",
    }


async def _owned(conn: AsyncConnection, reference: str, user_id: int | None,
                 now: datetime) -> Booking:
    """The active, upcoming booking with this reference (and this owner, unless staff)."""
    booking = await store.get_booking_by_reference(conn, reference)
    if booking is None or (user_id is not None and booking.user_id != user_id):
        raise NotAllowed(NotAllowed.NOT_FOUND)
    if not booking.is_active:
        raise NotAllowed(NotAllowed.NOT_ACTIVE)
    if booking.start <= now:
        raise NotAllowed(NotAllowed.STARTED)
    return booking


def check_cutoff(booking: Booking, service: ResolvedService | None, now: datetime) -> None:
    hours = service.service.change_cutoff_hours if service else 0
    if booking.start - now < timedelta(hours=hours):
        raise NotAllowed(NotAllowed.CUTOFF, service)


async def changeable(db: Database, catalog: Catalog, reference: str, user_id: int,
                     now: datetime) -> Booking:
    """The citizen's own booking, if they may still change it; otherwise NotAllowed."""
    async with db.read() as conn:
        booking = await _owned(conn, reference, user_id, now)
    check_cutoff(booking, catalog.service(booking.service_id), now)
    return booking


async def reschedule(
    db: Database,
    catalog: Catalog,
    zone: ZoneInfo,
    reference: str,
    request: BookingRequest,
    now: datetime,
    meeting_url: str = "",
) -> Booking:
    """Move a booking to a new slot (and details) atomically: the old seat is freed and the
    new one taken in one transaction; if the new one is gone, nothing changes."""
    service, slot = _resolve(catalog, zone, request, now)
    async with db.write() as conn:
        old = await _owned(conn, reference, request.user_id, now)
        check_cutoff(old, service, now)
        if old.service_id != service.id:
            raise NotBookable(service.id)
        await store.release_holds(conn, old.id)
        seat = await store.hold_seat(conn, old.id, service.service.desk,
                                     cells(slot.start, slot.end), service.service.capacity)
        if seat is None:
            raise SlotTaken(service.id)  # rolls back: the old holds come back
        video = request.channel is Channel.VIDEO
        await store.update_booking(
            conn, old.id, start_at=slot.start, end_at=slot.end, channel=request.channel.value,
            desk=service.service.desk, **_detail_values(request.details, video),
            meeting_url=(old.meeting_url or meeting_url) if video else "",
            sequence=old.sequence + 1, updated_at=now,
        )
        if await _closed(conn, service, slot, zone):
            raise NotBookable(slot.start.isoformat())
        data = {"from": _snapshot(old), "seat": seat}
        return await _changed(conn, old.id, "rescheduled", request.user_id, data, now, service)


async def cancel(
    db: Database,
    catalog: Catalog,
    reference: str,
    actor: int,
    now: datetime,
    reason: str = "",
    by_staff: bool = False,
) -> Booking:
    """Cancel and free the seat at once. Citizens may cancel only their own booking and not
    after the service's cutoff; staff may cancel any upcoming booking."""
    async with db.write() as conn:
        booking = await _owned(conn, reference, None if by_staff else actor, now)
        if not by_staff:
            check_cutoff(booking, catalog.service(booking.service_id), now)
        return await cancel_in(conn, catalog, booking, actor, now, reason,
                               by="staff" if by_staff else "citizen")


async def cancel_in(conn: AsyncConnection, catalog: Catalog, booking: Booking, actor: int,
                    now: datetime, reason: str, by: str) -> Booking:
    """Cancel within the caller's transaction; `by` is citizen, staff or closure."""
    await store.release_holds(conn, booking.id)
    await store.update_booking(conn, booking.id, status=Status.CANCELLED.value,
                               cancel_reason=reason, sequence=booking.sequence + 1,
                               updated_at=now)
    data = {"reason": reason, "by": by}
    return await _changed(conn, booking.id, "cancelled", actor, data, now,
                          catalog.service(booking.service_id))


async def set_outcome(db: Database, catalog: Catalog, reference: str, status: Status,
                      actor: int, now: datetime) -> Booking:
    """Staff record how an appointment went: completed or no-show, once it has begun."""
    async with db.write() as conn:
        booking = await store.get_booking_by_reference(conn, reference)
        if booking is None:
            raise NotAllowed(NotAllowed.NOT_FOUND)
        if not booking.is_active:
            raise NotAllowed(NotAllowed.NOT_ACTIVE)
        if booking.start > now:
            raise NotAllowed(NotAllowed.NOT_STARTED)
        await store.update_booking(conn, booking.id, status=status.value, updated_at=now)
        return await _changed(conn, booking.id, status.value, actor, {}, now,
                              catalog.service(booking.service_id))


def _snapshot(booking: Booking) -> dict[str, Any]:
    return {
        "start": booking.start.isoformat(),
        "channel": booking.channel.value,
        "name": booking.details.name,
        "email": booking.details.email,
        "phone": booking.details.phone,
    }


async def _changed(conn: AsyncConnection, booking_id: int, kind: str, actor: int | None,
                   data: dict[str, Any], now: datetime,
                   service: ResolvedService | None) -> Booking:
    """The one place every change passes: the history, and what must follow (staff notices,
    messages to the citizen), planned in the same transaction."""
    booking = await store.get_booking(conn, booking_id)
    assert booking is not None
    if kind != "booked":
        data = {**data, "to": _snapshot(booking)}
    await store.add_event(conn, booking_id, now, kind, actor, data)
    await outbox.plan(conn, booking, service, kind, data, now)
    return booking


async def _closed(conn: AsyncConnection, service: ResolvedService, slot: Slot,
                  zone: ZoneInfo) -> bool:
    """Whether an admin closed the slot's day (for its municipality, group or service)."""
    day = slot.start.astimezone(zone).date()
    return bool(await closures.closed_days(conn, scopes_of(service), day, day))


async def confirm_attendance(db: Database, catalog: Catalog, reference: str, user_id: int,
                             now: datetime) -> Booking:
    """"I'll be there": recorded once, shown to staff."""
    async with db.write() as conn:
        booking = await _owned(conn, reference, user_id, now)
        if booking.attendance_at is not None:
            return booking
        await store.update_booking(conn, booking.id, attendance_at=now, updated_at=now)
        return await _changed(conn, booking.id, "confirmed", user_id, {}, now,
                              catalog.service(booking.service_id))


async def rate(db: Database, reference: str, user_id: int, rating: int,
               now: datetime) -> Booking:
    """A citizen's 1–5 rating of an appointment that has taken place (or begun)."""
    async with db.write() as conn:
        booking = await store.get_booking_by_reference(conn, reference)
        if booking is None or booking.user_id != user_id:
            raise NotAllowed(NotAllowed.NOT_FOUND)
        if booking.status not in (Status.BOOKED, Status.COMPLETED):
            raise NotAllowed(NotAllowed.NOT_ACTIVE)
        if booking.start > now:
            raise NotAllowed(NotAllowed.NOT_STARTED)
        await store.save_feedback(conn, booking.id, now, rating=rating)
        return booking


async def comment(db: Database, reference: str, user_id: int, text: str,
                  now: datetime) -> bool:
    """Add a comment to the citizen's rating; False when there is no rating of theirs."""
    async with db.write() as conn:
        booking = await store.get_booking_by_reference(conn, reference)
        if booking is None or booking.user_id != user_id:
            return False
        return await store.save_feedback(conn, booking.id, now, comment=text)


async def upcoming_of_services(db: Database, service_ids: list[str],
                               now: datetime) -> list[Booking]:
    """Active bookings still to come in these services (those a /reload removed)."""
    if not service_ids:
        return []
    async with db.read() as conn:
        return await store.bookings_between(conn, now, now + timedelta(days=3 * 366),
                                            service_ids=service_ids, active_only=True)


async def by_reference(db: Database, reference: str) -> Booking | None:
    async with db.read() as conn:
        return await store.get_booking_by_reference(conn, reference)


async def upcoming_bookings(db: Database, user_id: int, now: datetime) -> list[Booking]:
    async with db.read() as conn:
        found = await store.bookings_of_user(conn, user_id, since=now)
    return [booking for booking in found if booking.is_active]


async def past_bookings(db: Database, user_id: int, now: datetime,
                        limit: int = 10) -> list[Booking]:
    async with db.read() as conn:
        return await store.history_of_user(conn, user_id, now, limit)


async def remember_message(db: Database, booking: Booking, chat_id: int, message_id: int,
                           kind: str) -> None:
    """Note a message that shows the booking, so that later changes update it too."""
    async with db.write() as conn:
        await store.remember_message(conn, booking.id, chat_id, message_id, kind)


async def messages_about(db: Database, booking: Booking) -> list[tuple[int, int, str]]:
    async with db.read() as conn:
        return await store.messages_of(conn, booking.id)

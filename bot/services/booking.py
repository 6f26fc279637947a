"""Taking a slot, moving it, cancelling it, recording how it went: each in one transaction.

Every change goes through `_changed`, the one place that records the history and plans
what must follow (staff notices, scheduled messages).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.availability import cells, scopes_of
from bot.domain.catalog import Catalog, ResolvedService
from bot.domain.model import Booking, BookingRequest, Channel, Details, Slot, Status
from bot.domain.rules import (
    NotAllowed,
    NotBookable,
    SlotTaken,
    check_changeable,
    check_cutoff,
    check_limits,
    check_outcome,
    new_reference,
    resolve,
    snapshot,
)
from bot.services import offering, planning
from storage import bookings, closures, locks, messages, waitlist

ATTEMPTS = 5  # a change refused by a constraint (a race lost) is tried this often


async def limits_allow(conn: AsyncConnection, service: ResolvedService, user_id: int,
                       now: datetime) -> None:
    """Refuse a new booking beyond the citizen's allowance (per service, per municipality)."""
    in_service, in_municipality = await bookings.count_active(
        conn, user_id, now, service.id, service.municipality.id)
    check_limits(service, in_service, in_municipality)


async def limit_problem(conn: AsyncConnection, service: ResolvedService, user_id: int,
                        now: datetime) -> NotAllowed | None:
    """Whether a new booking of this service would be refused, asked before the flow goes on."""
    try:
        await limits_allow(conn, service, user_id, now)
    except NotAllowed as refusal:
        return refusal
    return None


async def book(
    conn: AsyncConnection,
    catalog: Catalog,
    zone: ZoneInfo,
    request: BookingRequest,
    now: datetime,
    meeting_url: str = "",
    shown_in: int = 0,
) -> Booking:
    """Take a desk for the requested slot and record the booking, in the caller's
    transaction: all of it, or (on a refusal) none of it. The request's draft is booked
    once: confirmed again, it yields the booking it made."""
    if done := await _confirmed(conn, request):
        return done
    service, slot = resolve(catalog, zone, request, now)
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

    async def take() -> Booking:
        await limits_allow(conn, service, request.user_id, now)
        if await _closed(conn, service, slot, zone):
            raise NotBookable(slot.start.isoformat())
        # A time offered to this citizen from the waitlist is held for them: theirs to take.
        offer = await waitlist.own_open_offer(conn, request.user_id, service.id, slot.start,
                                              now)
        if offer is not None:
            await offering.end_offer(conn, offer, waitlist.TAKEN, now)
        desk, needed = service.service.desk, cells(slot.start, slot.end)
        seat = await bookings.free_seat(conn, desk, needed, service.service.capacity)
        if seat is None:
            raise SlotTaken(service.id)
        booking_id = await bookings.insert_booking(conn, values | {"seat": seat},
                                                   new_reference())
        await bookings.hold_seat(conn, booking_id, desk, needed, seat)
        if request.draft_id:
            await bookings.record_draft(conn, request.draft_id, booking_id, now)
        data: dict[str, Any] = {"start": slot.start.isoformat(),
                                "channel": request.channel.value, "seat": seat}
        if offer is not None:
            await waitlist.took_offer(conn, offer, booking_id, now)
            data["waitlist"] = True
        return await _changed(conn, booking_id, "booked", request.user_id, data, now, service,
                              shown_in)

    await _serialise(conn, request.user_id, slot.start.astimezone(zone).date())
    return await _once(conn, request.draft_id, take)


async def _serialise(conn: AsyncConnection, user_id: int, *days: date) -> None:
    """What SQLite's one writer gives for free, on PostgreSQL: a citizen's bookings are
    counted against their limits one at a time, and a booking (or a move out of or into a
    day) and the closing of that day (`closing.close_day`, which takes the day alone)
    never overlap. Days in order, so that no two transactions wait for each other."""
    await locks.exclusive(conn, f"user:{user_id}")
    for day in sorted(days):
        await locks.shared(conn, f"day:{day.isoformat()}")


async def _once(conn: AsyncConnection, draft_id: str,
                change: Callable[[], Awaitable[Booking]]) -> Booking:
    """Make the change of a draft all of it or none of it, and at most once. A constraint
    refusing it (a seat taken by a concurrent booking since it was read, a reference
    drawn twice, the draft confirmed by a concurrent press on another instance) rolls the
    attempt back; the change is tried again, or yields the booking the draft made."""
    for _ in range(ATTEMPTS - 1):
        try:
            async with conn.begin_nested():
                return await change()
        except IntegrityError:
            if draft_id and (done := await bookings.booking_of_draft(conn, draft_id)):
                return done  # confirmed meanwhile by a concurrent press
    async with conn.begin_nested():
        return await change()


async def _confirmed(conn: AsyncConnection, request: BookingRequest) -> Booking | None:
    """The booking the request's draft was already confirmed into (a second press, a retry
    after an error or a restart)."""
    return await bookings.booking_of_draft(conn, request.draft_id) if request.draft_id else None


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


async def _changeable_in(conn: AsyncConnection, reference: str, user_id: int | None,
                         now: datetime) -> Booking:
    booking = await bookings.booking_to_change(conn, reference)
    return check_changeable(booking, user_id, now)


async def changeable(conn: AsyncConnection, catalog: Catalog, reference: str, user_id: int,
                     now: datetime) -> Booking:
    """The citizen's own booking, if they may still change it; otherwise NotAllowed."""
    booking = await _changeable_in(conn, reference, user_id, now)
    check_cutoff(booking, catalog.service(booking.service_id), now)
    return booking


async def reschedule(
    conn: AsyncConnection,
    catalog: Catalog,
    zone: ZoneInfo,
    reference: str,
    request: BookingRequest,
    now: datetime,
    meeting_url: str = "",
    shown_in: int = 0,
    staff: int | None = None,
) -> Booking:
    """Move a booking to a new slot (and details) atomically: the old seat is freed and the
    new one taken in one transaction; if the new one is gone, nothing changes. The
    request's draft moves it once: confirmed again, it yields the booking as moved. A
    member of `staff` moves any upcoming booking, after the citizens' cutoff too."""
    if done := await _confirmed(conn, request):
        return done
    service, slot = resolve(catalog, zone, request, now)

    async def move() -> Booking:
        old = await _changeable_in(conn, reference, None if staff else request.user_id, now)
        if staff is None:
            check_cutoff(old, service, now)
        if old.service_id != service.id:
            raise NotBookable(service.id)
        await bookings.release_holds(conn, old.id)
        desk, needed = service.service.desk, cells(slot.start, slot.end)
        seat = await bookings.free_seat(conn, desk, needed, service.service.capacity)
        if seat is None:
            raise SlotTaken(service.id)  # the savepoint gives the old holds back
        await bookings.hold_seat(conn, old.id, desk, needed, seat)
        video = request.channel is Channel.VIDEO
        await bookings.update_booking(
            conn, old.id, start_at=slot.start, end_at=slot.end, channel=request.channel.value,
            desk=service.service.desk, **_detail_values(request.details, video),
            meeting_url=(old.meeting_url or meeting_url) if video else "",
            sequence=old.sequence + 1, updated_at=now,
        )
        if await _closed(conn, service, slot, zone):
            raise NotBookable(slot.start.isoformat())
        if request.draft_id:
            await bookings.record_draft(conn, request.draft_id, old.id, now)
        data = {"from": snapshot(old), "seat": seat, "by": "staff" if staff else "citizen"}
        moved = await _changed(conn, old.id, "rescheduled", staff or request.user_id, data,
                               now, service, shown_in)
        # The citizen gave the old seat up: staff too move a booking only as its citizen asks.
        await offering.offer_freed(conn, catalog, zone, old.service_id, old.start, now,
                                   freed_by=old.user_id)
        return moved

    days = {slot.start.astimezone(zone).date()}
    if current := await bookings.get_booking_by_reference(conn, reference):
        days.add(current.start.astimezone(zone).date())  # the day it leaves, too
    await _serialise(conn, request.user_id, *days)
    return await _once(conn, request.draft_id, move)


async def move_by_staff(conn: AsyncConnection, catalog: Catalog, zone: ZoneInfo,
                        reference: str, start: datetime, staff: int, now: datetime) -> Booking:
    """Staff move a booking to another free time of its service, as the citizen asked them
    (by phone, at the desk): the same channel and details; the citizen is told."""
    old = check_changeable(await bookings.booking_to_change(conn, reference), None, now)
    if old.start == start:
        return old  # a second press of the same time: moved already
    request = BookingRequest(
        user_id=old.user_id, service_id=old.service_id, channel=old.channel, start=start,
        details=old.details, consent_at=old.consent_at, locale=old.locale,
        timezone=str(zone))
    return await reschedule(conn, catalog, zone, reference, request, now, staff=staff)


async def cancel(
    conn: AsyncConnection,
    catalog: Catalog,
    reference: str,
    actor: int,
    now: datetime,
    reason: str = "",
    by_staff: bool = False,
    shown_in: int = 0,
    zone: ZoneInfo | None = None,
) -> Booking:
    """Cancel and free the seat at once. Citizens may cancel only their own booking and not
    after the service's cutoff; staff may cancel any upcoming booking. With the service's
    `zone`, the freed seat is offered to the waitlist."""
    booking = await _changeable_in(conn, reference, None if by_staff else actor, now)
    if not by_staff:
        check_cutoff(booking, catalog.service(booking.service_id), now)
    return await cancel_in(conn, catalog, booking, actor, now, reason,
                           by="staff" if by_staff else "citizen", shown_in=shown_in, zone=zone)


async def cancel_in(conn: AsyncConnection, catalog: Catalog, booking: Booking, actor: int,
                    now: datetime, reason: str, by: str, shown_in: int = 0,
                    zone: ZoneInfo | None = None) -> Booking:
    """Cancel within the caller's transaction; `by` is citizen, staff or closure. With the
    service's `zone`, the freed seat is offered to the first in line of the waitlist: not
    to a citizen who cancels their own, but to one whose booking staff cancel if first in
    line (they did not give it up)."""
    await bookings.release_holds(conn, booking.id)
    await bookings.update_booking(conn, booking.id, status=Status.CANCELLED.value,
                                  cancel_reason=reason, sequence=booking.sequence + 1,
                                  updated_at=now)
    data = {"reason": reason, "by": by}
    cancelled = await _changed(conn, booking.id, "cancelled", actor, data, now,
                               catalog.service(booking.service_id), shown_in)
    if zone is not None:
        await offering.offer_freed(conn, catalog, zone, booking.service_id, booking.start, now,
                                   freed_by=booking.user_id if by == "citizen" else None)
    return cancelled


async def set_outcome(conn: AsyncConnection, catalog: Catalog, reference: str,
                      status: Status, actor: int, now: datetime) -> Booking:
    """Staff record how an appointment went: completed or no-show, once it has begun."""
    booking = check_outcome(await bookings.booking_to_change(conn, reference), now)
    await bookings.update_booking(conn, booking.id, status=status.value, updated_at=now)
    return await _changed(conn, booking.id, status.value, actor, {}, now,
                          catalog.service(booking.service_id))


async def confirm_attendance(conn: AsyncConnection, catalog: Catalog, reference: str,
                             user_id: int, now: datetime) -> Booking:
    """"I'll be there": recorded once, shown to staff."""
    booking = await _changeable_in(conn, reference, user_id, now)
    if booking.attendance_at is not None:
        return booking
    await bookings.update_booking(conn, booking.id, attendance_at=now, updated_at=now)
    return await _changed(conn, booking.id, "confirmed", user_id, {}, now,
                          catalog.service(booking.service_id))


async def _changed(conn: AsyncConnection, booking_id: int, kind: str, actor: int | None,
                   data: dict[str, Any], now: datetime, service: ResolvedService | None,
                   shown_in: int = 0) -> Booking:
    """The one place every change passes: the history, and what must follow (staff notices,
    messages to the citizen), planned in the same transaction. `shown_in`: the message the
    citizen made the change from, which shows its outcome."""
    booking = await bookings.get_booking(conn, booking_id)
    if booking is None:
        raise LookupError(f"booking {booking_id} vanished inside its own transaction")
    if kind != "booked":
        data = {**data, "to": snapshot(booking)}
    await bookings.add_event(conn, booking_id, now, kind, actor, data)
    if shown_in and kind in ("booked", "rescheduled"):
        await messages.remember_message(conn, booking_id, booking.user_id, shown_in,
                                        "confirmation")
    await planning.after_change(conn, booking, service, kind, data, now, shown_in)
    return booking


async def _closed(conn: AsyncConnection, service: ResolvedService, slot: Slot,
                  zone: ZoneInfo) -> bool:
    """Whether an admin closed the slot's day (for its municipality, group or service)."""
    day = slot.start.astimezone(zone).date()
    return bool(await closures.closed_days(conn, scopes_of(service), day, day))

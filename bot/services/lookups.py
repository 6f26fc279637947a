"""Reading bookings: by reference, a citizen's upcoming and earlier ones, and the messages
that show a booking (so that a change updates each of them)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.model import Booking
from storage import bookings, messages
from storage.db import Database


async def upcoming_of_services(db: Database, service_ids: list[str],
                               now: datetime) -> list[Booking]:
    """Active bookings still to come in these services (those a /reload removed)."""
    if not service_ids:
        return []
    async with db.read() as conn:
        return await bookings.bookings_between(conn, now, now + timedelta(days=3 * 366),
                                               service_ids=service_ids, active_only=True)


async def by_reference(db: Database, reference: str) -> Booking | None:
    async with db.read() as conn:
        return await bookings.get_booking_by_reference(conn, reference)


async def upcoming_bookings(db: Database, user_id: int, now: datetime) -> list[Booking]:
    async with db.read() as conn:
        found = await bookings.bookings_of_user(conn, user_id, since=now)
    return [booking for booking in found if booking.is_active]


async def past_bookings(db: Database, user_id: int, now: datetime,
                        limit: int = 10) -> list[Booking]:
    async with db.read() as conn:
        return await bookings.history_of_user(conn, user_id, now, limit)


async def remember_message(db: Database, booking: Booking, chat_id: int, message_id: int,
                           kind: str) -> None:
    """Note a message that shows the booking, so that later changes update it too."""
    async with db.write() as conn:
        await messages.remember_message(conn, booking.id, chat_id, message_id, kind)


async def messages_about(db: Database, booking: Booking) -> list[tuple[int, int, str]]:
    async with db.read() as conn:
        return await messages.messages_of(conn, booking.id)

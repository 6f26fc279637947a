"""Reading bookings: by reference, a citizen's upcoming and earlier ones, and the messages
that show a booking (so that a change updates each of them)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.model import Booking
from bot.services.planning import CONFIRMATION
from storage import bookings, messages, outbox


async def upcoming_of_services(conn: AsyncConnection, service_ids: list[str],
                               now: datetime) -> list[Booking]:
    """Active bookings still to come in these services (those a /reload removed)."""
    if not service_ids:
        return []
    return await bookings.bookings_between(conn, now, now + timedelta(days=3 * 366),
                                           service_ids=service_ids, active_only=True)


async def by_reference(conn: AsyncConnection, reference: str) -> Booking | None:
    return await bookings.get_booking_by_reference(conn, reference)


async def upcoming_bookings(conn: AsyncConnection, user_id: int, now: datetime) -> list[Booking]:
    found = await bookings.bookings_of_user(conn, user_id, since=now)
    return [booking for booking in found if booking.is_active]


async def past_bookings(conn: AsyncConnection, user_id: int, now: datetime,
                        limit: int = 10) -> list[Booking]:
    return await bookings.history_of_user(conn, user_id, now, limit)


async def remember_message(conn: AsyncConnection, booking: Booking, chat_id: int, message_id: int,
                           kind: str) -> None:
    """Note a message that shows the booking, so that later changes update it too."""
    await messages.remember_message(conn, booking.id, chat_id, message_id, kind)


async def messages_about(conn: AsyncConnection, booking: Booking) -> list[tuple[int, int, str]]:
    return await messages.messages_of(conn, booking.id)


async def booking_of_draft(conn: AsyncConnection, draft_id: str) -> Booking | None:
    """The booking a draft of the booking flow was confirmed into, if it was."""
    return await bookings.booking_of_draft(conn, draft_id)


async def learn(conn: AsyncConnection, facts: list[tuple[str, int, int, int, str]],
                now: datetime) -> None:
    """What replies taught once they went out: a message that shows a booking ("shows"),
    a confirmation that arrived ("confirmed": the outbox need not show it again)."""
    for what, booking_id, chat_id, message_id, kind in facts:
        if what == "shows":
            await messages.remember_message(conn, booking_id, chat_id, message_id, kind)
        elif what == "confirmed":
            await outbox.finish_kind(conn, booking_id, CONFIRMATION, now)

"""Citizens' ratings of their appointments, and their comments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.model import Booking
from bot.domain.rules import check_rating
from storage import bookings, feedback


async def rate(conn: AsyncConnection, reference: str, user_id: int, rating: int,
               now: datetime) -> Booking:
    """A citizen's 1–5 rating of an appointment that has taken place (or begun)."""
    booking = await bookings.get_booking_by_reference(conn, reference)
    booking = check_rating(booking, user_id, now)
    await feedback.save_feedback(conn, booking.id, now, rating=rating)
    return booking


async def comment(conn: AsyncConnection, reference: str, user_id: int, text: str,
                  now: datetime) -> bool:
    """Add a comment to the citizen's rating; False when there is no rating of theirs."""
    booking = await bookings.get_booking_by_reference(conn, reference)
    if booking is None or booking.user_id != user_id:
        return False
    return await feedback.save_feedback(conn, booking.id, now, comment=text)

"""The citizen's rights: to see what is held about them (GDPR Art. 15), to be forgotten
(Art. 17)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.catalog import Catalog
from bot.domain.model import Booking
from bot.domain.privacy import HeldBooking, HeldData
from bot.services import waitlist
from bot.services.booking import cancel_in
from bot.services.retention import REQUEST, erase
from storage import bookings, chats, feedback, users


async def held(conn: AsyncConnection, user_id: int, now: datetime) -> HeldData:
    """Everything held about the citizen, and nothing about anyone else: who of the staff
    changed a booking is said as "the department", not by their id."""
    found = await bookings.bookings_of_user(conn, user_id)
    ratings = await feedback.feedback_by_booking(conn, [b.id for b in found])
    items = []
    for booking in found:
        history = [_event(event, user_id) for event in await bookings.events_of(conn, booking.id)]
        rating, comment = ratings.get(booking.id, (None, ""))
        items.append(HeldBooking(booking, history, rating, comment))
    chat = await chats.load(conn, user_id)
    conversation = {"step": chat.step, "draft": chat.draft} if chat and chat.draft else None
    preferences = await users.row_of(conn, user_id)
    if preferences is not None:
        preferences.pop("id", None)
    return HeldData(user_id, preferences, conversation, items,
                    await users.waitlist_of(conn, user_id), now)


def _event(event: dict[str, Any], user_id: int) -> dict[str, Any]:
    actor = event.get("actor")
    by = "you" if actor == user_id else "system" if actor is None else "staff"
    return {"at": event["at"], "kind": event["kind"], "by": by, "data": event["data"]}


async def upcoming_count(conn: AsyncConnection, user_id: int, now: datetime) -> int:
    """How many bookings forgetting the citizen would cancel."""
    return len(await _upcoming(conn, user_id, now))


async def forget(conn: AsyncConnection, catalog: Catalog, zone: ZoneInfo, user_id: int,
                 now: datetime) -> int:
    """Cancel the citizen's upcoming bookings (their departments are told as for any
    cancellation), then erase everything personal about them: every booking's details and
    history, their feedback comments, their preferences, their waitlist places. The chat's
    own state (the draft) goes with their turn. Returns how many bookings were cancelled."""
    # Off the waitlist first, so that no seat they free is offered back to them.
    await waitlist.forget(conn, catalog, zone, user_id, now)
    upcoming = await _upcoming(conn, user_id, now)
    for booking in upcoming:
        await cancel_in(conn, catalog, booking, user_id, now, "", "citizen", zone=zone)
    every = await bookings.bookings_of_user(conn, user_id)
    await erase(conn, [b.id for b in every], now, REQUEST)
    await users.forget(conn, user_id)
    return len(upcoming)


async def _upcoming(conn: AsyncConnection, user_id: int, now: datetime) -> list[Booking]:
    found = await bookings.bookings_of_user(conn, user_id, since=now)
    return [b for b in found if b.is_active and b.start > now]

"""What must follow a change of a booking, written in the change's own transaction.

Rows in the outbox say what is due and when; `bot.delivery.sender` sends them. Writing them with
the change means a crash can lose neither the change nor what it owes to others. The
citizen's timed messages depend on settings, so a change records a PLAN item and the
dispatcher (which has the settings) turns it into reminders, link, feedback and emails.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.availability import midnight
from bot.domain.catalog import ResolvedService
from bot.domain.model import Booking, Channel, Status
from bot.services.runtime import Services
from bot.settings import Settings
from storage import agendas, outbox

CONFIRMATION = "confirmation"  # a change's outcome shown in the message it was made from
INVITATION = "invitation"  # the .ics for the citizen's calendar (REQUEST or CANCEL)
REFRESH = "refresh"  # every earlier message about the booking shows it as it now stands
STAFF_NOTICE = "staff_notice"  # post or update the booking's notice in the staff chat
CITIZEN_CANCELLED = "citizen_cancelled"  # tell the citizen the municipality cancelled
CITIZEN_MOVED = "citizen_moved"  # tell the citizen staff moved their appointment
PLAN = "plan"  # (re)plan the citizen's timed messages and emails after a change
REMINDER = "reminder"  # before the appointment, at each configured offset
LINK = "link"  # video: the meeting link, minutes before the start
FEEDBACK = "feedback"  # after the appointment: how was it?
EMAIL = "email"  # confirmation, change or cancellation by email (citizen, third person)
DIGEST = "digest"  # a department's agenda for the day, in its staff chat
REDACT = "redact"  # a message that showed an erased booking now says only that it was
WIPE = "wipe"  # after an erasure: no copy of what was erased is left in the database's files
TODAY = "today"  # that agenda's message edited after a change of one of its bookings
# A change this near to now may be on the staff chat's today, in any time zone.
TODAY_REACH = timedelta(hours=36)
TIMED = (REMINDER, LINK, FEEDBACK)
REPLANNED = ("booked", "rescheduled", "cancelled", "completed", "no_show")
EMAILED_CHANGES = ("booked", "rescheduled", "cancelled")
# The handler shows a confirmation at once; the outbox shows it again this much later (an
# edit that changes nothing when the first one arrived), so that a crash or a failed call
# right after the commit delays it and never loses it.
CONFIRMATION_GRACE = timedelta(seconds=10)


async def after_change(conn: AsyncConnection, booking: Booking, service: ResolvedService | None,
                       kind: str, data: dict[str, Any], now: datetime,
                       shown_in: int = 0) -> None:
    """Everything a change owes: to staff, to the citizen (the confirmation in the message
    it was made in, `shown_in`; the invitation; every earlier message brought up to date),
    and the timed messages to plan."""
    staff_chat = service.group.staff_chat_id if service else None
    user, due = booking.user_id, outbox.Due(booking.id, now)
    items = []
    if staff_chat:
        items.append(due.item(STAFF_NOTICE, now, chat_id=staff_chat))
        if await _today_to_edit(conn, booking, data, now, staff_chat):
            items.append(due.item(TODAY, now, chat_id=staff_chat))
    if kind in ("booked", "rescheduled", "cancelled") and shown_in:
        items.append(due.item(CONFIRMATION, now + CONFIRMATION_GRACE, chat_id=user,
                              payload={"message_id": shown_in, "sequence": booking.sequence}))
    if kind == "cancelled" and data.get("by") != "citizen":
        items.append(due.item(CITIZEN_CANCELLED, now, chat_id=user))
    if kind in ("rescheduled", "cancelled"):
        items.append(due.item(REFRESH, now, chat_id=user,
                              payload={"skip": [shown_in] if shown_in else []}))
    moved_by_staff = kind == "rescheduled" and data.get("by") == "staff"
    if moved_by_staff:  # after the refresh: the news is not turned into a card at once
        items.append(due.item(CITIZEN_MOVED, now, chat_id=user))
    if kind == "confirmed":  # the reminders now say so, and no longer ask for it
        items.append(due.item(REFRESH, now, chat_id=user,
                              payload={"kinds": ["reminder"], "note": False,
                                       "as_sent": True}))
    if kind == "cancelled" or moved_by_staff or (kind in ("booked", "rescheduled")
                                                   and shown_in):
        method = "CANCEL" if kind == "cancelled" else "REQUEST"
        items.append(due.item(INVITATION, now, chat_id=user, payload={"method": method}))
    if kind in REPLANNED:
        items.append(due.item(PLAN, now, payload={"change": kind, "at": now.isoformat()}))
    await outbox.add_all(conn, items)


async def _today_to_edit(conn: AsyncConnection, booking: Booking, data: dict[str, Any],
                         now: datetime, chat: int) -> bool:
    """Whether the change may show in the chat's agenda message of today: the booking is,
    or was until now, near today; the chat has such a message; no edit of it waits yet
    (one edit shows several changes, and the group's limits are spent on notices)."""
    starts = [booking.start]
    if before := data.get("from", {}).get("start"):
        starts.append(datetime.fromisoformat(before))
    if not any(abs(start - now) < TODAY_REACH for start in starts):
        return False
    if not await agendas.any_since(conn, chat, (now - TODAY_REACH).date()):
        return False
    return not await outbox.pending_in_chat(conn, TODAY, chat)


async def replan(conn: AsyncConnection, booking: Booking, change: str, changed_at: datetime,
                 settings: Settings, now: datetime) -> None:
    """Drop what was pending for the booking and plan what its new state calls for.

    Reminders are planned from the moment of the change, not of planning: if the bot was
    down in between, one that fell due meanwhile is still sent if it is still useful.
    """
    user = booking.user_id
    if change == "completed":  # what was before the end is moot; feedback, once
        await outbox.drop_pending(conn, booking.id, (REMINDER, LINK))
        if not await outbox.exists(conn, booking.id, FEEDBACK):
            await outbox.add(conn, FEEDBACK, now, now, booking_id=booking.id, chat_id=user)
        return
    await outbox.drop_pending(conn, booking.id, TIMED)
    if booking.status is Status.BOOKED:
        for minutes in settings.REMINDER_OFFSETS:
            due = booking.start - timedelta(minutes=minutes)
            if due > changed_at:  # none right after booking: the confirmation is one
                await outbox.add(conn, REMINDER, due, now, booking_id=booking.id,
                                 chat_id=user, payload={"minutes": minutes})
        if booking.channel is Channel.VIDEO:
            due = booking.start - timedelta(minutes=settings.LINK_BEFORE_MINUTES)
            await outbox.add(conn, LINK, max(due, now), now, booking_id=booking.id,
                             chat_id=user)
        due = booking.end + timedelta(minutes=settings.FEEDBACK_AFTER_MINUTES)
        await outbox.add(conn, FEEDBACK, max(due, now), now, booking_id=booking.id,
                         chat_id=user)
    if settings.SMTP_HOST and change in EMAILED_CHANGES:
        await outbox.add(conn, EMAIL, now, now, booking_id=booking.id,
                         payload={"change": change, "to": "citizen"})
        if booking.details.third_party_email and booking.channel is Channel.VIDEO:
            await outbox.add(conn, EMAIL, now, now, booking_id=booking.id,
                             payload={"change": change, "to": "third"})


async def ask_today(conn: AsyncConnection, chat_id: int, group_id: str, now: datetime,
                    zone: ZoneInfo) -> None:
    """/today: the day's agenda posted now, even if empty; the message changes then edit."""
    today = now.astimezone(zone).date()
    await outbox.add(conn, DIGEST, now, now, chat_id=chat_id,
                     payload={"day": today.isoformat(), "group": group_id, "asked": True})


async def plan_digests(services: Services, now: datetime) -> None:
    """Make sure each staff chat has today's digest planned, at DIGEST_TIME."""
    zone = services.settings.zone
    today = now.astimezone(zone).date()
    start, end = midnight(today, zone), midnight(today + timedelta(days=1), zone)
    due = datetime.combine(today, services.settings.DIGEST_TIME, tzinfo=zone)
    chats = {g.staff_chat_id: g.id for m in services.catalog.municipalities for g in m.groups
             if g.staff_chat_id}
    async with services.db.write() as conn:
        await agendas.purge(conn, today - timedelta(days=1))
        planned = await outbox.chats_with(conn, DIGEST, start, end)
        missing = {chat: group for chat, group in chats.items() if chat not in planned}
        for chat, group_id in missing.items():
            await outbox.add(conn, DIGEST, due, now, chat_id=chat,
                             payload={"day": today.isoformat(), "group": group_id})

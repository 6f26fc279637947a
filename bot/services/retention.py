"""Personal data is kept only as long as it is needed: RETENTION_DAYS after the appointment,
or until the citizen asks to be forgotten."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services import planning
from storage import bookings, chats, messages, outbox, waitlist

DRAFT_DAYS = 30  # a booking left half way is forgotten after this long
RETENTION, REQUEST = "retention", "request"  # why a booking's data was erased


async def erase_old(conn: AsyncConnection, now: datetime, days: int) -> int:
    """Erase the personal data of bookings that ended more than `days` ago (what statistics
    need stays), and the waitlist places done with as long ago or whose last day passed.
    Returns how many bookings were erased."""
    ids = await bookings.ended_before(conn, now - timedelta(days=days))
    await erase(conn, ids, now, RETENTION)
    await waitlist.purge(conn, now - timedelta(days=days), now.date())
    return len(ids)


async def erase(conn: AsyncConnection, ids: Sequence[int], now: datetime, why: str) -> None:
    """Erase everything personal about these bookings: their rows, history and feedback
    comments; what the outbox sent or was to send about them, payloads and errors. Each
    Telegram message that showed one is edited to a line with its reference, and the
    database's files are then rid of the old values."""
    if not ids:
        return
    shown = await messages.messages_of_bookings(conn, ids)
    await bookings.erase_personal_data(conn, ids, now)
    await outbox.forget_bookings(conn, ids)
    await outbox.add_all(conn, [
        outbox.Due(booking_id, now).item(planning.REDACT, now, chat_id=chat_id, payload={
            "message_id": message_id, "staff": kind == "staff", "why": why})
        for booking_id, chat_id, message_id, kind in shown
    ] + [outbox.Due(None, now).item(planning.WIPE, now)])


async def forget_abandoned_drafts(conn: AsyncConnection, now: datetime) -> int:
    """Forget bookings in progress (name, email, phone…) left more than DRAFT_DAYS ago."""
    stale = await chats.drafts_left_before(conn, now - timedelta(days=DRAFT_DAYS))
    await chats.forget(conn, stale)
    return len(stale)

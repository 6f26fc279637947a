"""What must follow a change of a booking, written in the change's own transaction.

Rows in the outbox say what is due and when; `bot.dispatch` sends them. Writing them with
the change means a crash can lose neither the change nor what it owes to others.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.catalog import ResolvedService
from bot.domain import Booking
from storage import outbox

STAFF_NOTICE = "staff_notice"  # post or update the booking's notice in the staff chat
CITIZEN_CANCELLED = "citizen_cancelled"  # tell the citizen the municipality cancelled


async def plan(conn: AsyncConnection, booking: Booking, service: ResolvedService | None,
               kind: str, data: dict[str, Any], now: datetime) -> None:
    staff_chat = service.group.staff_chat_id if service else None
    if staff_chat:
        await outbox.add(conn, STAFF_NOTICE, now, now, booking_id=booking.id,
                         chat_id=staff_chat)
    if kind == "cancelled" and data.get("by") != "citizen":
        await outbox.add(conn, CITIZEN_CANCELLED, now, now, booking_id=booking.id,
                         chat_id=booking.user_id)

"""What is due to be sent, and what has been."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import outbox

PENDING, SENT, DROPPED, FAILED = "pending", "sent", "dropped", "failed"


class Item(NamedTuple):
    id: int
    booking_id: int | None
    kind: str
    chat_id: int | None
    due_at: datetime
    attempts: int
    payload: dict[str, Any]


async def add(conn: AsyncConnection, kind: str, due_at: datetime, now: datetime, *,
              booking_id: int | None = None, chat_id: int | None = None,
              payload: dict[str, Any] | None = None) -> None:
    await conn.execute(insert(outbox).values(
        booking_id=booking_id, kind=kind, chat_id=chat_id, due_at=due_at, status=PENDING,
        attempts=0, last_error="", payload=payload or {}, created_at=now,
    ))


async def drop_pending(conn: AsyncConnection, booking_id: int, kinds: tuple[str, ...]) -> None:
    """Forget what was still to be sent about a booking (it moved or was cancelled)."""
    await conn.execute(delete(outbox).where(
        outbox.c.booking_id == booking_id, outbox.c.status == PENDING, outbox.c.kind.in_(kinds)
    ))


async def due(conn: AsyncConnection, now: datetime, limit: int,
              exclude_chats: set[int] | None = None) -> list[Item]:
    query = select(outbox).where(outbox.c.status == PENDING, outbox.c.due_at <= now)
    if exclude_chats:
        query = query.where(outbox.c.chat_id.is_(None) | outbox.c.chat_id.not_in(exclude_chats))
    rows = await conn.execute(query.order_by(outbox.c.due_at, outbox.c.id).limit(limit))
    return [Item(r.id, r.booking_id, r.kind, r.chat_id, r.due_at, r.attempts, r.payload)
            for r in rows]


async def sent_since(conn: AsyncConnection, chat_id: int, since: datetime) -> int:
    query = select(func.count()).where(
        outbox.c.chat_id == chat_id, outbox.c.status == SENT, outbox.c.sent_at > since
    )
    return int((await conn.execute(query)).scalar_one())


async def finish(conn: AsyncConnection, item_id: int, status: str, now: datetime,
                 error: str = "") -> None:
    await conn.execute(update(outbox).where(outbox.c.id == item_id).values(
        status=status, sent_at=now if status == SENT else None, last_error=error[:500],
        attempts=outbox.c.attempts + 1,
    ))


async def postpone(conn: AsyncConnection, item_id: int, until: datetime, error: str,
                   count_attempt: bool = True) -> None:
    await conn.execute(update(outbox).where(outbox.c.id == item_id).values(
        due_at=until, last_error=error[:500],
        attempts=outbox.c.attempts + (1 if count_attempt else 0),
    ))


async def finish_like(conn: AsyncConnection, booking_id: int, kind: str, now: datetime) -> None:
    """Mark every other pending item of this kind for the booking as sent: one send showed
    the booking as it now stands, so the older requests are served too."""
    await conn.execute(update(outbox).where(
        outbox.c.booking_id == booking_id, outbox.c.kind == kind, outbox.c.status == PENDING,
    ).values(status=SENT, sent_at=now))


async def items_of(conn: AsyncConnection, booking_id: int | None = None) -> list[dict[str, Any]]:
    query = select(outbox).order_by(outbox.c.id)
    if booking_id is not None:
        query = query.where(outbox.c.booking_id == booking_id)
    return [dict(r._mapping) for r in await conn.execute(query)]


def window(now: datetime, seconds: int = 60) -> datetime:
    return now - timedelta(seconds=seconds)


async def chats_with(conn: AsyncConnection, kind: str, start: datetime,
                     end: datetime) -> set[int]:
    """The chats that have an item of this kind due in [start, end) (today's digest)."""
    rows = await conn.execute(select(outbox.c.chat_id).distinct().where(
        outbox.c.kind == kind, outbox.c.due_at >= start, outbox.c.due_at < end))
    return {row.chat_id for row in rows}


async def exists(conn: AsyncConnection, booking_id: int, kind: str) -> bool:
    """Whether the booking has an item of this kind, sent or pending."""
    query = select(func.count()).where(
        outbox.c.booking_id == booking_id, outbox.c.kind == kind,
        outbox.c.status.in_((PENDING, SENT)),
    )
    return bool((await conn.execute(query)).scalar_one())


async def later_due(conn: AsyncConnection, item: Item, now: datetime) -> bool:
    """Whether another pending item of the same kind for the booking is due later than this
    one and already due: the older one is superseded (two reminders late: send the last)."""
    query = select(func.count()).where(
        outbox.c.booking_id == item.booking_id, outbox.c.kind == item.kind,
        outbox.c.status == PENDING, outbox.c.due_at > item.due_at, outbox.c.due_at <= now,
    )
    return bool((await conn.execute(query)).scalar_one())


async def superseded(conn: AsyncConnection, item: Item) -> bool:
    """Whether a newer pending item of the same kind, booking and recipient follows this
    one: the booking changed again before this one went out."""
    rows = await conn.execute(select(outbox.c.payload).where(
        outbox.c.booking_id == item.booking_id, outbox.c.kind == item.kind,
        outbox.c.status == PENDING, outbox.c.id > item.id,
    ))
    return any(row.payload.get("to") == item.payload.get("to") for row in rows)

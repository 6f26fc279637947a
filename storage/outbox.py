"""What is due to be sent, and what has been; senders' claims on it; chats to wait for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import locks
from storage.schema import chat_throttles, outbox

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
    await add_all(conn, [Due(booking_id, now).item(kind, due_at, chat_id=chat_id,
                                                   payload=payload)])


@dataclass(frozen=True)
class Due:
    """Items about one booking (or none), made now: a change's several go in one insert."""

    booking_id: int | None
    now: datetime

    def item(self, kind: str, due_at: datetime, *, chat_id: int | None = None,
             payload: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"booking_id": self.booking_id, "kind": kind, "chat_id": chat_id,
                "due_at": due_at, "status": PENDING, "attempts": 0, "last_error": "",
                "payload": payload or {}, "created_at": self.now}


async def add_all(conn: AsyncConnection, items: list[dict[str, Any]]) -> None:
    if items:
        await conn.execute(insert(outbox), items)


async def drop_pending(conn: AsyncConnection, booking_id: int, kinds: tuple[str, ...]) -> None:
    """Forget what was still to be sent about a booking (it moved or was cancelled)."""
    await conn.execute(delete(outbox).where(
        outbox.c.booking_id == booking_id, outbox.c.status == PENDING, outbox.c.kind.in_(kinds)
    ))


async def forget_bookings(conn: AsyncConnection, booking_ids: Sequence[int]) -> None:
    """Forget everything sent or to be sent about these bookings (their data is erased):
    payloads, errors and all."""
    if booking_ids:
        await conn.execute(delete(outbox).where(outbox.c.booking_id.in_(list(booking_ids))))


def _item(r: Any) -> Item:
    return Item(r.id, r.booking_id, r.kind, r.chat_id, r.due_at, r.attempts, r.payload)


def _due_now(now: datetime) -> Any:
    """Pending, due, and claimed by nobody (or by a sender whose lease ran out)."""
    return (outbox.c.status == PENDING) & (outbox.c.due_at <= now) & (
        outbox.c.claimed_until.is_(None) | (outbox.c.claimed_until <= now))


async def due(conn: AsyncConnection, now: datetime, limit: int) -> list[Item]:
    """Pending items due now and claimed by nobody, oldest first."""
    query = select(outbox).where(_due_now(now)).order_by(outbox.c.due_at, outbox.c.id)
    return [_item(r) for r in await conn.execute(query.limit(limit))]


async def _next_per_chat(conn: AsyncConnection, now: datetime, held: set[int],
                         limit: int) -> list[Item]:
    """Of each chat not held, its oldest due item; every due item that goes to no chat.
    Oldest first: one chat's backlog never hides the others' items."""
    ranked = select(outbox.c.id, func.row_number().over(
        partition_by=outbox.c.chat_id, order_by=(outbox.c.due_at, outbox.c.id)).label("n"),
    ).where(_due_now(now), outbox.c.chat_id.is_(None) | outbox.c.chat_id.not_in(held)
            ).subquery()
    query = select(outbox).join(ranked, ranked.c.id == outbox.c.id).where(
        outbox.c.chat_id.is_(None) | (ranked.c.n == 1),
    ).order_by(outbox.c.due_at, outbox.c.id).limit(limit)
    return [_item(r) for r in await conn.execute(query)]


@dataclass(frozen=True)
class Limits:
    """How fast the senders of all instances together may send."""

    pace: int  # messages a second, in all
    group: int  # messages a minute to one group chat
    spacing: timedelta  # between two messages to one chat
    lease: timedelta  # how long a claim holds


async def claim(conn: AsyncConnection, now: datetime, limits: Limits, claimer: str,
                most: int) -> list[Item]:
    """Claim what may be sent now, within the limits, at most one item per chat (a chat's
    items go one after another, in order). Items that go to no chat (planning, email) are
    not paced. Run in a write transaction; claims are taken one instance at a time (an
    advisory lock on PostgreSQL, the one writer on SQLite), so the limits hold for all of
    them together and no row lock is needed."""
    await locks.exclusive(conn, "outbox-claim")
    second = now - timedelta(seconds=1)
    budget = limits.pace - int((await conn.execute(select(func.count()).where(
        outbox.c.claimed_at > second, outbox.c.chat_id.is_not(None)))).scalar_one())
    held = await _held_chats(conn, now, limits)
    group_left = await _groups_sent(conn, now, limits)
    picked: list[Item] = []
    limit = max(most, 1) * 4
    candidates = await due(conn, now, limit)
    budget = _pick(candidates, picked, most, budget, held, group_left, limits)
    if budget > 0 and len(picked) < most and len(candidates) == limit:
        # room left, and more due than looked at: a chat's backlog may hide the others
        taken = {item.id for item in picked}
        others = [i for i in await _next_per_chat(conn, now, held, limit) if i.id not in taken]
        _pick(others, picked, most, budget, held, group_left, limits)
    if picked:
        await conn.execute(update(outbox).where(outbox.c.id.in_([i.id for i in picked])).values(
            claimed_at=now, claimed_until=now + limits.lease, claimed_by=claimer))
    return picked


def _pick(candidates: list[Item], picked: list[Item], most: int, budget: int,
          held: set[int], group_left: dict[int, int], limits: Limits) -> int:
    """Add to `picked` what of `candidates` the limits allow (`held`, `group_left` kept);
    returns the budget left."""
    for item in candidates:
        if len(picked) >= most:
            break
        chat = item.chat_id
        if chat is not None:
            if budget <= 0 or chat in held:
                continue
            if chat < 0:
                if group_left.get(chat, limits.group) <= 0:
                    continue
                group_left[chat] = group_left.get(chat, limits.group) - 1
            budget -= 1
            held.add(chat)
        picked.append(item)
    return budget


async def _held_chats(conn: AsyncConnection, now: datetime, limits: Limits) -> set[int]:
    """Chats not to send to now: one of their items is being sent, was sent less than the
    spacing ago, or Telegram asked us to wait."""
    busy = select(outbox.c.chat_id).where(
        outbox.c.chat_id.is_not(None),
        (outbox.c.claimed_at > now - limits.spacing)
        | ((outbox.c.status == PENDING) & (outbox.c.claimed_until > now)))
    waiting = select(chat_throttles.c.chat_id).where(chat_throttles.c.until > now)
    rows = await conn.execute(busy.union(waiting))
    return {row[0] for row in rows}


async def _groups_sent(conn: AsyncConnection, now: datetime, limits: Limits) -> dict[int, int]:
    """How many more messages each group chat that had any this minute may get."""
    rows = await conn.execute(select(outbox.c.chat_id, func.count()).where(
        outbox.c.chat_id < 0, outbox.c.claimed_at > now - timedelta(minutes=1),
    ).group_by(outbox.c.chat_id))
    return {row[0]: limits.group - int(row[1]) for row in rows}


async def release(conn: AsyncConnection, claimer: str) -> None:
    """Give back the claims of a sender that stopped (or of this process, at start)."""
    await conn.execute(update(outbox).where(
        outbox.c.claimed_by == claimer, outbox.c.status == PENDING).values(claimed_until=None))


async def throttle(conn: AsyncConnection, chat_id: int, until: datetime) -> None:
    """Telegram asked us to wait before writing to this chat again."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(chat_throttles).values(chat_id=chat_id, until=until)
    await conn.execute(statement.on_conflict_do_update(
        index_elements=[chat_throttles.c.chat_id], set_={"until": until}))


async def finish(conn: AsyncConnection, item_id: int, status: str, now: datetime,
                 error: str = "") -> None:
    await conn.execute(update(outbox).where(outbox.c.id == item_id).values(
        status=status, sent_at=now if status == SENT else None, last_error=error[:500],
        attempts=outbox.c.attempts + 1, claimed_until=None,
    ))


async def postpone(conn: AsyncConnection, item_id: int, until: datetime, error: str,
                   count_attempt: bool = True) -> None:
    await conn.execute(update(outbox).where(outbox.c.id == item_id).values(
        due_at=until, last_error=error[:500], claimed_until=None,
        attempts=outbox.c.attempts + (1 if count_attempt else 0),
    ))


async def newest_pending(conn: AsyncConnection, booking_id: int, kind: str) -> int:
    """The id of the newest pending item of this kind for the booking (0 if none)."""
    query = select(func.max(outbox.c.id)).where(
        outbox.c.booking_id == booking_id, outbox.c.kind == kind, outbox.c.status == PENDING)
    return int((await conn.execute(query)).scalar_one() or 0)


async def finish_like(conn: AsyncConnection, booking_id: int, kind: str, now: datetime,
                      up_to: int) -> None:
    """Mark the other pending items of this kind for the booking, up to `up_to`, as sent:
    one send showed the booking as it stood when they were made. An item made by a change
    committed while that send was on its way is newer, and stays to be sent."""
    await conn.execute(update(outbox).where(
        outbox.c.booking_id == booking_id, outbox.c.kind == kind, outbox.c.status == PENDING,
        outbox.c.id <= up_to,
    ).values(status=SENT, sent_at=now, claimed_until=None))


async def finish_kind(conn: AsyncConnection, booking_id: int, kind: str,
                      now: datetime) -> None:
    """The pending items of this kind for the booking are served (the handler did it)."""
    await conn.execute(update(outbox).where(
        outbox.c.booking_id == booking_id, outbox.c.kind == kind, outbox.c.status == PENDING,
    ).values(status=SENT, sent_at=now, claimed_until=None))


async def purge(conn: AsyncConnection, before: datetime) -> int:
    """Forget items sent, dropped or failed before then: the table stays small."""
    result = await conn.execute(delete(outbox).where(
        outbox.c.status != PENDING, outbox.c.created_at < before))
    await conn.execute(delete(chat_throttles).where(chat_throttles.c.until < before))
    return int(result.rowcount)


async def items_of(conn: AsyncConnection, booking_id: int | None = None) -> list[dict[str, Any]]:
    query = select(outbox).order_by(outbox.c.id)
    if booking_id is not None:
        query = query.where(outbox.c.booking_id == booking_id)
    return [dict(r._mapping) for r in await conn.execute(query)]


async def chats_with(conn: AsyncConnection, kind: str, start: datetime,
                     end: datetime) -> set[int]:
    """The chats that have an item of this kind due in [start, end) (today's digest)."""
    rows = await conn.execute(select(outbox.c.chat_id).distinct().where(
        outbox.c.kind == kind, outbox.c.due_at >= start, outbox.c.due_at < end))
    return {row.chat_id for row in rows}


async def pending_in_chat(conn: AsyncConnection, kind: str, chat_id: int) -> bool:
    """Whether an item of this kind waits for the chat, not yet taken by a sender: it
    will show this change too (one will do for several changes)."""
    query = select(func.count()).where(outbox.c.kind == kind, outbox.c.chat_id == chat_id,
                                       outbox.c.status == PENDING,
                                       outbox.c.claimed_by.is_(None))
    return bool((await conn.execute(query)).scalar_one())


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

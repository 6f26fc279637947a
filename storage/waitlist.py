"""The waitlist of each service and the offers of freed seats, with their holds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import holds, offers, users, waitlist

WAITING, BOOKED, LEFT = "waiting", "booked", "left"
OPEN, TAKEN, DECLINED, EXPIRED, WITHDRAWN = "open", "taken", "declined", "expired", "withdrawn"


async def waiting_entry(conn: AsyncConnection, user_id: int,
                        service_id: str) -> dict[str, Any] | None:
    row = (await conn.execute(select(waitlist).where(
        waitlist.c.user_id == user_id, waitlist.c.service_id == service_id,
        waitlist.c.status == WAITING))).first()
    return dict(row._mapping) if row else None


async def add_entry(conn: AsyncConnection, user_id: int, service_id: str, channel: str,
                    day: date | None, part: str, until: date | None, locale: str,
                    now: datetime) -> int:
    result = await conn.execute(insert(waitlist), {
        "user_id": user_id, "service_id": service_id, "channel": channel, "day": day,
        "part": part, "until": until, "status": WAITING, "locale": locale,
        "created_at": now, "updated_at": now})
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the database returned no id for the waitlist entry")
    return int(key[0])


async def entry(conn: AsyncConnection, entry_id: int) -> dict[str, Any] | None:
    row = (await conn.execute(select(waitlist).where(waitlist.c.id == entry_id))).first()
    return dict(row._mapping) if row else None


async def remove_entries(conn: AsyncConnection, user_id: int) -> None:
    """Erasure: every place of the citizen, with its offers and their holds."""
    await conn.execute(delete(waitlist).where(waitlist.c.user_id == user_id))


async def entries_of(conn: AsyncConnection, user_id: int) -> list[dict[str, Any]]:
    rows = await conn.execute(select(waitlist).where(
        waitlist.c.user_id == user_id, waitlist.c.status == WAITING,
    ).order_by(waitlist.c.created_at, waitlist.c.id))
    return [dict(row._mapping) for row in rows]


async def set_entry(conn: AsyncConnection, entry_id: int, status: str, now: datetime) -> None:
    await conn.execute(update(waitlist).where(waitlist.c.id == entry_id)
                       .values(status=status, updated_at=now))


async def mark_told_limit(conn: AsyncConnection, entry_id: int, now: datetime) -> bool:
    """Note that the citizen was told a seat went past them at their limit of bookings;
    False if they had been told before (once per place, whoever asks first)."""
    result = await conn.execute(update(waitlist).where(
        waitlist.c.id == entry_id, waitlist.c.told_limit_at.is_(None)).values(told_limit_at=now))
    return bool(result.rowcount)


async def anyone_waits(conn: AsyncConnection, service_ids: Sequence[str]) -> bool:
    """Whether anybody waits for any of these services (most freed seats: nobody)."""
    row = (await conn.execute(select(waitlist.c.id).where(
        waitlist.c.service_id.in_(list(service_ids)), waitlist.c.status == WAITING,
    ).limit(1))).first()
    return row is not None


async def in_line(conn: AsyncConnection, service_id: str, start: datetime, end: datetime,
                  but: int | None = None) -> list[dict[str, Any]]:
    """Who waits for the service but the citizen `but`, first come first: without an open
    offer, never offered this time, or one overlapping it, before (declined or let expire:
    the next in line has it), and not unreachable (an offer could not be told them: their
    place keeps its turn for when they write to the bot again)."""
    open_offer = exists().where(offers.c.entry_id == waitlist.c.id, offers.c.status == OPEN)
    offered_this = exists().where(offers.c.entry_id == waitlist.c.id,
                                  offers.c.start_at < end, offers.c.end_at > start)
    unreachable = exists().where(users.c.id == waitlist.c.user_id,
                                 users.c.unreachable_at.is_not(None))
    query = select(waitlist).where(
        waitlist.c.service_id == service_id, waitlist.c.status == WAITING,
        ~open_offer, ~offered_this, ~unreachable,
    ).order_by(waitlist.c.created_at, waitlist.c.id)
    if but is not None:
        query = query.where(waitlist.c.user_id != but)
    rows = await conn.execute(query)
    return [dict(row._mapping) for row in rows]


async def add_offer(conn: AsyncConnection, entry_id: int, service_id: str, desk: str,
                    seat: int, start: datetime, end: datetime, expires_at: datetime,
                    cells: Sequence[datetime], now: datetime) -> int:
    """The offer and its hold of the seat: the holds' key refuses a seat taken meanwhile
    (IntegrityError), as it refuses a second booking of it."""
    result = await conn.execute(insert(offers), {
        "entry_id": entry_id, "service_id": service_id, "desk": desk, "seat": seat,
        "start_at": start, "end_at": end, "expires_at": expires_at, "status": OPEN,
        "created_at": now})
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the database returned no id for the offer")
    offer_id = int(key[0])
    await conn.execute(insert(holds), [
        {"desk": desk, "cell": c, "seat": seat, "offer_id": offer_id} for c in cells])
    return offer_id


async def open_offers_of(conn: AsyncConnection, user_id: int,
                         entry_id: int | None = None) -> list[dict[str, Any]]:
    """The citizen's open offers (of one of their places, with `entry_id`)."""
    query = select(offers).join(waitlist, waitlist.c.id == offers.c.entry_id).where(
        waitlist.c.user_id == user_id, offers.c.status == OPEN)
    if entry_id is not None:
        query = query.where(offers.c.entry_id == entry_id)
    return [dict(row._mapping) for row in await conn.execute(query)]


async def open_offers_between(conn: AsyncConnection, service_ids: Sequence[str],
                              start: datetime, end: datetime) -> list[int]:
    """The open offers of these services' times in [start, end)."""
    rows = await conn.execute(select(offers.c.id).where(
        offers.c.service_id.in_(list(service_ids)), offers.c.status == OPEN,
        offers.c.start_at >= start, offers.c.start_at < end))
    return [int(row.id) for row in rows]


async def offer(conn: AsyncConnection, offer_id: int) -> dict[str, Any] | None:
    """The offer with its entry's user, channel and locale."""
    row = (await conn.execute(
        select(offers, waitlist.c.user_id, waitlist.c.channel, waitlist.c.locale)
        .join(waitlist, waitlist.c.id == offers.c.entry_id)
        .where(offers.c.id == offer_id))).first()
    return dict(row._mapping) if row else None


async def end_offer(conn: AsyncConnection, offer_id: int, status: str, now: datetime,
                    booking_id: int | None = None) -> bool:
    """End an open offer and free its seat; False if it was no longer open."""
    result = await conn.execute(update(offers).where(
        offers.c.id == offer_id, offers.c.status == OPEN,
    ).values(status=status, ended_at=now, booking_id=booking_id))
    await conn.execute(delete(holds).where(holds.c.offer_id == offer_id))
    return bool(result.rowcount)


async def took_offer(conn: AsyncConnection, offer_id: int, booking_id: int,
                     now: datetime) -> None:
    """The offer became this booking; its citizen waits no more."""
    await conn.execute(update(offers).where(offers.c.id == offer_id)
                       .values(booking_id=booking_id))
    await conn.execute(update(waitlist).where(
        waitlist.c.id == select(offers.c.entry_id).where(offers.c.id == offer_id)
        .scalar_subquery()).values(status=BOOKED, updated_at=now))


async def offer_shown(conn: AsyncConnection, offer_id: int, message_id: int) -> None:
    await conn.execute(update(offers).where(offers.c.id == offer_id)
                       .values(message_id=message_id))


async def own_open_offer(conn: AsyncConnection, user_id: int, service_id: str,
                         start: datetime, now: datetime) -> int | None:
    """The citizen's open offer of this time, which their own booking of it may take while
    it is held for them (run out, it is the next in line's, even before its expiry runs)."""
    row = (await conn.execute(
        select(offers.c.id).join(waitlist, waitlist.c.id == offers.c.entry_id).where(
            waitlist.c.user_id == user_id, offers.c.service_id == service_id,
            offers.c.start_at == start, offers.c.status == OPEN,
            offers.c.expires_at > now))).first()
    return int(row.id) if row else None


async def open_offers_of_desk(conn: AsyncConnection, desk: str, start: datetime,
                              end: datetime) -> list[tuple[int, int, int]]:
    """(start, end, seats) that open offers hold of the desk in [start, end): as
    `bookings.seats_taken` gives them, so that the calendar shows held seats taken."""
    rows = await conn.execute(select(offers.c.start_at, offers.c.end_at, offers.c.seat).where(
        offers.c.desk == desk, offers.c.status == OPEN, offers.c.start_at < end,
        offers.c.end_at > start))
    return [(int(r.start_at.timestamp()), int(r.end_at.timestamp()), 1 << r.seat)
            for r in rows]


async def lengths(conn: AsyncConnection, service_ids: Sequence[str]) -> dict[str, int]:
    """How many wait for each service."""
    rows = await conn.execute(select(waitlist.c.service_id, func.count()).where(
        waitlist.c.service_id.in_(list(service_ids)), waitlist.c.status == WAITING,
    ).group_by(waitlist.c.service_id))
    return {row[0]: int(row[1]) for row in rows}


async def offer_counts(conn: AsyncConnection, service_ids: Sequence[str], start: datetime,
                       end: datetime) -> dict[str, int]:
    """Offers ended in [start, end) by how they ended (taken, declined, expired)."""
    rows = await conn.execute(select(offers.c.status, func.count()).where(and_(
        offers.c.service_id.in_(list(service_ids)), offers.c.ended_at >= start,
        offers.c.ended_at < end)).group_by(offers.c.status))
    return {row[0]: int(row[1]) for row in rows}


async def purge(conn: AsyncConnection, before: datetime, today: date) -> None:
    """Retention: entries done with before the cutoff, and waits whose last day passed."""
    await conn.execute(delete(waitlist).where(
        waitlist.c.status != WAITING, waitlist.c.updated_at < before))
    await conn.execute(delete(waitlist).where(
        waitlist.c.status == WAITING, (waitlist.c.until < today) | (waitlist.c.day < today)))

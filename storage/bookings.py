"""Bookings, their desk holds and their history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, and_, bindparam, delete, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.model import Booking, Channel, Details, Status
from storage.schema import (
    booking_events,
    bookings,
    confirmed_drafts,
    feedback,
    holds,
)

# Built once, values given when run: building a statement costs more than running it.
_INSERT_BOOKING = insert(bookings)
_SEATS_IN = select(holds.c.seat).where(
    holds.c.desk == bindparam("desk"), holds.c.cell.in_(bindparam("cells", expanding=True)),
).distinct()
_BY_ID = select(bookings).where(bookings.c.id == bindparam("id"))
_BY_REFERENCE = select(bookings).where(bookings.c.reference == bindparam("reference"))
# To change it: on PostgreSQL the row is locked, and read as the last commit left it.
_TO_CHANGE = _BY_REFERENCE.with_for_update()
_OF_DRAFT = select(bookings).join(
    confirmed_drafts, confirmed_drafts.c.booking_id == bookings.c.id,
).where(confirmed_drafts.c.draft_id == bindparam("draft"))


async def insert_booking(conn: AsyncConnection, values: dict[str, Any], reference: str) -> int:
    """Insert a booking row; returns its id. A reference already taken (or any other
    constraint) raises IntegrityError: the caller's savepoint tries again."""
    result = await conn.execute(_INSERT_BOOKING, {**values, "reference": reference})
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the database returned no id for the new booking")
    return int(key[0])


async def free_seat(conn: AsyncConnection, desk: str, cells: Sequence[datetime],
                    capacity: int) -> int | None:
    """The lowest seat of `desk` that no booking holds in any of the cells, or None."""
    taken_rows = await conn.execute(_SEATS_IN, {"desk": desk, "cells": list(cells)})
    taken = {row.seat for row in taken_rows}
    return next((seat for seat in range(capacity) if seat not in taken), None)


async def hold_seat(conn: AsyncConnection, booking_id: int, desk: str,
                    cells: Sequence[datetime], seat: int) -> None:
    """Hold the seat for every cell. The primary key of `holds` refuses a (desk, cell,
    seat) taken meanwhile by a concurrent booking (IntegrityError): whatever the code
    does, two bookings never share a desk."""
    await conn.execute(insert(holds), [
        {"desk": desk, "cell": c, "seat": seat, "booking_id": booking_id} for c in cells])


# (start, end) in Unix seconds and the seats taken then, one bit each: bookings of one
# desk with the same times never share a seat, so their sum is the union of their bits.
_SEATS_TAKEN = select(
    func.extract("epoch", bookings.c.start_at), func.extract("epoch", bookings.c.end_at),
    func.sum(literal(1, BigInteger).op("<<")(bookings.c.seat)),
).where(
    bookings.c.desk == bindparam("desk"), bookings.c.start_at >= bindparam("from"),
    bookings.c.start_at < bindparam("end"), bookings.c.end_at > bindparam("start"),
    bookings.c.status != Status.CANCELLED.value, bookings.c.id != bindparam("ignore"),
).group_by(bookings.c.start_at, bookings.c.end_at)


async def seats_taken(
    conn: AsyncConnection, desk: str, start: datetime, end: datetime, longest: timedelta,
    ignore: int | None = None,
) -> list[tuple[int, int, int]]:
    """(start, end, seats) of what bookings hold of `desk` during [start, end): times in
    Unix seconds, seats a bit each; none of the bookings longer than `longest`; `ignore`
    leaves out one booking (being moved). One range of the desk's covering index, grouped
    by time in the database: the cost is the span asked for, not the table."""
    rows = await conn.execute(_SEATS_TAKEN, {"desk": desk, "from": start - longest,
                                             "end": end, "start": start,
                                             "ignore": ignore if ignore is not None else -1})
    return [(int(begins), int(ends), int(seats)) for begins, ends, seats in rows]


async def release_holds(conn: AsyncConnection, booking_id: int) -> None:
    await conn.execute(delete(holds).where(holds.c.booking_id == booking_id))


async def update_booking(conn: AsyncConnection, booking_id: int, **values: Any) -> None:
    await conn.execute(update(bookings).where(bookings.c.id == booking_id).values(**values))


_ACTIVE = (bookings.c.user_id == bindparam("user"),
           bookings.c.status == Status.BOOKED.value, bookings.c.end_at > bindparam("now"))
_COUNT_ACTIVE = select(
    func.count().filter(bookings.c.service_id == bindparam("service")),
    func.count().filter(bookings.c.municipality_id == bindparam("municipality")),
).where(*_ACTIVE)


async def count_active(conn: AsyncConnection, user_id: int, now: datetime, service_id: str,
                       municipality_id: str) -> tuple[int, int]:
    """Upcoming bookings of a citizen in one service, and in its municipality."""
    row = (await conn.execute(_COUNT_ACTIVE, {"user": user_id, "now": now,
                                              "service": service_id,
                                              "municipality": municipality_id})).one()
    return int(row[0]), int(row[1])


async def add_event(
    conn: AsyncConnection,
    booking_id: int,
    at: datetime,
    kind: str,
    actor: int | None,
    data: dict[str, Any],
) -> None:
    await conn.execute(insert(booking_events), {"booking_id": booking_id, "at": at,
                                                "kind": kind, "actor": actor, "data": data})


async def get_booking(conn: AsyncConnection, booking_id: int) -> Booking | None:
    row = (await conn.execute(_BY_ID, {"id": booking_id})).first()
    return _booking(row._mapping) if row else None


async def get_booking_by_reference(conn: AsyncConnection, reference: str) -> Booking | None:
    row = (await conn.execute(_BY_REFERENCE, {"reference": reference})).first()
    return _booking(row._mapping) if row else None


async def booking_to_change(conn: AsyncConnection, reference: str) -> Booking | None:
    """The booking, locked until the transaction ends (PostgreSQL; SQLite's one writer
    already excludes every other change): two changes of it never both see it unchanged."""
    row = (await conn.execute(_TO_CHANGE, {"reference": reference})).first()
    return _booking(row._mapping) if row else None


async def bookings_of_user(
    conn: AsyncConnection, user_id: int, since: datetime | None = None
) -> list[Booking]:
    query = select(bookings).where(bookings.c.user_id == user_id)
    if since is not None:
        query = query.where(bookings.c.end_at > since)
    rows = await conn.execute(query.order_by(bookings.c.start_at))
    return [_booking(row._mapping) for row in rows]


async def history_of_user(
    conn: AsyncConnection, user_id: int, now: datetime, limit: int
) -> list[Booking]:
    """Past bookings and cancelled ones, newest first."""
    query = (
        select(bookings)
        .where(
            bookings.c.user_id == user_id,
            (bookings.c.end_at <= now) | (bookings.c.status != Status.BOOKED.value),
        )
        .order_by(bookings.c.start_at.desc())
        .limit(limit)
    )
    return [_booking(row._mapping) for row in await conn.execute(query)]


async def count_events(conn: AsyncConnection, booking_id: int) -> int:
    query = select(func.count()).where(booking_events.c.booking_id == booking_id)
    return int((await conn.execute(query)).scalar_one())


async def events_of(conn: AsyncConnection, booking_id: int) -> list[dict[str, Any]]:
    rows = await conn.execute(
        select(booking_events)
        .where(booking_events.c.booking_id == booking_id)
        .order_by(booking_events.c.id)
    )
    return [dict(row._mapping) for row in rows]


async def active_holds_of(conn: AsyncConnection, booking_id: int) -> int:
    query = select(func.count()).where(and_(holds.c.booking_id == booking_id))
    return int((await conn.execute(query)).scalar_one())


def _booking(row: Any) -> Booking:
    return Booking(
        id=row["id"],
        reference=row["reference"],
        uid=row["uid"],
        user_id=row["user_id"],
        municipality_id=row["municipality_id"],
        group_id=row["group_id"],
        service_id=row["service_id"],
        channel=Channel(row["channel"]),
        start=row["start_at"],
        end=row["end_at"],
        details=Details(**{field.name: row[field.name] for field in fields(Details)}),
        consent_at=row["consent_at"],
        status=Status(row["status"]),
        locale=row["locale"],
        meeting_url=row["meeting_url"],
        sequence=row["sequence"],
        created_at=row["created_at"],
        cancel_reason=row["cancel_reason"],
        attendance_at=row["attendance_at"],
        erased_at=row["erased_at"],
    )


async def bookings_between(
    conn: AsyncConnection,
    start: datetime,
    end: datetime,
    *,
    municipality_ids: Sequence[str] | None = None,
    group_ids: Sequence[str] | None = None,
    service_ids: Sequence[str] | None = None,
    active_only: bool = False,
    to_change: bool = False,
) -> list[Booking]:
    """Bookings starting in [start, end), in any of the given scopes, earliest first;
    `to_change`: locked, as `booking_to_change`."""
    query = select(bookings).where(bookings.c.start_at >= start, bookings.c.start_at < end)
    if municipality_ids is not None:
        query = query.where(bookings.c.municipality_id.in_(municipality_ids))
    if group_ids is not None:
        query = query.where(bookings.c.group_id.in_(group_ids))
    if service_ids is not None:
        query = query.where(bookings.c.service_id.in_(service_ids))
    if active_only:
        query = query.where(bookings.c.status == Status.BOOKED.value)
    query = query.order_by(bookings.c.start_at, bookings.c.id)
    rows = await conn.execute(query.with_for_update() if to_change else query)
    return [_booking(row._mapping) for row in rows]


async def last_event(conn: AsyncConnection, booking_id: int) -> dict[str, Any] | None:
    row = (await conn.execute(
        select(booking_events)
        .where(booking_events.c.booking_id == booking_id)
        .order_by(booking_events.c.id.desc())
        .limit(1)
    )).first()
    return dict(row._mapping) if row else None


async def ended_before(conn: AsyncConnection, cutoff: datetime) -> list[int]:
    """Bookings that ended before the cutoff and still hold personal data."""
    rows = await conn.execute(select(bookings.c.id).where(
        bookings.c.end_at < cutoff, bookings.c.erased_at.is_(None)))
    return [row.id for row in rows]


async def erase_personal_data(conn: AsyncConnection, ids: Sequence[int], now: datetime) -> None:
    """Blank whatever identifies the citizen in these bookings, their history and their
    feedback: the booking no longer names its citizen, not even by Telegram id. What
    statistics need (service, channel, times, status, rating) stays."""
    if not ids:
        return
    citizen = select(bookings.c.user_id).where(
        bookings.c.id == booking_events.c.booking_id).scalar_subquery()
    await conn.execute(update(booking_events).where(
        booking_events.c.booking_id.in_(ids), booking_events.c.actor == citizen,
    ).values(actor=None))
    await conn.execute(update(booking_events).where(booking_events.c.booking_id.in_(ids))
                       .values(data={}))
    await conn.execute(update(bookings).where(bookings.c.id.in_(ids)).values(
        user_id=0, name="", email="", phone="", address="", notes="", requirements="",
        third_party_email="", meeting_url="", cancel_reason="", erased_at=now, updated_at=now,
    ))
    await conn.execute(update(feedback).where(feedback.c.booking_id.in_(ids)).values(comment=""))


async def booking_of_draft(conn: AsyncConnection, draft_id: str) -> Booking | None:
    """The booking a draft was confirmed into, if it was."""
    row = (await conn.execute(_OF_DRAFT, {"draft": draft_id})).first()
    return _booking(row._mapping) if row else None


async def record_draft(conn: AsyncConnection, draft_id: str, booking_id: int,
                       now: datetime) -> None:
    """Note that the draft is confirmed; a second confirmation of it breaks the key."""
    await conn.execute(insert(confirmed_drafts), {"draft_id": draft_id,
                                                  "booking_id": booking_id, "at": now})

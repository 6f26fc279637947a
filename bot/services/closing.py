"""Closing and reopening days (/close, /open): a closure cancels that day's bookings."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TypedDict
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.availability import midnight
from bot.domain.catalog import Catalog
from bot.domain.model import Booking, Status
from bot.services import booking, offering
from storage import bookings, closures, locks


class _Scope(TypedDict, total=False):
    municipality_ids: list[str]
    group_ids: list[str]
    service_ids: list[str]


def _scope_filter(kind: str, scope_id: str) -> _Scope:
    if kind == "municipality":
        return {"municipality_ids": [scope_id]}
    if kind == "group":
        return {"group_ids": [scope_id]}
    return {"service_ids": [scope_id]}


def _window(day: date, zone: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    """What a closure of the day affects: the rest of it (appointments already begun or
    over stand; their outcome is the staff's to record)."""
    return max(midnight(day, zone), now), midnight(day + timedelta(days=1), zone)


async def bookings_on(conn: AsyncConnection, day: date, kind: str, scope_id: str,
                      zone: ZoneInfo, now: datetime) -> list[Booking]:
    """The active bookings a closure of this day and scope would cancel."""
    start, end = _window(day, zone, now)
    return await bookings.bookings_between(conn, start, end, active_only=True,
                                           **_scope_filter(kind, scope_id))


async def close_day(conn: AsyncConnection, catalog: Catalog, day: date, kind: str, scope_id: str,
                    reason: str, actor: int, now: datetime,
                    zone: ZoneInfo) -> tuple[bool, list[Booking]]:
    """Close the day, cancel its bookings and withdraw its open offers, in one transaction;
    every citizen is told through the outbox, exactly once, even if the bot stops half way
    through sending."""
    await locks.exclusive(conn, f"day:{day.isoformat()}")  # no booking of the day meanwhile
    closed = await closures.close(conn, day, kind, scope_id, reason, actor, now)
    start, end = _window(day, zone, now)
    found = await bookings.bookings_between(conn, start, end, active_only=True, to_change=True,
                                            **_scope_filter(kind, scope_id))
    cancelled = [
        await booking.cancel_in(conn, catalog, item, actor, now, reason, by="closure")
        for item in found if item.status is Status.BOOKED
    ]
    await offering.withdraw_day(conn, catalog, zone, day, kind, scope_id, now)
    return closed, cancelled


async def open_day(conn: AsyncConnection, catalog: Catalog, day: date, kind: str,
                   scope_id: str, now: datetime, zone: ZoneInfo) -> bool:
    """Reopen the day; its free times are offered to the waitlist at once."""
    reopened = await closures.reopen(conn, day, kind, scope_id)
    if reopened:
        await offering.offer_day(conn, catalog, zone, day, kind, scope_id, now)
    return reopened

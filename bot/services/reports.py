"""Agendas, CSV exports and statistics for admins."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.availability import midnight
from bot.domain.catalog import Catalog, Group
from bot.domain.model import Booking
from bot.domain.scope import Scope
from storage import bookings, feedback, waitlist


async def bookings_in(conn: AsyncConnection, scope: Scope, first: date, last: date,
                      zone: ZoneInfo) -> list[Booking]:
    """Bookings whose local day is in [first, last], within the scope."""
    return await bookings.bookings_between(
        conn, midnight(first, zone), midnight(last + timedelta(days=1), zone),
        municipality_ids=scope.municipality_ids, group_ids=scope.group_ids,
    )


async def agenda(conn: AsyncConnection, catalog: Catalog, scope: Scope, day: date,
                 zone: ZoneInfo, locale: str) -> list[tuple[Group, list[tuple[Booking, str]]]]:
    """The day's bookings per department, by time, with the service's name."""
    found = await bookings_in(conn, scope, day, day, zone)
    sections = []
    for group in scope.groups:
        items = []
        for booking in found:
            if booking.group_id != group.id:
                continue
            service = catalog.service(booking.service_id)
            items.append((booking, service.service.name.get(locale) if service
                          else booking.service_id))
        sections.append((group, items))
    return sections


async def ratings_of(conn: AsyncConnection, found: list[Booking]) -> list[int]:
    return await feedback.feedback_of(conn, [b.id for b in found])



async def waiting_in(conn: AsyncConnection, scope: Scope, first: date, last: date,
                     zone: ZoneInfo) -> tuple[dict[str, int], dict[str, int]]:
    """Who waits now in each of the scope's services, and how the offers that ended in
    [first, last] ended (taken, declined, expired)."""
    ids = [service.id for group in scope.groups for service in group.services]
    offers = await waitlist.offer_counts(conn, ids, midnight(first, zone),
                                         midnight(last + timedelta(days=1), zone))
    return await waitlist.lengths(conn, ids), offers

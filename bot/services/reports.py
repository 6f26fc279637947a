"""Agendas, CSV exports and statistics for admins."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.domain.catalog import Catalog, Group
from bot.domain.model import Booking, Status
from bot.domain.scope import Scope
from bot.services.availability import midnight
from storage import bookings as store
from storage.db import Database

CSV_COLUMNS = (
    "reference", "municipality", "group", "service", "channel", "status", "date", "start",
    "end", "name", "email", "phone", "address", "notes", "special_requirements",
    "third_participant", "cancel_reason", "booked_at",
)


async def bookings_in(db: Database, scope: Scope, first: date, last: date,
                      zone: ZoneInfo) -> list[Booking]:
    """Bookings whose local day is in [first, last], within the scope."""
    async with db.read() as conn:
        return await store.bookings_between(
            conn, midnight(first, zone), midnight(last + timedelta(days=1), zone),
            municipality_ids=scope.municipality_ids, group_ids=scope.group_ids,
        )


async def agenda(db: Database, catalog: Catalog, scope: Scope, day: date,
                 zone: ZoneInfo, locale: str) -> list[tuple[Group, list[tuple[Booking, str]]]]:
    """The day's bookings per department, by time, with the service's name."""
    found = await bookings_in(db, scope, day, day, zone)
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


def to_csv(bookings: list[Booking], catalog: Catalog, zone: ZoneInfo) -> bytes:
    """One row per booking; UTF-8 with a BOM so that Excel opens Greek correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for booking in bookings:
        service = catalog.service(booking.service_id)
        start, end = booking.start.astimezone(zone), booking.end.astimezone(zone)
        details = booking.details
        writer.writerow([
            booking.reference,
            service.municipality.name.el if service else booking.municipality_id,
            service.group.name.el if service else booking.group_id,
            service.service.name.el if service else booking.service_id,
            booking.channel.value, booking.status.value, start.date().isoformat(),
            start.strftime("%H:%M"), end.strftime("%H:%M"), _cell(details.name),
            _cell(details.email), _cell(details.phone), _cell(details.address),
            _cell(details.notes), _cell(details.requirements),
            _cell(details.third_party_email), _cell(booking.cancel_reason),
            booking.created_at.astimezone(zone).isoformat(timespec="minutes")
            if booking.created_at else "",
        ])
    return out.getvalue().encode("utf-8-sig")


def _cell(text: str) -> str:
    """Citizens' text must not become a formula in a spreadsheet."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@dataclass(frozen=True)
class Stats:
    total: int
    by_service: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]
    by_status: list[tuple[str, int]]
    no_show_rate: float | None  # no-shows among appointments with an outcome
    busiest_days: list[tuple[date, int]]
    ratings: int = 0
    average_rating: float | None = None


async def ratings_of(db: Database, bookings: list[Booking]) -> list[int]:
    async with db.read() as conn:
        return await store.feedback_of(conn, [b.id for b in bookings])


def stats(bookings: list[Booking], zone: ZoneInfo, ratings: list[int] | None = None) -> Stats:
    statuses = Counter(b.status for b in bookings)
    outcomes = statuses[Status.COMPLETED] + statuses[Status.NO_SHOW]
    held = [b for b in bookings if b.status is not Status.CANCELLED]
    days = Counter(b.start.astimezone(zone).date() for b in held)
    return Stats(
        total=len(bookings),
        by_service=Counter(b.service_id for b in bookings).most_common(),
        by_channel=Counter(b.channel.value for b in bookings).most_common(),
        by_status=[(s.value, n) for s, n in statuses.most_common()],
        no_show_rate=statuses[Status.NO_SHOW] / outcomes if outcomes else None,
        busiest_days=sorted(days.items(), key=lambda item: (-item[1], item[0]))[:5],
        ratings=len(ratings or []),
        average_rating=sum(ratings) / len(ratings) if ratings else None,
    )

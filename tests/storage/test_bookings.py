"""Bookings on a real SQLite file: atomic seats, also under concurrent confirmations."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.model import BookingRequest, Channel, Details, Status
from bot.domain.rules import NotBookable, SlotTaken
from bot.services.availability import day_slots
from bot.services.booking import book
from bot.services.runtime import Services
from storage import bookings as store
from storage.db import Database
from storage.migrate import migrate
from tests.conftest import FrozenClock, write

# Wednesday 2 December 2026, 09:00 in Athens (07:00 UTC).
NINE = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
DETAILS = Details(name="Σοφία Παπαδοπούλου", email="sofia@example.com", phone="+306912345678")


def request(user_id: int, service: str = "chios-work-counsel", start: datetime = NINE,
            channel: Channel = Channel.IN_PERSON) -> BookingRequest:
    return BookingRequest(user_id=user_id, service_id=service, channel=channel, start=start,
                          details=DETAILS, consent_at=NINE, locale="el",
                          timezone="Europe/Athens")


async def test_a_booking_is_stored_with_its_holds_and_history(services: Services,
                                                              clock: FrozenClock) -> None:
    made = await write(services.db, book, services.catalog, services.settings.zone, request(1),
                      clock())
    async with services.db.read() as conn:
        again = await store.get_booking(conn, made.id)
        holds = await store.active_holds_of(conn, made.id)
        events = await store.events_of(conn, made.id)
    assert again == made
    assert made.status is Status.BOOKED and made.start == NINE
    assert made.end == datetime(2026, 12, 2, 7, 50, tzinfo=UTC)
    assert holds == 10  # 50 minutes in 5-minute cells
    assert [e["kind"] for e in events] == ["booked"]
    assert len(made.reference) == 9 and made.reference[4] == "-"


async def test_the_last_seat_goes_to_exactly_one_of_many_concurrent_citizens(
    services: Services, clock: FrozenClock
) -> None:
    attempts = [write(services.db, book, services.catalog, services.settings.zone, request(uid),
                     clock()) for uid in range(1, 21)]
    results = await asyncio.gather(*attempts, return_exceptions=True)
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, SlotTaken) for r in losers), losers
    async with services.db.read() as conn:
        stored = await store.bookings_of_user(conn, winners[0].user_id)
    assert len(stored) == 1


async def test_two_processes_racing_on_one_file_share_the_seats(
    services: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    """Two engines on the same file behave as two bot processes would."""
    other = Database(services.settings.DATABASE_URL)
    try:
        zone, catalog = services.settings.zone, services.catalog
        # chios-leases has two desks: two of the six win, whichever engine they use.
        start = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
        attempts = [
            write(db, book, catalog, zone, request(uid, "chios-leases", start), clock())
            for uid, db in zip(range(1, 7), [services.db, other] * 3, strict=True)
        ]
        results = await asyncio.gather(*attempts, return_exceptions=True)
    finally:
        await other.close()
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 2
    assert {w.start for w in winners} == {start}
    assert all(isinstance(r, SlotTaken) for r in results if isinstance(r, BaseException))


async def test_overlapping_appointments_cannot_share_a_desk(services: Services,
                                                            clock: FrozenClock) -> None:
    """50-minute appointments every 30 minutes: 09:00 taken makes 09:30 unavailable."""
    zone = services.settings.zone
    await write(services.db, book, services.catalog, zone, request(1), clock())
    half_past = datetime(2026, 12, 2, 7, 30, tzinfo=UTC)
    with pytest.raises(SlotTaken):
        await write(services.db, book, services.catalog, zone, request(2, start=half_past), clock())
    ten = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    made = await write(services.db, book, services.catalog, zone, request(3, start=ten), clock())
    assert made.start == ten


async def test_services_sharing_a_resource_share_its_desk(services: Services,
                                                          clock: FrozenClock) -> None:
    """The two ΟΠΕΚΑ services of the Community Centre are served at one desk."""
    zone = services.settings.zone
    apply = request(1, "chios-opeka-apply")
    await write(services.db, book, services.catalog, zone, apply, clock())
    service = services.catalog.service("chios-opeka-info")
    assert service is not None
    slots = await write(services.db, day_slots, service, zone, zone, NINE.date(), clock())
    starts = {slot.start.astimezone(zone).strftime("%H:%M") for slot in slots}
    assert "09:00" not in starts and "09:30" not in starts and "10:00" in starts


async def test_refused_requests_leave_nothing_behind(services: Services,
                                                     clock: FrozenClock) -> None:
    zone, catalog = services.settings.zone, services.catalog
    saturday = datetime(2026, 12, 5, 7, 0, tzinfo=UTC)
    off_grid = datetime(2026, 12, 2, 7, 10, tzinfo=UTC)
    past = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    for bad in (
        request(1, start=saturday),
        request(1, start=off_grid),
        request(1, start=past),
        request(1, service="no-such-service"),
        request(1, service="chios-opeka-apply", channel=Channel.VIDEO),
    ):
        with pytest.raises(NotBookable):
            await write(services.db, book, catalog, zone, bad, clock())
    async with services.db.read() as conn:
        assert await store.bookings_of_user(conn, 1) == []


async def test_migrations_are_idempotent_and_the_catalog_is_synced(tmp_path: Path) -> None:
    from bot.services.catalog import load_catalog, store_catalog
    from tests.conftest import SAMPLE_CATALOG

    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    clock = FrozenClock()
    catalog = load_catalog(SAMPLE_CATALOG)
    try:
        await migrate(db)
        await migrate(db)
        first = await write(db, store_catalog, catalog, clock())
        second = await write(db, store_catalog, catalog, clock())
        smaller = catalog.model_copy(update={"municipalities": catalog.municipalities[:1]})
        third = await write(db, store_catalog, smaller, clock())
    finally:
        await db.close()
    assert len(first.added) == 7 + 9 + 10  # municipalities, groups, services
    assert second == ([], [], [])
    assert "municipality:chania" in third.removed and "service:chania-civil-wedding" in (
        third.removed)

"""Rules that SQLite's one writer enforces by accident hold by design on PostgreSQL too:
concurrent transactions that would break them conflict (storage/locks.py). Run on both."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.domain.model import Status
from bot.domain.rules import NotAllowed, NotBookable, SlotTaken
from bot.services.booking import book, cancel, reschedule
from bot.services.closing import close_day
from bot.services.runtime import Services
from storage import bookings as store
from tests.conftest import FrozenClock, write
from tests.storage.test_bookings import NINE, request

# Weekdays of December 2026 on which the counselling service is open, 09:00 in Athens.
DAYS = [NINE + timedelta(days=n) for n in (0, 1, 2, 5, 6, 7)]


async def test_a_booking_never_slips_into_a_day_being_closed(services: Services,
                                                            clock: FrozenClock) -> None:
    zone = services.settings.zone
    for n, start in enumerate(DAYS):
        day = start.astimezone(zone).date()
        citizens = [write(services.db, book, services.catalog, zone,
                          request(1000 * (n + 1) + uid, start=start + timedelta(hours=uid)),
                          clock()) for uid in range(4)]
        closing = write(services.db, close_day, services.catalog, day, "municipality",
                        "chios", "Απεργία", 9001, clock(), zone)
        results = await asyncio.gather(*citizens, closing, return_exceptions=True)
        refused = [r for r in results[:-1] if isinstance(r, BaseException)]
        assert all(isinstance(r, NotBookable) for r in refused), refused
        assert not isinstance(results[-1], BaseException), results[-1]
        assert await _active_on(services, start, start + timedelta(days=1)) == [], day


async def test_a_citizen_past_the_limit_gets_no_second_booking_at_once(
        services: Services, clock: FrozenClock) -> None:
    """One booking per service: five confirmations of one citizen at once, five times."""
    zone = services.settings.zone
    attempts = [write(services.db, book, services.catalog, zone,
                      request(77, start=start + timedelta(hours=hour)), clock())
                for start in DAYS[:5] for hour in (0, 1)]
    results = await asyncio.gather(*attempts, return_exceptions=True)
    made = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(made) == 1
    assert all(isinstance(r, NotAllowed | SlotTaken) for r in refused), refused
    async with services.db.read() as conn:
        mine = await store.bookings_of_user(conn, 77)
    assert [b.status for b in mine] == [Status.BOOKED]


async def _active_on(services: Services, start: datetime, end: datetime) -> list[str]:
    async with services.db.read() as conn:
        found = await store.bookings_between(conn, start - timedelta(hours=9), end,
                                             active_only=True)
    return [b.reference for b in found]


async def test_a_move_out_of_a_day_being_closed_is_either_moved_or_cancelled(
        services: Services, clock: FrozenClock) -> None:
    """Moved first: it stands on its new day, with its seat; closed first: it is cancelled
    and holds nothing. Never cancelled on the day it moved to, never moved once cancelled."""
    zone = services.settings.zone
    for n, (start, later) in enumerate(zip(DAYS[:3], DAYS[3:], strict=True)):
        made = await write(services.db, book, services.catalog, zone,
                           request(3000 + n, start=start), clock())
        moving = write(services.db, reschedule, services.catalog, zone, made.reference,
                       request(3000 + n, start=later), clock())
        closing = write(services.db, close_day, services.catalog,
                        start.astimezone(zone).date(), "municipality", "chios", "Απεργία",
                        9001, clock(), zone)
        moved, closed = await asyncio.gather(moving, closing, return_exceptions=True)
        assert not isinstance(closed, BaseException), closed
        async with services.db.read() as conn:
            now_stored = await store.get_booking(conn, made.id)
            holds = await store.active_holds_of(conn, made.id)
        assert now_stored is not None
        if isinstance(moved, BaseException):  # closed first: the move found it cancelled
            assert isinstance(moved, NotAllowed), moved
            assert now_stored.status is Status.CANCELLED and holds == 0
        else:
            assert now_stored.status is Status.BOOKED and now_stored.start == later
            assert holds > 0


async def test_two_cancellations_at_once_cancel_once(services: Services,
                                                     clock: FrozenClock) -> None:
    zone = services.settings.zone
    for n, start in enumerate(DAYS[:4]):
        made = await write(services.db, book, services.catalog, zone,
                           request(4000 + n, start=start), clock())
        results = await asyncio.gather(
            write(services.db, cancel, services.catalog, made.reference, 4000 + n, clock()),
            write(services.db, cancel, services.catalog, made.reference, 9001, clock(),
                  "Κώλυμα", by_staff=True),
            return_exceptions=True)
        refused = [r for r in results if isinstance(r, BaseException)]
        assert len(refused) == 1 and isinstance(refused[0], NotAllowed), results
        async with services.db.read() as conn:
            events = await store.events_of(conn, made.id)
        assert [e["kind"] for e in events].count("cancelled") == 1

"""Rules that SQLite's one writer enforces by accident hold by design on PostgreSQL too:
concurrent transactions that would break them conflict (storage/locks.py). Run on both."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.domain.model import Status
from bot.domain.rules import NotAllowed, NotBookable, SlotTaken
from bot.services.booking import book
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

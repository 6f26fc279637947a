"""Personal data is erased after the retention period; statistics stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.model import BookingRequest, Channel, Details, Status
from bot.domain.stats import stats
from bot.services.booking import book
from bot.services.feedback import rate
from bot.services.retention import erase_old
from bot.services.runtime import Services
from storage import bookings as store
from storage import feedback
from tests.conftest import FrozenClock, write


async def test_old_bookings_lose_their_personal_data_only(services: Services,
                                                          clock: FrozenClock) -> None:
    zone = services.settings.zone

    async def booked(user_id: int, start: datetime) -> int:
        request = BookingRequest(
            user_id=user_id, service_id="chios-leases", channel=Channel.PHONE, start=start,
            details=Details("Σοφία Παπαδοπούλου", "sofia@example.com", "+306912345678",
                            address="Οδός 1", notes="σημείωση"),
            consent_at=start, locale="el", timezone="Europe/Athens")
        return (await write(services.db, book, services.catalog, zone, request, clock())).id

    old = await booked(1, datetime(2026, 12, 2, 7, 0, tzinfo=UTC))
    recent = await booked(2, datetime(2026, 12, 4, 7, 0, tzinfo=UTC))
    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    async with services.db.read() as conn:
        reference = (await store.get_booking(conn, old)).reference  # type: ignore[union-attr]
    await write(services.db, rate, reference, 1, 5, clock())

    clock.now = datetime(2026, 12, 2, 7, 30, tzinfo=UTC) + timedelta(days=180, hours=1)
    assert await write(services.db, erase_old, clock(), 180) == 1
    assert await write(services.db, erase_old, clock(), 180) == 0  # once
    async with services.db.read() as conn:
        erased = await store.get_booking(conn, old)
        kept = await store.get_booking(conn, recent)
        events = await store.events_of(conn, old)
        ratings = await feedback.feedback_of(conn, [old])
    assert erased is not None and kept is not None
    assert erased.details.name == erased.details.email == erased.details.phone == ""
    assert erased.details.address == erased.details.notes == ""
    assert erased.erased_at == clock.now
    assert erased.status is Status.BOOKED and erased.service_id == "chios-leases"
    assert erased.start == datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
    assert all(event["data"] == {} for event in events)
    assert ratings == [5]
    assert kept.details.name == "Σοφία Παπαδοπούλου"
    numbers = stats([erased, kept], zone, ratings)
    assert numbers.total == 2 and numbers.by_channel == [("phone", 2)]

"""A citizen half way through a booking continues after the bot restarts."""

from __future__ import annotations

from bot.services.runtime import Services
from bot.startup import prepare
from storage import bookings as store
from tests.chat import Citizen
from tests.conftest import FrozenClock, start_app
from tests.e2e.flow import EMAIL, MARKERS, walk
from tests.fakebot import FakeTelegram


async def restart(services: Services, clock: FrozenClock) -> tuple[Services, object]:
    """Stop the running bot completely and start a new one on the same database file."""
    await services.db.close()
    fresh = await prepare(services.settings, clock)
    return fresh, await start_app(fresh)


async def test_the_booking_continues_after_a_restart(fake: FakeTelegram, services: Services,
                                                     clock: FrozenClock) -> None:
    first_app = await start_app(services)
    citizen = Citizen(fake, first_app)
    await walk(citizen, "time")
    time_message = citizen.keyboard_message()
    # A crash: the application never gets to save anything on its way out; only its HTTP
    # connections are closed, so the test leaves nothing open behind.
    await first_app.bot.shutdown()

    fresh, second_app = await restart(services, clock)
    try:
        citizen.app = second_app  # type: ignore[assignment]
        # The buttons of the message shown before the restart still work.
        await citizen.press("09:30", time_message)
        assert MARKERS["el"]["name"] in citizen.text
        await citizen.send("Σοφία Παπαδοπούλου")
        await second_app.shutdown()  # type: ignore[attr-defined]

        fresh, third_app = await restart(fresh, clock)
        citizen.app = third_app  # type: ignore[assignment]
        await citizen.send(EMAIL)  # typed into the step the bot was waiting for
        assert MARKERS["el"]["phone"] in citizen.text
        await walk(citizen, "summary", start="address")
        assert "Ονοματεπώνυμο: Σοφία Παπαδοπούλου" in citizen.text
        await citizen.press("✅ Κράτηση")
        async with fresh.db.read() as conn:
            [made] = await store.bookings_of_user(conn, citizen.id)
        assert made.details.email == EMAIL
        await third_app.shutdown()  # type: ignore[attr-defined]
    finally:
        await fresh.db.close()

"""25 October 2026, when Athens' clocks go back from 04:00 to 03:00: the two 03:30s are
told apart on the buttons, the one chosen is the one booked, and its .ics names it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.app import App
from bot.services.runtime import Services
from bot.startup import prepare
from storage import bookings as store
from tests.chat import Citizen
from tests.conftest import FrozenClock, drain, make_settings, start_app
from tests.e2e.flow import EMAIL, NAME
from tests.fakebot import FakeTelegram

NIGHT = """
[[municipality]]
id = "night"
name = { el = "ΔΗΜΟΣ ΔΟΚΙΜΗΣ", en = "TEST MUNICIPALITY" }
consent = { el = "Δηλώνω υπεύθυνα.", en = "I declare." }
address = { el = "Πλατεία 1", en = "1 Square" }
[[municipality.group]]
id = "night-desk"
name = { el = "Νυχτερινό γραφείο", en = "Night desk" }
hours = { sun = ["02:00-06:00"] }
[[municipality.group.service]]
id = "night-service"
name = { el = "Υπηρεσία", en = "Service" }
channels = ["in_person"]
duration = 30
"""
FRIDAY = datetime(2026, 10, 23, 8, 0, tzinfo=UTC)
FIRST, SECOND = datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30,
                                                                    tzinfo=UTC)


@pytest.fixture
async def night(tmp_path: Path, fake: FakeTelegram) -> AsyncIterator[tuple[App, Services]]:
    catalog = tmp_path / "night.toml"
    catalog.write_text(NIGHT, encoding="utf-8")
    services = await prepare(make_settings(tmp_path, fake.base_url, CATALOG_PATH=str(catalog)),
                             FrozenClock(FRIDAY))
    application = await start_app(services)
    yield application, services
    await application.shutdown()
    await services.db.close()


async def summary_of(citizen: Citizen, label: str) -> None:
    await citizen.press(label)
    await citizen.send(NAME)
    await citizen.send(EMAIL)
    await citizen.send("+306912345678")
    for _ in range(3):  # address, notes, requirements
        await citizen.press("Παράλειψη")
    await citizen.press("✅ Αποδέχομαι")


@pytest.mark.parametrize(("label", "start", "shown"), [
    ("03:30 (UTC+03:00)", FIRST, ("03:30 – 03:00", "(UTC+03:00)")),
    ("03:30 (UTC+02:00)", SECOND, ("03:30 – 04:00", "(UTC+02:00)"))])
async def test_the_repeated_hour_is_booked_as_chosen(
        night: tuple[App, Services], fake: FakeTelegram, label: str, start: datetime,
        shown: tuple[str, str]) -> None:
    app, services = night
    citizen = Citizen(fake, app)
    await citizen.send("/start s_night-service")
    await citizen.press("25")
    labels = citizen.labels()
    assert {"03:00 (UTC+03:00)", "03:00 (UTC+02:00)", "03:30 (UTC+03:00)",
            "03:30 (UTC+02:00)", "02:30", "04:00"} <= set(labels)
    await summary_of(citizen, label)
    assert all(part in citizen.text for part in shown)  # the summary tells which one
    await citizen.press("✅ Κράτηση")
    async with services.db.read() as conn:
        [made] = await store.bookings_of_user(conn, citizen.id)
    assert made.start == start  # the instant chosen, kept through the draft
    confirmation = next(m for m in citizen.messages if "επιβεβαιώθηκε" in m.text)
    assert all(part in confirmation.text for part in shown)
    await drain(app.bot, services)
    [document] = [m.document for m in citizen.messages if m.document]
    event = Calendar.from_ical(document["content"]).walk("VEVENT")[0]
    assert event.decoded("dtstart") == start
    assert event.decoded("dtend") == made.end

"""The sender and the repeating jobs under a real JobQueue (APScheduler): what falls due
is sent, once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.delivery import jobs
from bot.domain.model import Booking, BookingRequest, Channel, Details
from bot.services.booking import book
from bot.services.runtime import Services
from bot.startup import prepare
from tests.conftest import App, FrozenClock, make_settings, start_app, write
from tests.fakebot import FakeTelegram

COUNSEL_CHAT = -1001000000102
THURSDAY_ELEVEN = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
CITIZEN = 5001


async def until(condition: Callable[[], bool], seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the job did not send it in time")


async def booked(tmp_path: Path, fake: FakeTelegram,
                 clock: FrozenClock) -> tuple[Services, App, Booking]:
    """A bot whose job runs often, and a booking whose staff notice is due at once."""
    settings = make_settings(tmp_path, fake.base_url, DISPATCH_INTERVAL=0.1)
    services = await prepare(settings, clock)
    app = await start_app(services)
    request = BookingRequest(
        user_id=CITIZEN, service_id="chios-work-counsel", channel=Channel.IN_PERSON,
        start=THURSDAY_ELEVEN, details=Details("Σοφία Παπαδοπούλου", "s@example.com",
                                               "+306912345678"),
        consent_at=clock(), locale="el", timezone="Europe/Athens")
    made = await write(services.db, book, services.catalog, settings.zone, request, clock())
    return services, app, made


async def test_the_repeating_job_sends_what_falls_due(
        tmp_path: Path, fake: FakeTelegram, clock: FrozenClock) -> None:
    services, app, made = await booked(tmp_path, fake, clock)
    assert fake.bot_messages(COUNSEL_CHAT) == []  # nothing is sent until the job runs
    try:
        await app.start()
        await jobs.start(app, services)
        names = {job.name for job in app.job_queue.jobs()} if app.job_queue else set()
        assert {"outbox", "digests", "retention", "retention-at-start", "horizon",
                "horizon-at-start"} <= names
        await until(lambda: bool(fake.bot_messages(COUNSEL_CHAT)))
        [notice] = fake.bot_messages(COUNSEL_CHAT)
        assert made.reference in notice.text
        assert not [m for m in fake.bot_messages(CITIZEN) if m.text.startswith("⏰")]

        clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # 24 hours before: a reminder
        await until(lambda: any(m.text.startswith("⏰") for m in fake.bot_messages(CITIZEN)))
        await asyncio.sleep(0.5)  # a few more turns of the job: nothing is sent twice
        assert len([m for m in fake.bot_messages(CITIZEN) if m.text.startswith("⏰")]) == 1
        assert fake.bot_messages(COUNSEL_CHAT) == [notice]
    finally:
        await jobs.stop(app)
        await app.stop()
        await app.shutdown()
        await services.db.close()


async def test_stopping_lets_the_send_in_hand_finish_and_be_recorded(
        tmp_path: Path, fake: FakeTelegram, clock: FrozenClock) -> None:
    """A graceful stop (a deploy) never leaves a message Telegram accepted unrecorded, for
    another instance to send again."""
    services, app, _ = await booked(tmp_path, fake, clock)
    fake.latency = 0.5  # the staff notice is on its way when the stop comes
    try:
        await app.start()
        await jobs.start(app, services)
        await asyncio.sleep(0.25)  # claimed and asked for; Telegram has not answered yet
        await jobs.stop(app)
        await asyncio.sleep(0.5)  # whatever Telegram was doing, it has done
    finally:
        await app.stop()
        await app.shutdown()
    async with services.db.read() as conn:
        left = await conn.exec_driver_sql(
            "SELECT kind, status FROM outbox WHERE kind = 'staff_notice'")
        notices = left.all()
    await services.db.close()
    assert len(fake.bot_messages(COUNSEL_CHAT)) == 1
    assert [tuple(row) for row in notices] == [("staff_notice", "sent")]

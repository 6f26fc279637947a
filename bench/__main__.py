"""`make bench`: figures for the hot paths, printed; never asserted in tests.

In this process: free slots of a month for one service, the same-seat race on one SQLite
file, a whole booking conversation through the fake Bot API on loopback. Then each bench
of the README's table, in a process of its own (`python -m bench.<name>` runs one).
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.domain.availability import free_slots
from bot.domain.model import BookingRequest, Channel, Details
from bot.domain.rules import SlotTaken
from bot.services.booking import book
from bot.services.catalog import load_catalog
from bot.startup import prepare
from tests.chat import Citizen
from tests.conftest import SAMPLE_CATALOG, FrozenClock, make_settings, start_app, write
from tests.e2e.flow import book as book_through_chat
from tests.fakebot import FakeTelegram

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def timed(label: str, runs: list[float], unit: str = "ms", scale: float = 1000) -> None:
    print(f"{label:<58} median {statistics.median(runs) * scale:8.2f} {unit}"
          f"   best {min(runs) * scale:8.2f} {unit}   ({len(runs)} runs)")


def bench_free_slots() -> None:
    catalog = load_catalog(SAMPLE_CATALOG)
    service = catalog.service("chios-work-counsel")
    assert service is not None
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Athens")
    start, end = NOW, NOW + timedelta(days=31)
    runs = []
    for _ in range(200):
        began = time.perf_counter()
        slots = free_slots(service, zone, start, end, NOW, [])
        runs.append(time.perf_counter() - began)
    timed(f"free_slots, one month ({len(slots)} slots)", runs)


async def bench_race(folder: Path) -> None:
    clock = FrozenClock(NOW)
    services = await prepare(make_settings(folder), clock)
    zone = services.settings.zone
    try:
        # chios-leases is open Monday, Wednesday and Friday: 09:00 on Wed 2 and Fri 4 Dec.
        for contenders, start in ((10, datetime(2026, 12, 2, 7, 0, tzinfo=UTC)),
                                  (50, datetime(2026, 12, 4, 7, 0, tzinfo=UTC))):
            requests = [BookingRequest(
                user_id=10_000 + contenders * 100 + n, service_id="chios-leases",
                channel=Channel.PHONE, start=start,
                details=Details("Πολίτης", "p@example.com", "+306912345678"),
                consent_at=NOW, locale="el", timezone="Europe/Athens")
                for n in range(contenders)]
            began = time.perf_counter()
            results = await asyncio.gather(
                *(write(services.db, book, services.catalog, zone, r, clock()) for r in requests),
                return_exceptions=True)
            took = time.perf_counter() - began
            won = sum(not isinstance(r, BaseException) for r in results)
            lost = sum(isinstance(r, SlotTaken) for r in results)
            assert won + lost == contenders, [r for r in results if isinstance(r, Exception)]
            print(f"same-seat race, {contenders} citizens, 2 desks: {won} booked, {lost} told "
                  f"'taken', {took * 1000:.0f} ms in all ({took / contenders * 1000:.1f} ms "
                  f"per confirmation)")
    finally:
        await services.db.close()


async def bench_conversation(folder: Path) -> None:
    fake = FakeTelegram()
    await fake.start()
    clock = FrozenClock(NOW)
    services = await prepare(make_settings(folder, fake.base_url), clock)
    app = await start_app(services)
    try:
        runs = []
        for n in range(20):
            citizen = Citizen(fake, app, user_id=20_000 + n)
            began = time.perf_counter()
            await book_through_chat(citizen)
            runs.append(time.perf_counter() - began)
            await citizen.press("❌ Ακύρωση κράτησης", citizen.messages[-2])
            await citizen.press("Ναι, ακύρωση")
        updates = 17  # messages and presses in one booking
        timed(f"one whole booking through the fake Bot API ({updates} updates)", runs)
        print(f"{'':<58} about {statistics.median(runs) / updates * 1000:.1f} ms per update")
    finally:
        await app.shutdown()
        await services.db.close()
        await fake.stop()


async def main() -> None:
    bench_free_slots()
    with tempfile.TemporaryDirectory() as folder:
        await bench_race(Path(folder))
    with tempfile.TemporaryDirectory() as folder:
        await bench_conversation(Path(folder))


TABLE = (  # the README's figures, in its order
    ("load", "--citizens", "500"),
    ("load", "--citizens", "500", "--think", "0"),
    ("load", "--citizens", "100", "--latency", "0", "--think", "0", "--rounds", "3"),
    ("statements",),
    ("calendar",),
    ("commits",),
    ("outbox",),
    ("memory",),
)


if __name__ == "__main__":
    print(f"Python {sys.version.split()[0]}")
    asyncio.run(main())
    for name, *arguments in TABLE:
        print(f"\n$ python -m bench.{name} {' '.join(arguments)}", flush=True)
        subprocess.run([sys.executable, "-m", f"bench.{name}", *arguments], check=False)

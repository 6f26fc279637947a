"""Booking commits a second with capacity enforced: citizens confirming at once, as many
at a time as the bot processes updates, for the slots of the bench service (20 seats
each); every fourth citizen asks for a slot already full. `python -m bench.commits`."""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bench.crowd import CATALOG
from bot.domain.model import BookingRequest, Channel, Details
from bot.domain.rules import SlotTaken
from bot.services.booking import book
from bot.startup import prepare
from storage.schema import bookings, holds
from tests.conftest import FrozenClock, make_settings, write

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 08:00 in Athens
DETAILS = Details("Πολίτης Δοκιμαστικός", "p@example.com", "+306912345678")


def requests(count: int) -> list[BookingRequest]:
    """Slots of the next days, about 20 citizens per slot (the last ones find it full)."""
    rng = random.Random(11)
    slots = [NOW + timedelta(days=1 + n // 72, minutes=10 * (n % 72)) for n in range(count // 15)]
    return [BookingRequest(user_id=50_000 + n, service_id="bench-service",
                           channel=Channel.IN_PERSON, start=rng.choice(slots), details=DETAILS,
                           consent_at=NOW, locale="el", timezone="Europe/Athens",
                           draft_id=f"bench-{n}")
            for n in range(count)]


async def run(count: int, at_once: int) -> tuple[int, int, float, int]:
    with tempfile.TemporaryDirectory() as folder:
        catalog = Path(folder) / "catalog.toml"
        catalog.write_text(CATALOG, encoding="utf-8")
        clock = FrozenClock(NOW)
        services = await prepare(make_settings(Path(folder), CATALOG_PATH=str(catalog)), clock)
        gate = asyncio.Semaphore(at_once)
        zone = services.settings.zone

        async def confirm(request: BookingRequest) -> bool:
            async with gate:
                try:
                    await write(services.db, book, services.catalog, zone, request, clock())
                except SlotTaken:
                    return False
                return True

        try:
            began = time.perf_counter()
            results = await asyncio.gather(*(confirm(r) for r in requests(count)))
            took = time.perf_counter() - began
            async with services.db.read() as conn:
                stored = (await conn.execute(select(func.count()).select_from(bookings)))
                doubled = (await conn.execute(select(func.count()).select_from(
                    select(holds.c.desk, holds.c.cell, holds.c.seat).group_by(
                        holds.c.desk, holds.c.cell, holds.c.seat).having(func.count() > 1)
                    .subquery())))
                assert stored.scalar_one() == sum(results)
                double_held = int(doubled.scalar_one())
        finally:
            await services.db.close()
    booked = sum(results)
    return booked, count - booked, took, double_held


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=3000)
    parser.add_argument("--at-once", type=int, default=64)
    args = parser.parse_args()
    booked, refused, took, doubled = await run(args.citizens, args.at_once)
    print(f"booking commits: {booked / took:.0f} a second ({booked} booked, {refused} told "
          f"'taken', {args.at_once} at a time, {took:.1f} s; seats held twice: {doubled})")


if __name__ == "__main__":
    asyncio.run(main())

"""The calendar's cost: the first month screen and one day's times, on an empty database;
with a million bookings stored elsewhere (the past three years, other desks); and with
the month shown half booked as well (10 of 20 seats of every other slot, 10,800 bookings).
`python -m bench.calendar [--bookings N]`."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bench.crowd import CATALOG
from bot.services.availability import day_slots, month_view
from bot.services.runtime import Services
from bot.startup import prepare
from storage.schema import bookings
from tests.conftest import FrozenClock, make_settings

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SERVICE = "bench-service"
RUNS = 300


@dataclass
class Figures:
    month_median: float
    month_p95: float
    day_median: float
    day_p95: float


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


async def measure(services: Services) -> Figures:
    service = services.catalog.service(SERVICE)
    assert service is not None
    zone = services.settings.zone
    months, days = [], []
    for n in range(RUNS):
        began = time.perf_counter()
        async with services.db.look() as conn:
            view = await month_view(conn, service, zone, zone, None, NOW)
        months.append(time.perf_counter() - began)
        assert view is not None and view.free_days
        day = sorted(view.free_days)[n % len(view.free_days)]
        began = time.perf_counter()
        async with services.db.look() as conn:
            await day_slots(conn, service, zone, zone, day, NOW)
        days.append(time.perf_counter() - began)
    return Figures(statistics.median(months), p95(months), statistics.median(days), p95(days))


def _row(n: int, desk: str, start: datetime, seat: int) -> dict[str, Any]:
    return {"reference": f"B{n // 10000:03d}-{n % 10000:04d}", "uid": f"bench-{n}@rantevou",
            "user_id": 1_000_000 + n,
            "municipality_id": "bench", "group_id": "bench-desk", "service_id": SERVICE,
            "desk": desk, "seat": seat, "channel": "in_person", "start_at": start,
            "end_at": start + timedelta(minutes=10), "status": "booked", "name": "Πολίτης",
            "email": "p@example.com", "phone": "+306900000000", "consent_at": NOW,
            "locale": "el", "timezone": "Europe/Athens", "created_at": NOW, "updated_at": NOW}


def _elsewhere(total: int) -> Iterator[dict[str, Any]]:
    """Bookings of 50 other desks over the past three years."""
    past = NOW - timedelta(days=3 * 365)
    for n in range(total):
        yield _row(n, f"desk-{n % 50}", past + timedelta(minutes=10 * (n // 50)), 0)


def _month(desk: str, first: int) -> Iterator[dict[str, Any]]:
    """The bench desk's next 30 days: every other slot taken on 10 of its 20 seats."""
    n = first
    for offset in range(30):
        for minutes in range(8 * 60, 20 * 60, 20):
            start = datetime.combine(date(2026, 12, 1) + timedelta(days=offset),
                                     datetime.min.time(), UTC) + timedelta(minutes=minutes - 120)
            for seat in range(10):
                yield _row(n, desk, start, seat)
                n += 1


async def store(services: Services, rows: Iterator[dict[str, Any]]) -> int:
    stored = 0
    while chunk := list(itertools.islice(rows, 20_000)):
        async with services.db.write() as conn:
            await conn.execute(insert(bookings), chunk)
        stored += len(chunk)
    return stored


async def run(total: int) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        catalog = Path(folder) / "catalog.toml"
        catalog.write_text(CATALOG, encoding="utf-8")
        services = await prepare(make_settings(Path(folder), CATALOG_PATH=str(catalog)),
                                 FrozenClock(NOW))
        service = services.catalog.service(SERVICE)
        assert service is not None
        try:
            empty = await measure(services)
            stored = await store(services, _elsewhere(total))
            elsewhere = await measure(services)
            in_month = await store(services, _month(service.service.desk, stored))
            full = await measure(services)
        finally:
            await services.db.close()
    return [
        f"month calendar, empty database: median {empty.month_median * 1000:.2f} ms, "
        f"p95 {empty.month_p95 * 1000:.2f} ms; one day's times p95 "
        f"{empty.day_p95 * 1000:.2f} ms",
        f"{stored:,} bookings stored elsewhere: month p95 {elsewhere.month_p95 * 1000:.2f} "
        f"ms ({elsewhere.month_p95 / empty.month_p95:.2f}× empty), day p95 "
        f"{elsewhere.day_p95 * 1000:.2f} ms ({elsewhere.day_p95 / empty.day_p95:.2f}× empty)",
        f"and the month shown half booked ({in_month:,} bookings in it): month p95 "
        f"{full.month_p95 * 1000:.2f} ms ({full.month_p95 / empty.month_p95:.2f}× empty), "
        f"day p95 {full.day_p95 * 1000:.2f} ms ({full.day_p95 / empty.day_p95:.2f}× empty)",
    ]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=1_000_000)
    args = parser.parse_args()
    for line in await run(args.bookings):
        print(line)


if __name__ == "__main__":
    asyncio.run(main())

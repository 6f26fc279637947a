"""Scheduled messages at Telegram's pace, across a crash.

10 000 reminders fall due at once; the bot (`python -m bot`, polling the fake Bot API,
50 ms a call) sends them at OUTBOX_PACE (25 a second) and is killed with SIGKILL part way,
then started again. Afterwards every citizen should have exactly one reminder. Apart,
in this process: the window in which a crash can double a message, from Telegram's
answer to the database recording it. `python -m bench.outbox [--reminders N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bench.crowd import CATALOG, bot_process, ready, stop
from bot.delivery import sender
from bot.services import planning
from bot.startup import prepare
from storage import outbox
from storage.schema import bookings
from tests.conftest import make_settings, start_app
from tests.fakebot import FakeTelegram

PACE = 25
LATENCY = 0.05


def _booking(n: int, start: datetime, now: datetime) -> dict[str, Any]:
    return {"reference": f"R{n // 10000:03d}-{n % 10000:04d}", "uid": f"outbox-{n}@rantevou",
            "user_id": 300_000 + n,
            "municipality_id": "bench", "group_id": "bench-desk", "service_id": "bench-service",
            "desk": "bench-service", "seat": n % 20, "channel": "in_person",
            "start_at": start + timedelta(minutes=10 * (n // 20)),
            "end_at": start + timedelta(minutes=10 * (n // 20) + 10), "status": "booked",
            "name": "Πολίτης", "email": "p@example.com", "phone": "+306900000000",
            "consent_at": now, "locale": "el", "timezone": "Europe/Athens",
            "created_at": now, "updated_at": now}


async def plant(folder: Path, count: int, url: str = "") -> Path:
    """A database (at `url`, else a SQLite file) with `count` bookings, each with a
    reminder due now."""
    catalog = folder / "catalog.toml"
    catalog.write_text(CATALOG, encoding="utf-8")
    database = folder / "bench.db"  # where bench.crowd.bot_process points the bot
    services = await prepare(make_settings(folder, CATALOG_PATH=str(catalog),
                                           DATABASE_URL=url or f"sqlite+aiosqlite:///{database}"))
    now = datetime.now(UTC)
    start = now + timedelta(days=2)
    try:
        async with services.db.write() as conn:
            await conn.execute(insert(bookings), [_booking(n, start, now) for n in range(count)])
            ids = [row[0] for row in await conn.exec_driver_sql("SELECT id FROM bookings")]
            await outbox.add_all(conn, [outbox.Due(booking_id, now).item(
                planning.REMINDER, now - timedelta(seconds=1), chat_id=300_000 + n,
                payload={"minutes": 2880}) for n, booking_id in enumerate(ids)])
    finally:
        await services.db.close()
    return database


def pending(database: Path) -> int:
    with sqlite3.connect(database, timeout=30) as db:
        return int(db.execute("SELECT count(*) FROM outbox WHERE status = 'pending'")
                   .fetchone()[0])


def reminders(fake: FakeTelegram) -> Counter[int]:
    return Counter({chat: sum(m.text.startswith("⏰") for m in sent)
                    for chat, sent in fake.messages.items()})


async def until(done: Callable[[], bool], step: float, limit: float = 3600) -> None:
    for _ in range(int(limit / step)):
        if done():
            return
        await asyncio.sleep(step)
    raise TimeoutError("the bench waited an hour")


async def crash_run(count: int, kill_at: float) -> dict[str, Any]:
    fake = FakeTelegram()
    await fake.start()
    fake.latency = LATENCY
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        database = await plant(folder, count)
        extra = {"OUTBOX_PACE": str(PACE), "DISPATCH_INTERVAL": "1"}
        began = time.perf_counter()
        first = bot_process(fake, folder, extra=extra)
        killed_after = 0
        try:
            await ready(fake, first)
            await until(lambda: sum(reminders(fake).values()) >= count * kill_at, 0.2)
            first.send_signal(signal.SIGKILL)
            await asyncio.to_thread(first.wait)
            killed_after = sum(reminders(fake).values())
        finally:
            if first.poll() is None:
                first.kill()
        fake.calls.clear()
        second = bot_process(fake, folder, extra=extra)
        try:
            await ready(fake, second)
            await until(lambda: not pending(database), 0.5)
            took = time.perf_counter() - began
        finally:
            await stop(second)
            await fake.stop()
        received = reminders(fake)
    chats = [300_000 + n for n in range(count)]
    return {"took": took, "killed_after": killed_after,
            "lost": sum(received[c] == 0 for c in chats),
            "doubled": sum(received[c] > 1 for c in chats)}


async def window(count: int) -> list[float]:
    """Seconds from Telegram's answer to the item being recorded as sent, per item."""
    fake = FakeTelegram()
    await fake.start()
    fake.latency = LATENCY
    done: list[float] = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        database = await plant(folder, count)
        catalog = folder / "catalog.toml"
        services = await prepare(make_settings(folder, fake.base_url, CATALOG_PATH=str(catalog),
                                               DATABASE_URL=f"sqlite+aiosqlite:///{database}",
                                               OUTBOX_PACE=PACE))
        app = await start_app(services)
        send = sender._send

        async def timed(bot: Any, services: Any, item: outbox.Item, now: datetime) -> bool:
            sent = await send(bot, services, item, now)
            if sent and item.chat_id in fake.answered_at:
                done.append(time.perf_counter() - fake.answered_at[item.chat_id])
            return sent

        sender._send = timed  # type: ignore[assignment]
        loop = sender.Sender(app.bot, services, interval=1)
        loop.start()
        try:
            await until(lambda: not pending(database), 0.2)
        finally:
            await loop.stop()
            sender._send = send  # type: ignore[assignment]
            await app.shutdown()
            await services.db.close()
            await fake.stop()
    return done


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--kill-at", type=float, default=0.4, help="share sent before the kill")
    args = parser.parse_args()
    gaps = sorted(await window(500))
    print(f"at-least-once window (Telegram's answer → recorded as sent), {len(gaps)} items: "
          f"median {statistics.median(gaps) * 1000:.1f} ms, p99 "
          f"{gaps[int(len(gaps) * 0.99)] * 1000:.1f} ms")
    result = await crash_run(args.reminders, args.kill_at)
    print(f"{args.reminders} reminders due at once, {PACE}/s, {LATENCY * 1000:.0f} ms a call, "
          f"SIGKILL after {result['killed_after']} sent: all sent in {result['took']:.0f} s "
          f"({result['took'] / 60:.1f} min; ideal {args.reminders / PACE / 60:.1f} min); "
          f"lost {result['lost']}, doubled {result['doubled']}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    asyncio.run(main())

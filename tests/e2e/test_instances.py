"""Two instances on one PostgreSQL database behind a load balancer, one killed with SIGKILL
in the middle of a crowd booking: nothing lost, nothing done twice.

Telegram is the fake Bot API with a webhook pusher (tests/fakebot.py) that spreads the
updates over both instances, redelivers some after their acknowledgement, and sends to
the other instance whatever the dead one did not acknowledge.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text

from bench.crowd import CATALOG, Person, Taps, book_through
from bench.outbox import plant, until
from storage.db import Database
from tests.conftest import POSTGRES
from tests.e2e.test_webhook import SECRET, free_port, healthy
from tests.fakebot import TOKEN, FakeTelegram, WebhookPusher

pytestmark = pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL (make test runs it)")
CITIZENS = 100
REMINDERS = 200
PACE = 50


def instance(fake: FakeTelegram, folder: Path, database_url: str,
             port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": fake.base_url,
           "TELEGRAM_BASE_FILE_URL": fake.base_url.replace("/bot", "/file/bot"),
           "DATABASE_URL": database_url, "CATALOG_PATH": str(folder / "catalog.toml"),
           "WEBHOOK_URL": "https://rantevou.example.gov.gr/telegram",
           "WEBHOOK_SECRET": SECRET, "WEBHOOK_PORT": str(port),
           "OUTBOX_PACE": str(PACE), "OUTBOX_LEASE": "3", "DISPATCH_INTERVAL": "0.5",
           "UPDATES_IN_FLIGHT": "16"}  # two pools within the test server's connections
    return subprocess.Popen([sys.executable, "-m", "bot"], env=env,
                            stdout=subprocess.DEVNULL,
                            stderr=(folder / f"bot-{port}.log").open("wb"))


async def test_two_instances_one_killed_nothing_lost_nothing_twice(
        tmp_path: Path, fake: FakeTelegram, database_url: str) -> None:
    (tmp_path / "catalog.toml").write_text(CATALOG, encoding="utf-8")
    await plant(tmp_path, REMINDERS, database_url)  # reminders due now, to chats of their own
    ports = [free_port(), free_port()]
    bots = [instance(fake, tmp_path, database_url, port) for port in ports]
    pusher = WebhookPusher(fake, [f"http://127.0.0.1:{p}/telegram" for p in ports], SECRET,
                           redeliver=7, timeout=20)
    try:
        for port, process in zip(ports, bots, strict=True):
            await healthy(port, lambda p=process: p.poll() is not None)
        await pusher.start()
        taps = Taps()
        rng = random.Random(7)
        crowd = [asyncio.create_task(book_through(Person(fake, 500_000 + n), taps, rng,
                                                  500_000 + n)) for n in range(CITIZENS)]
        await until(lambda: taps.updates >= CITIZENS * 6, 0.05, limit=120)  # part way
        bots[0].send_signal(signal.SIGKILL)
        finished = await asyncio.wait_for(asyncio.gather(*crowd), timeout=300)
        await _until_sent(database_url)
    finally:
        await pusher.stop()
        for process in bots:
            if process.poll() is None:
                process.terminate()
            await asyncio.to_thread(process.wait)
    log = (tmp_path / f"bot-{ports[1]}.log").read_text(errors="replace")[-3000:]
    assert all(finished), (sum(finished), log)
    assert pusher.retried > 0  # the dead instance's updates went to the survivor

    db = Database(database_url)
    try:
        async with db.read() as conn:
            per_user = Counter(row[0] for row in await conn.execute(text(
                "SELECT user_id FROM bookings WHERE status = 'booked' AND user_id >= 500000")))
            seats = await conn.execute(text(
                "SELECT desk, start_at, seat, count(*) FROM bookings WHERE status = 'booked' "
                "AND user_id >= 500000 GROUP BY desk, start_at, seat HAVING count(*) > 1"))
            booked_twice = await conn.execute(text(
                "SELECT booking_id FROM booking_events WHERE kind = 'booked' "
                "GROUP BY booking_id HAVING count(*) > 1"))
            seat_rows, event_rows = seats.all(), booked_twice.all()
    finally:
        await db.close()
    assert sorted(per_user) == [500_000 + n for n in range(CITIZENS)]
    assert set(per_user.values()) == {1}
    assert seat_rows == [] and event_rows == []
    confirmed = [chat for chat in per_user
                 if any("επιβεβαιώθηκε" in m.text for m in fake.bot_messages(chat))]
    assert len(confirmed) == CITIZENS

    reminders = Counter({chat: sum(m.text.startswith("⏰") for m in fake.bot_messages(chat))
                         for chat in range(300_000, 300_000 + REMINDERS)})
    assert min(reminders.values()) == 1  # none lost
    # At least once: what the killed instance had sent but not yet recorded (its last
    # pass, at most a second's pace) is sent again by the survivor.
    assert sum(n - 1 for n in reminders.values()) <= PACE


async def _until_sent(database_url: str) -> None:
    db = Database(database_url)
    try:
        for _ in range(600):
            async with db.read() as conn:
                left = (await conn.execute(text(
                    "SELECT count(*) FROM outbox WHERE status = 'pending' "
                    "AND due_at <= now()"))).scalar_one()
            if not left:
                return
            await asyncio.sleep(0.2)
    finally:
        await db.close()
    raise AssertionError("the outbox was not emptied")


async def test_polling_beside_webhook_instances_stops_in_one_line(
        tmp_path: Path, fake: FakeTelegram, database_url: str) -> None:
    (tmp_path / "catalog.toml").write_text(CATALOG, encoding="utf-8")
    port = free_port()
    webhook = instance(fake, tmp_path, database_url, port)
    try:
        await healthy(port, lambda: webhook.poll() is not None)
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": fake.base_url,
               "DATABASE_URL": database_url, "CATALOG_PATH": str(tmp_path / "catalog.toml")}
        poller = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", env=env, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        _, stderr = await asyncio.wait_for(poller.communicate(), timeout=60)
    finally:
        webhook.terminate()
        await asyncio.to_thread(webhook.wait)
    refused = stderr.decode()
    assert poller.returncode == 2
    assert "Another instance runs on this database" in refused and refused.count("\n") == 1
    assert fake.webhook and not any(method == "getUpdates" for method, _ in fake.calls)

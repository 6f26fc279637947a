"""A crowd of simulated citizens on the fake Bot API, and the bots they talk to.

The bot under test runs in a process of its own (`python -m bot`, polling the fake API on
loopback), as it runs in production; the fake API and the citizens share this process.
Each citizen taps, waits until the bot has answered in their chat (a message sent or
edited), reads the screen and taps again: a closed loop, as people are. Reading takes a
person a moment (`think`: on average so many seconds, from half to one and a half times
it); with none, the crowd taps as fast as the bot answers, which measures how many
updates a second the bot can take, not how long a person waits.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from storage.db import Database
from storage.migrate import migrate
from tests.fakebot import TOKEN, FakeTelegram, Sent

ROOT = Path(__file__).resolve().parent.parent
ANSWER_TIMEOUT = 120.0
_update_ids = itertools.count(1)
_query_ids = itertools.count(1)

CATALOG = """\
[[municipality]]
id = "bench"
name = { el = "ΔΗΜΟΣ ΔΟΚΙΜΩΝ", en = "Municipality of Tests" }
address = { el = "Πλατεία 1", en = "1 Square" }
consent = { el = "Δηλώνω υπεύθυνα ότι τα στοιχεία μου είναι αληθή.", en = "I declare it." }
max_active_total = 5

[[municipality.group]]
id = "bench-desk"
name = { el = "Γραφείο εξυπηρέτησης", en = "Service desk" }
hours = { mon = ["08:00-20:00"], tue = ["08:00-20:00"], wed = ["08:00-20:00"], \
thu = ["08:00-20:00"], fri = ["08:00-20:00"], sat = ["08:00-20:00"], sun = ["08:00-20:00"] }

[[municipality.group.service]]
id = "bench-service"
name = { el = "Βεβαίωση", en = "Certificate" }
channels = ["in_person"]
duration = 10
capacity = 20
min_notice_hours = 0
horizon_days = 30
"""


@dataclass
class Taps:
    """What a run measured: each tap's time to its answer, and how citizens ended."""

    latencies: list[float] = field(default_factory=list)
    finished: int = 0
    lost: int = 0  # waited in vain, or found a screen they did not expect
    updates: int = 0
    calls: int = 0  # Bot API calls the bot made meanwhile (getUpdates aside)


class Person:
    """One simulated citizen in their private chat."""

    def __init__(self, fake: FakeTelegram, user_id: int, think: float = 0.0) -> None:
        self.fake, self.id, self.think = fake, user_id, think
        self.rng = random.Random(user_id)
        self.user = {"id": user_id, "is_bot": False, "first_name": "Πολίτης",
                     "language_code": "el"}

    async def screen(self) -> Sent | None:
        """The newest message with buttons to press, once the bot has shown it (an answer
        can be a note first, then the next step)."""
        for _ in range(3):
            messages = self.fake.bot_messages(self.id)
            newest = messages[-1] if messages else None
            markup = (newest.reply_markup or {}) if newest else {}
            if newest and ("inline_keyboard" in markup or "keyboard" in markup):
                return newest
            count = self.fake.changes.get(self.id, 0)
            if not await self.fake.changed_since(self.id, count, within=ANSWER_TIMEOUT):
                return None
        return None

    async def _deliver(self, payload: dict[str, Any], taps: Taps) -> bool:
        if self.think:  # reading the screen before the tap
            await asyncio.sleep(self.think * self.rng.uniform(0.5, 1.5))
        before = self.fake.changes.get(self.id, 0)
        began = time.perf_counter()
        await self.fake.updates.put({"update_id": next(_update_ids), **payload})
        taps.updates += 1
        answered = await self.fake.changed_since(self.id, before, within=ANSWER_TIMEOUT)
        if answered:
            taps.latencies.append(time.perf_counter() - began)
        return answered

    def _message(self, **content: Any) -> dict[str, Any]:
        message_id = self.fake.new_message_id(self.id)
        self.fake.store(Sent(self.id, message_id, False, text=content.get("text", "")))
        return {"message_id": message_id, "date": int(time.time()), "from": self.user,
                "chat": {"id": self.id, "type": "private", "first_name": "Πολίτης"},
                **content}

    async def send(self, text: str, taps: Taps) -> bool:
        message = self._message(text=text)
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(text.split()[0])}]
        return await self._deliver({"message": message}, taps)

    async def share_contact(self, taps: Taps) -> bool:
        contact = {"phone_number": f"3069{self.id % 10**8:08d}", "first_name": "Πολίτης",
                   "user_id": self.id}
        return await self._deliver({"message": self._message(contact=contact)}, taps)

    async def press(self, message: Sent, data: str, taps: Taps) -> bool:
        query = {"id": str(next(_query_ids)), "from": self.user, "chat_instance": "ci",
                 "message": message.as_dict(), "data": data}
        return await self._deliver({"callback_query": query}, taps)


TYPED = ("name", "email", "address", "notes", "requirements", "third_email")


def buttons(message: Sent, step: str) -> list[str]:
    return [b["callback_data"] for b in message.buttons
            if str(b.get("callback_data", "")).startswith(f"1|{step}|")]


class Tapper(Protocol):
    async def screen(self) -> Sent | None: ...
    async def send(self, text: str, taps: Taps) -> bool: ...
    async def share_contact(self, taps: Taps) -> bool: ...
    async def press(self, message: Sent, data: str, taps: Taps) -> bool: ...


async def book_through(person: Tapper, taps: Taps, rng: random.Random,
                       user_id: int) -> bool:
    """The whole booking flow, reading each screen as it comes; True once booked."""
    if not await person.send("/start", taps):
        return False
    for _ in range(40):
        screen = await person.screen()
        if screen is None:
            return False
        markup = screen.reply_markup or {}
        if "keyboard" in markup:  # the phone step's contact button
            ok = await person.share_contact(taps)
        elif buttons(screen, "rs"):  # the confirmation: booked
            return True
        elif choices := (buttons(screen, "m") or buttons(screen, "g")
                         or buttons(screen, "s") or buttons(screen, "c")):
            ok = await person.press(screen, choices[0], taps)
        elif days := buttons(screen, "d"):
            ok = await person.press(screen, rng.choice(days), taps)
        elif times := buttons(screen, "t"):
            ok = await person.press(screen, rng.choice(times), taps)
        elif (back := buttons(screen, "back")) and back[0].split("|")[2] in TYPED:
            field_name, keep = back[0].split("|")[2], buttons(screen, "keep")
            if field_name == "name":
                ok = await person.send("Πολίτης Δοκιμαστικός", taps)
            elif field_name == "email":
                ok = await person.send(f"citizen{user_id}@example.com", taps)
            else:
                ok = await person.press(screen, keep[0], taps)  # skip
        elif answers := buttons(screen, "yn"):
            ok = await person.press(screen, answers[-1], taps)  # no third person
        elif accept := buttons(screen, "ok"):
            ok = await person.press(screen, accept[0], taps)
        elif book := buttons(screen, "book"):
            ok = await person.press(screen, book[0], taps)
        else:
            return False
        if not ok:
            return False
    return False


async def chat_through(person: Person, taps: Taps, messages: int) -> bool:
    """For the echo bot: so many messages, each waiting for its echo."""
    for n in range(messages):
        if not await person.send(f"hello {n}", taps):
            return False
    return True


def database_url(folder: Path) -> str:
    return f"sqlite+aiosqlite:///{folder / 'bench.db'}"


async def migrated(folder: Path) -> None:
    """The bench's database at the newest revision, as a restarted deployment finds it (a
    first start also imports Alembic to migrate: 10 MB more, storage/migrate.py)."""
    db = Database(database_url(folder))
    try:
        await migrate(db)
    finally:
        await db.close()


def bot_process(fake: FakeTelegram, folder: Path, *, echo: bool = False,
                extra: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Rantevou (`python -m bot`) or the echo bot, polling the fake API."""
    catalog = folder / "catalog.toml"
    catalog.write_text(CATALOG, encoding="utf-8")
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": fake.base_url,
           "TELEGRAM_BASE_FILE_URL": fake.base_url.replace("/bot", "/file/bot"),
           "DATABASE_URL": database_url(folder),
           "CATALOG_PATH": str(catalog), "PYTHONPATH": str(ROOT), **(extra or {})}
    command = [sys.executable, "-m", "bench.echo"] if echo else [sys.executable, "-m", "bot"]
    if (runner := os.environ.get("BENCH_RUNNER")) and not echo:  # e.g. under a profiler
        command = [sys.executable, runner]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=(folder / "bot.log").open("wb"))


async def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the bot as systemd would (SIGINT), while the fake API still answers it."""
    process.send_signal(signal.SIGINT)
    try:
        await asyncio.to_thread(process.wait, 60)
    except subprocess.TimeoutExpired:
        process.kill()
        await asyncio.to_thread(process.wait)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def ready(fake: FakeTelegram, process: subprocess.Popen[bytes]) -> None:
    """Wait (a minute at most) until the bot polls (its first getUpdates)."""
    for _ in range(1200):
        if any(method == "getUpdates" for method, _ in fake.calls):
            return
        if process.poll() is not None:
            raise RuntimeError("the bot stopped before it polled")
        await asyncio.sleep(0.05)
    raise RuntimeError("the bot did not start polling")

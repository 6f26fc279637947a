"""SQL statements and write transactions per update, counted with SQLAlchemy's events
while citizens book through the fake Bot API (in this process)."""

from __future__ import annotations

import asyncio
import random
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.crowd import CATALOG, Taps, book_through
from bot.startup import prepare
from tests.chat import Citizen
from tests.conftest import FrozenClock, make_settings, start_app
from tests.fakebot import FakeTelegram, Sent


class InProcess:
    """A citizen of the tests, tapping as the crowd's citizens do."""

    def __init__(self, citizen: Citizen) -> None:
        self.citizen = citizen

    async def screen(self) -> Sent | None:
        messages = self.citizen.messages
        return messages[-1] if messages else None

    async def send(self, text: str, taps: Taps) -> bool:
        taps.updates += 1
        await self.citizen.send(text)
        return True

    async def share_contact(self, taps: Taps) -> bool:
        taps.updates += 1
        await self.citizen.share_contact(f"3069{self.citizen.id % 10**8:08d}")
        return True

    async def press(self, message: Sent, data: str, taps: Taps) -> bool:
        taps.updates += 1
        await self.citizen.press_data(data, message)
        return True


class Counts:
    def __init__(self) -> None:
        self.statements = 0
        self.writes = 0
        self.kinds: Counter[str] = Counter()

    def watch(self, engine: Any) -> None:
        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def statement(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
            self.statements += 1
            self.kinds[sql.split(None, 1)[0].upper()] += 1
            if sql.startswith("BEGIN IMMEDIATE"):
                self.writes += 1


async def measure(citizens: int = 5) -> tuple[float, float, Counter[str], int]:
    fake = FakeTelegram()
    await fake.start()
    with tempfile.TemporaryDirectory() as folder:
        catalog = Path(folder) / "catalog.toml"
        catalog.write_text(CATALOG, encoding="utf-8")
        settings = make_settings(Path(folder), fake.base_url, CATALOG_PATH=str(catalog))
        services = await prepare(settings, FrozenClock())
        app = await start_app(services)
        counts = Counts()
        counts.watch(services.db.engine)
        taps = Taps()
        rng = random.Random(3)
        try:
            for n in range(citizens):
                person = Citizen(fake, app, user_id=30_000 + n)
                person.sends_outbox = False  # the outbox is counted apart: this is per update
                assert await book_through(InProcess(person), taps, rng, person.id)
        finally:
            await app.shutdown()
            await services.db.close()
            await fake.stop()
    total = taps.updates
    return counts.statements / total, counts.writes / total, counts.kinds, total


async def main() -> None:
    per_update, writes, kinds, total = await measure()
    print(f"{total} updates: {per_update:.1f} SQL statements and {writes:.2f} write "
          f"transactions per update ({dict(kinds.most_common())})")


if __name__ == "__main__":
    asyncio.run(main())

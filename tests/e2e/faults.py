"""The bot as deployed, for fault tests: it can be killed in the middle of an update (the
process gone, nothing after that moment runs) and started again on the same database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, cast

from bot.app import App
from bot.ptb import turn
from bot.ptb.request import AiohttpRequest
from bot.services.runtime import Services
from bot.settings import Settings
from bot.startup import prepare
from tests.chat import Citizen
from tests.conftest import FrozenClock, drain, start_app
from tests.fakebot import FakeTelegram

CLIENT_TIMEOUT = 0.3  # seconds the bot waits for Telegram's answer, here (5 in production)
LATE = 1.0  # a late answer comes after this long: after the client's timeout


class Deployment:
    def __init__(self, settings: Settings, clock: FrozenClock, fake: FakeTelegram) -> None:
        self.settings, self.clock, self.fake = settings, clock, fake
        self.services: Services | None = None
        self.app: App | None = None
        self.restarts = 0

    async def start(self) -> None:
        self.services = await prepare(self.settings, self.clock)
        self.app = await start_app(self.services)
        # The client gives up soon, so that an answer after its timeout costs little time.
        cast(AiohttpRequest, self.app.bot.request)._read = CLIENT_TIMEOUT

    async def stop(self) -> None:
        if self.app is not None and self.services is not None:
            await self.app.shutdown()
            await self.services.db.close()
        self.app = self.services = None

    def citizen(self, **kwargs: Any) -> Citizen:
        if self.app is None:
            raise RuntimeError("the bot is not running")
        return Citizen(self.fake, self.app, **kwargs)

    async def until_hung(self, action: Awaitable[None]) -> bool:
        """Run the action until it ends or a call hangs (then it is killed: True)."""
        task = asyncio.ensure_future(action)
        hung = asyncio.ensure_future(self.fake.hung.wait())
        await asyncio.wait([task, hung], return_when=asyncio.FIRST_COMPLETED)
        hung.cancel()
        if task.done():
            task.result()
            return False
        await self.kill(task)
        return True

    async def kill(self, task: asyncio.Future[None]) -> None:
        """The process dies: the update's task stops where it is; what only it knew (the
        ids it carried in memory) is gone; a new process starts on the same database."""
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        turn._carried.clear()
        self.fake.release()
        await self.stop()
        await self.start()
        self.restarts += 1

    async def later(self, minutes: int = 5, rounds: int = 5) -> None:
        """Time passes and the outbox's sender runs, as it would every few seconds."""
        if self.app is None or self.services is None:
            raise RuntimeError("the bot is not running")
        for _ in range(rounds):
            self.clock.advance(minutes=minutes)
            await drain(self.app.bot, self.services)

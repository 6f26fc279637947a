"""Updates of different chats concurrently, one chat's strictly in arrival order.

PTB's own `concurrent_updates=True` runs every update as soon as it arrives, so two
presses of one citizen race through the conversation. Here each chat's updates wait for
the one before them (a chain of futures per chat, joined synchronously on arrival, so the
order is the order PTB hands them over), and at most `in_flight` handlers run at once
across chats; a waiting update holds no slot. Each runs in its own turn (bot/ptb/turn.py):
one transaction, then the replies.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor

from bot.domain.privacy import failure
from bot.ptb.turn import chat_key, turn_of
from bot.services import lookups
from bot.services.runtime import Services

log = logging.getLogger(__name__)
UNBOUNDED = 1 << 30  # PTB's semaphore never blocks: the bound is ours, after the ordering

Replay = Callable[[Update], Awaitable[None]]


class ChatOrderedProcessor(BaseUpdateProcessor):
    def __init__(self, services: Services, in_flight: int = 64) -> None:
        super().__init__(UNBOUNDED)
        self.services = services
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None
        self.replay: Replay | None = None  # shows a redelivered update's chat where it is
        self.failed: Callable[[Update], Awaitable[None]] | None = None  # tells of a failure
        self.wake: Callable[[], None] | None = None  # the outbox's sender: look now
        self._slots = asyncio.BoundedSemaphore(in_flight)
        self._tails: dict[int | None, asyncio.Future[None]] = {}
        self.closing = False

    async def initialize(self) -> None:
        self.closing = False

    async def shutdown(self) -> None:
        """Finish what is in hand (new updates are refused by the caller meanwhile)."""
        self.closing = True
        if self._tails:
            await asyncio.gather(*self._tails.values(), return_exceptions=True)

    @property
    def busy(self) -> int:
        return len(self._tails)

    async def do_process_update(self, update: object,
                                coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        before = self._tails.get(key) if key is not None else None
        if key is not None:
            self._tails[key] = done
        try:
            if before is not None:
                await asyncio.shield(before)
            async with self._slots:
                await self._process(update, coroutine)
        finally:
            done.set_result(None)
            if key is not None and self._tails.get(key) is done:
                del self._tails[key]

    async def _process(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not isinstance(update, Update) or self.application is None:
            await coroutine
            return
        try:
            async with turn_of(self.services, update) as turn:
                if turn.duplicate:
                    _close(coroutine)
                    log.info("update %s was processed before: shown again", update.update_id)
                    if self.replay is not None:
                        await self.replay(update)
                else:
                    await coroutine
        except Exception as error:  # the database failed us: nothing was kept; say so
            _close(coroutine)
            log.error("update %s could not be processed: %s", update.update_id, failure(error))
            if self.failed is not None:
                await self.failed(update)
            return
        if turn.wake_outbox and self.wake is not None:
            self.wake()
        await turn.replies.deliver(self.application.bot)
        if turn.replies.learned:  # what the replies taught, once they went out
            async with self.services.db.write() as conn:
                await lookups.learn(conn, turn.replies.learned, self.services.clock())


def _close(coroutine: Awaitable[Any]) -> None:
    if isinstance(coroutine, Coroutine):
        coroutine.close()

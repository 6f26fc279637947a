"""The repeating job: the outbox is sent from here (see bot.dispatch)."""

from __future__ import annotations

import asyncio
import logging
from datetime import time
from typing import Any

from telegram.ext import Application, CallbackContext

from bot.delivery.sender import dispatch
from bot.ptb.context import Context
from bot.ptb.processor import ChatOrderedProcessor
from bot.services.retention import erase_old, forget_abandoned_drafts
from bot.services.runtime import Services

log = logging.getLogger(__name__)
_running = asyncio.Lock()  # one dispatch at a time: an item is never picked twice


async def dispatch_job(ctx: CallbackContext[Any, Any, Any, Any]) -> None:
    services: Services = ctx.application.bot_data[Context.SERVICES_KEY]
    async with _running:
        await dispatch(ctx.bot, services)


async def retention_job(ctx: CallbackContext[Any, Any, Any, Any]) -> None:
    services: Services = ctx.application.bot_data[Context.SERVICES_KEY]
    now = services.clock()
    async with services.db.write() as conn:
        erased = await erase_old(conn, now, services.settings.RETENTION_DAYS)
        forgotten = await forget_abandoned_drafts(conn, now)
    if erased or forgotten:
        log.info("personal data of %d old bookings erased; %d abandoned drafts forgotten",
                 erased, forgotten)


def schedule(application: Application[Any, Any, Any, Any, Any, Any],
             services: Services) -> None:
    """The outbox every few seconds; the retention job at start and every night."""
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("python-telegram-bot[job-queue] is not installed")
    settings = services.settings
    processor = application.update_processor
    if isinstance(processor, ChatOrderedProcessor):  # a turn that wrote to the outbox

        def wake() -> None:
            queue.run_once(dispatch_job, 0, name="dispatch-now")

        processor.wake = wake
    queue.run_repeating(dispatch_job, interval=settings.DISPATCH_INTERVAL, first=1,
                        name="dispatch")
    queue.run_once(retention_job, 30, name="retention-at-start")
    queue.run_daily(retention_job, time(3, 30, tzinfo=settings.zone), name="retention")

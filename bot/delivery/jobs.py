"""The repeating job: the outbox is sent from here (see bot.dispatch)."""

from __future__ import annotations

import asyncio
import logging
from datetime import time
from typing import Any

from telegram.ext import Application, CallbackContext

from bot.delivery.sender import dispatch
from bot.ptb.context import Context
from bot.services.retention import abandoned_drafts, erase_old
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
    erased = await erase_old(services.db, now, services.settings.RETENTION_DAYS)
    for user_id in await abandoned_drafts(services.db, now):
        ctx.application.drop_user_data(user_id)  # the persistence drops its row too
    if erased:
        log.info("personal data of %d old bookings erased", erased)


def schedule(application: Application[Any, Any, Any, Any, Any, Any],
             services: Services) -> None:
    """The outbox every few seconds; the retention job at start and every night."""
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("python-telegram-bot[job-queue] is not installed")
    settings = services.settings
    queue.run_repeating(dispatch_job, interval=settings.DISPATCH_INTERVAL, first=1,
                        name="dispatch")
    queue.run_once(retention_job, 30, name="retention-at-start")
    queue.run_daily(retention_job, time(3, 30, tzinfo=settings.zone), name="retention")

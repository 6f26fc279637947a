"""The repeating job: the outbox is sent from here (see bot.dispatch)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.ext import Application, CallbackContext

from bot.context import Context, Services
from bot.dispatch import dispatch

log = logging.getLogger(__name__)
_running = asyncio.Lock()  # one dispatch at a time: an item is never picked twice


async def dispatch_job(ctx: CallbackContext[Any, Any, Any, Any]) -> None:
    services: Services = ctx.application.bot_data[Context.SERVICES_KEY]
    async with _running:
        await dispatch(ctx.bot, services)


def schedule(application: Application[Any, Any, Any, Any, Any, Any], interval: float) -> None:
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("python-telegram-bot[job-queue] is not installed")
    queue.run_repeating(dispatch_job, interval=interval, first=1, name="dispatch")

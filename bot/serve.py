"""Running the bot: by polling (one instance) or by webhook (any number behind a load
balancer), until SIGINT or SIGTERM, and then stopping gracefully."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator
from typing import Any

from telegram import Update

from bot.app import App, started
from bot.delivery import jobs
from bot.services.runtime import Services

log = logging.getLogger(__name__)
GRACE = 30  # seconds the updates in hand may take to finish when stopping


async def run(application: App, services: Services) -> None:
    """Serve until told to stop (the caller holds `storage.locks.hold_instance`)."""
    webhook = bool(services.settings.WEBHOOK_URL)
    async with application:
        await started(application, services)
        await application.start()
        try:
            if webhook:
                # uvicorn and starlette are imported only where webhooks are taken: a
                # poller need not hold them (2 MB).
                from bot import webhook_server

                await webhook_server.serve(application, services)
            else:
                await _by_polling(application)
        finally:
            await application.stop()
            await jobs.stop(application)


async def _by_polling(application: App) -> None:
    updater = application.updater
    if updater is None:
        raise RuntimeError("the application was built without an updater")
    stopping = asyncio.Event()
    with on_signals(stopping.set):
        await updater.start_polling(allowed_updates=Update.ALL_TYPES)
        await stopping.wait()
        log.info("stopping: finishing the updates in hand")
        await updater.stop()


@contextlib.contextmanager
def on_signals(stop: Any) -> Iterator[None]:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    try:
        yield
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)

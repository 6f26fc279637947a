"""Running the bot: by polling (one instance) or by webhook (any number behind a load
balancer), until SIGINT or SIGTERM, and then stopping gracefully."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator
from typing import Any

import uvicorn
from telegram import Update

from bot.app import App, started
from bot.delivery import jobs
from bot.ptb.webhook import Webhook
from bot.services.runtime import Services
from storage import locks

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
                await _by_webhook(application, services)
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
    with _on_signals(stopping.set):
        await updater.start_polling(allowed_updates=Update.ALL_TYPES)
        await stopping.wait()
        log.info("stopping: finishing the updates in hand")
        await updater.stop()


async def _by_webhook(application: App, services: Services) -> None:
    settings = services.settings
    hook = Webhook(application, services, settings.webhook_path, settings.WEBHOOK_SECRET)
    await _set_webhook(application, services)
    config = uvicorn.Config(hook.asgi, host=settings.WEBHOOK_LISTEN, port=settings.WEBHOOK_PORT,
                            lifespan="off", log_level="warning",
                            timeout_graceful_shutdown=GRACE)
    server = _Server(config, hook)
    log.info("taking updates at %s on %s:%d", settings.webhook_path, settings.WEBHOOK_LISTEN,
             settings.WEBHOOK_PORT)
    await server.serve()


async def _set_webhook(application: App, services: Services) -> None:
    """Point Telegram at WEBHOOK_URL (idempotent, so every instance does it as it starts);
    of instances starting together, one does it and the others leave it to that one."""
    settings = services.settings
    async with services.db.write() as conn:
        if not await locks.try_exclusive(conn, "set-webhook"):
            return
        await application.bot.set_webhook(settings.WEBHOOK_URL,
                                          secret_token=settings.WEBHOOK_SECRET,
                                          allowed_updates=Update.ALL_TYPES,
                                          # Telegram's range, for all instances together
                                          max_connections=min(settings.UPDATES_IN_FLIGHT, 100))


class _Server(uvicorn.Server):
    """uvicorn, told by our signal handlers to stop: the webhook answers 503 at once, the
    requests in hand finish (within GRACE), then the server returns."""

    def __init__(self, config: uvicorn.Config, hook: Webhook) -> None:
        super().__init__(config)
        self.hook = hook

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with _on_signals(self._stop):
            yield

    def _stop(self) -> None:
        log.info("stopping: finishing the updates in hand, answering the rest 503")
        self.hook.closing = True
        self.should_exit = True


@contextlib.contextmanager
def _on_signals(stop: Any) -> Iterator[None]:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    try:
        yield
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)

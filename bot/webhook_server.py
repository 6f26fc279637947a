"""Taking updates by webhook: the ASGI app (bot/ptb/webhook.py) served by uvicorn, Telegram
pointed at it once, and a graceful stop on SIGTERM or SIGINT."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import uvicorn
from telegram import Update

from bot.app import App
from bot.ptb.webhook import Webhook
from bot.serve import GRACE, on_signals
from bot.services.runtime import Services
from storage import locks

log = logging.getLogger(__name__)


async def serve(application: App, services: Services) -> None:
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
        with on_signals(self._stop):
            yield

    def _stop(self) -> None:
        log.info("stopping: finishing the updates in hand, answering the rest 503")
        self.hook.closing = True
        self.should_exit = True

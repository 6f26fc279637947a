"""`python -m bot`: check the settings, prepare the database and catalog, poll Telegram."""

from __future__ import annotations

import asyncio
import logging
import sys

from telegram import Update

from bot.app import build_application
from bot.domain.catalog import CatalogError
from bot.services.runtime import Services
from bot.settings import NO_TOKEN_HELP, Settings, SettingsError, load_settings
from bot.startup import prepare


async def _prepare(settings: Settings) -> Services:
    services = await prepare(settings)
    # Polling runs in an event loop of its own: let it open its own connections.
    await services.db.engine.dispose()
    return services


def main() -> int:
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    if not settings.TELEGRAM_BOT_TOKEN:
        print(NO_TOKEN_HELP, file=sys.stderr)
        return 2
    try:
        services = asyncio.run(_prepare(settings))
    except CatalogError as error:
        print(f"Catalog error: {error}", file=sys.stderr)
        return 2
    application = build_application(services)
    logging.getLogger("bot").info(
        "Rantevou is running: %d municipalities, database %s",
        len(services.catalog.municipalities),
        services.db.engine.url.render_as_string(hide_password=True),
    )
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    sys.exit(main())

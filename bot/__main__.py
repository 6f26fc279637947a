"""`python -m bot`: check the settings, prepare the database and catalog, then take
updates from Telegram (polling, or by webhook when WEBHOOK_URL is set)."""

from __future__ import annotations

import asyncio
import logging
import sys

from bot import serve
from bot.app import build_application
from bot.domain.catalog import CatalogError
from bot.settings import NO_TOKEN_HELP, Settings, SettingsError, load_settings
from bot.startup import connect, prepare
from storage.locks import InstanceConflict, hold_instance


async def _run(settings: Settings) -> None:
    db = connect(settings)
    try:
        # Refused before anything is touched when another instance may not run beside this one.
        async with hold_instance(db.engine, db.path, polling=not settings.WEBHOOK_URL):
            services = await prepare(settings, db=db)
            application = build_application(services)
            logging.getLogger("bot").info(
                "Rantevou is running (%s): %d municipalities, database %s",
                "webhook" if settings.WEBHOOK_URL else "polling",
                len(services.catalog.municipalities),
                db.engine.url.render_as_string(hide_password=True),
            )
            await serve.run(application, services)
    finally:
        await db.close()


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
        asyncio.run(_run(settings))
    except CatalogError as error:
        print(f"Catalog error: {error}", file=sys.stderr)
        return 2
    except InstanceConflict as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

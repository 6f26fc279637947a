"""Getting ready to serve: database schema, catalog, services."""

from __future__ import annotations

from bot.services.catalog import load_catalog, store_catalog
from bot.services.runtime import Clock, Services, system_clock
from bot.settings import Settings
from storage.db import Database
from storage.migrate import migrate


async def prepare(settings: Settings, clock: Clock = system_clock,
                  db: Database | None = None) -> Services:
    """Migrate the database and load the catalog into it (both idempotent)."""
    catalog = load_catalog(settings.catalog_path)
    db = db or connect(settings)
    await migrate(db)
    async with db.write() as conn:
        await store_catalog(conn, catalog, clock())
    return Services(settings=settings, db=db, catalog=catalog, clock=clock)


def connect(settings: Settings) -> Database:
    return Database(settings.DATABASE_URL, settings.UPDATES_IN_FLIGHT)

"""Getting ready to serve: database schema, catalog, services."""

from __future__ import annotations

from typing import Any

from bot.domain.catalog import Catalog, load_catalog
from bot.ptb.context import Clock, Services, system_clock
from bot.settings import Settings
from storage.catalog import Entry, SyncReport, sync_entries
from storage.db import Database
from storage.migrate import migrate


def catalog_entries(catalog: Catalog) -> list[Entry]:
    """The catalog as rows: one per municipality, group and service."""
    rows = []
    for municipality in catalog.municipalities:
        rows.append(Entry("municipality", municipality.id, None, _data(municipality, "groups")))
        for group in municipality.groups:
            rows.append(Entry("group", group.id, municipality.id, _data(group, "services")))
            for service in group.services:
                rows.append(Entry("service", service.id, group.id, _data(service)))
    return rows


def _data(model: Any, *children: str) -> dict[str, Any]:
    data: dict[str, Any] = model.model_dump(mode="json", exclude=set(children))
    return data


async def store_catalog(db: Database, catalog: Catalog, clock: Clock) -> SyncReport:
    async with db.write() as conn:
        return await sync_entries(conn, catalog_entries(catalog), clock())


async def prepare(settings: Settings, clock: Clock = system_clock) -> Services:
    """Migrate the database and load the catalog into it (both idempotent)."""
    catalog = load_catalog(settings.catalog_path)
    db = Database(settings.DATABASE_URL)
    await migrate(db)
    await store_catalog(db, catalog, clock)
    return Services(settings=settings, db=db, catalog=catalog, clock=clock)

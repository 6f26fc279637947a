"""The catalog: read from its file, checked, and kept in the database for the bookings."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.catalog import Catalog, CatalogError, parse_catalog
from bot.services import offering
from storage.catalog import Entry, SyncReport, sync_entries


def load_catalog(path: Path) -> Catalog:
    """Read and validate the catalog file; raise `CatalogError` naming file, entry and field."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"{path}: file not found (check CATALOG_PATH)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path}: not valid TOML: {exc}") from None
    return parse_catalog(raw, str(path))


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


async def store_catalog(conn: AsyncConnection, catalog: Catalog, now: datetime) -> SyncReport:
    """Keep the database's copy of the catalog in step (entries gone are kept, inactive)."""
    return await sync_entries(conn, catalog_entries(catalog), now)


async def apply_catalog(conn: AsyncConnection, before: Catalog, after: Catalog,
                        zone: ZoneInfo, now: datetime) -> SyncReport:
    """/reload: store the new catalog, and offer the waitlist the times it makes bookable
    that were not, in the same transaction."""
    report = await store_catalog(conn, after, now)
    await offering.offer_opened(conn, before, after, zone, now)
    return report

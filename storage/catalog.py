"""The catalog's copy in the database: bookings keep pointing at entries that still exist."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import catalog_entries


class Entry(NamedTuple):
    kind: str
    id: str
    parent_id: str | None
    data: dict[str, Any]


class SyncReport(NamedTuple):
    added: list[str]
    changed: list[str]
    removed: list[str]


async def sync_entries(
    conn: AsyncConnection, entries: Iterable[Entry], now: datetime
) -> SyncReport:
    """Make the table match `entries`; entries no longer listed are kept but marked inactive."""
    rows = await conn.execute(select(catalog_entries))
    existing = {(row.kind, row.id): row for row in rows}
    report = SyncReport([], [], [])
    seen = set()
    for entry in entries:
        key = (entry.kind, entry.id)
        seen.add(key)
        values = {"parent_id": entry.parent_id, "data": entry.data, "active": 1}
        old = existing.get(key)
        if old is None:
            await conn.execute(
                insert(catalog_entries).values(
                    kind=entry.kind, id=entry.id, updated_at=now, **values
                )
            )
            report.added.append(f"{entry.kind}:{entry.id}")
        elif old.data != entry.data or old.parent_id != entry.parent_id or not old.active:
            await _update(conn, key, now, values)
            report.changed.append(f"{entry.kind}:{entry.id}")
    for key, old in existing.items():
        if key not in seen and old.active:
            await _update(conn, key, now, {"active": 0})
            report.removed.append(f"{key[0]}:{key[1]}")
    return report


async def _update(
    conn: AsyncConnection, key: tuple[str, str], now: datetime, values: dict[str, Any]
) -> None:
    kind, entry_id = key
    await conn.execute(
        update(catalog_entries)
        .where(catalog_entries.c.kind == kind, catalog_entries.c.id == entry_id)
        .values(updated_at=now, **values)
    )

"""What every use case runs with: the settings, the database, the catalog and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.domain.catalog import Catalog
from bot.settings import Settings
from storage.db import Database

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    db: Database
    catalog: Catalog
    clock: Clock = system_clock

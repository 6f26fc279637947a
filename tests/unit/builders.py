"""Small builders shared by the unit tests: tiny catalogs, day ranges, local labels."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.availability import Busy
from bot.domain.catalog import ResolvedService, parse_catalog
from bot.domain.model import Slot

ATHENS = ZoneInfo("Europe/Athens")
NEW_YORK = ZoneInfo("America/New_York")
EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def raw_catalog(
    *,
    service: dict[str, Any] | None = None,
    group: dict[str, Any] | None = None,
    municipality: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A valid one-municipality, one-group, one-service catalog as TOML would give it.

    The keyword dictionaries are merged into the service, group and municipality entries.
    """
    raw_service: dict[str, Any] = {
        "id": "x",
        "name": {"el": "Υπηρεσία", "en": "Service"},
        "channels": ["in_person"],
        "duration": 30,
    }
    raw_group: dict[str, Any] = {
        "id": "chios-kk",
        "name": {"el": "Κέντρο Κοινότητας", "en": "Community Centre"},
        "hours": {day: ["09:00-13:00"] for day in WEEKDAYS},
        "service": [raw_service],
    }
    raw_municipality: dict[str, Any] = {
        "id": "chios",
        "name": {"el": "ΔΗΜΟΣ ΧΙΟΥ", "en": "Municipality of Chios"},
        "consent": {"el": "Συναινώ.", "en": "I agree."},
        "address": {"el": "Δημοκρατίας 2, Χίος", "en": "2 Dimokratias St., Chios"},
        "group": [raw_group],
    }
    raw_service.update(copy.deepcopy(service or {}))
    raw_group.update(copy.deepcopy(group or {}))
    raw_municipality.update(copy.deepcopy(municipality or {}))
    return {"municipality": [raw_municipality]}


def make_service(
    hours: dict[str, list[str]],
    *,
    duration: int = 30,
    municipality: dict[str, Any] | None = None,
    **fields: Any,
) -> ResolvedService:
    """A resolved service 'x' with these hours; notice 0 and a one-year horizon by default."""
    service: dict[str, Any] = {
        "duration": duration,
        "hours": hours,
        "min_notice_hours": 0,
        "horizon_days": 366,
    }
    service.update(fields)
    catalog = parse_catalog(raw_catalog(service=service, municipality=municipality), "test")
    resolved = catalog.service("x")
    assert resolved is not None
    return resolved


def local(day: date, hour: int, minute: int = 0, zone: ZoneInfo = ATHENS) -> datetime:
    """An aware local wall-clock time, converted to UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def day_range(day: date, zone: ZoneInfo = ATHENS) -> tuple[datetime, datetime]:
    """[local midnight, next local midnight) of `day` in `zone`, in UTC."""
    return local(day, 0, zone=zone), local(day + timedelta(days=1), 0, zone=zone)


def labels(slots: Iterable[Slot], zone: ZoneInfo = ATHENS) -> list[str]:
    """The local start times, 'HH:MM'."""
    return [slot.start.astimezone(zone).strftime("%H:%M") for slot in slots]


def booked(start: datetime, end: datetime, seat: int = 0) -> list[Busy]:
    """What a booking of [start, end) on `seat` holds, as the database reports it."""
    return [(int(start.timestamp()), int(end.timestamp()), 1 << seat)]

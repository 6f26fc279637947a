"""What a citizen on the waitlist can make: any time, one day, or a part of the day until a
day. Pure: the services ask it of each freed slot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.domain.model import Slot

ANY, MORNING, AFTERNOON = "", "morning", "afternoon"
PARTS = (ANY, MORNING, AFTERNOON)
NOON = 12  # mornings end, afternoons begin, at this hour of the service's clock


@dataclass(frozen=True, slots=True)
class Wish:
    day: date | None = None  # only this day
    part: str = ANY
    until: date | None = None  # no later than this day (None: the service's horizon)

    def allows(self, slot: Slot, zone: ZoneInfo) -> bool:
        local = slot.start.astimezone(zone)
        if self.day is not None and local.date() != self.day:
            return False
        if self.until is not None and local.date() > self.until:
            return False
        if self.part == MORNING:
            return local.hour < NOON
        if self.part == AFTERNOON:
            return local.hour >= NOON
        return True

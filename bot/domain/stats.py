"""Statistics of a set of bookings: by service, channel and status; no-shows; ratings."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.domain.model import Booking, Status


@dataclass(frozen=True)
class Stats:
    """Every figure but `total`, `cancelled` and `by_status` counts the appointments that
    were not cancelled (confirmed, completed, no-show): what staff did or will do."""

    total: int  # every booking made, whatever became of it
    cancelled: int
    by_service: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]
    by_status: list[tuple[str, int]]  # every status, cancelled too
    no_show_rate: float | None  # no-shows among appointments with an outcome
    busiest_days: list[tuple[date, int]]
    ratings: int = 0
    average_rating: float | None = None

    @property
    def kept(self) -> int:
        return self.total - self.cancelled


def stats(bookings: list[Booking], zone: ZoneInfo, ratings: list[int] | None = None) -> Stats:
    statuses = Counter(b.status for b in bookings)
    outcomes = statuses[Status.COMPLETED] + statuses[Status.NO_SHOW]
    kept = [b for b in bookings if b.status is not Status.CANCELLED]
    days = Counter(b.start.astimezone(zone).date() for b in kept)
    return Stats(
        total=len(bookings),
        cancelled=statuses[Status.CANCELLED],
        by_service=Counter(b.service_id for b in kept).most_common(),
        by_channel=Counter(b.channel.value for b in kept).most_common(),
        by_status=[(s.value, n) for s, n in statuses.most_common()],
        no_show_rate=statuses[Status.NO_SHOW] / outcomes if outcomes else None,
        busiest_days=sorted(days.items(), key=lambda item: (-item[1], item[0]))[:5],
        ratings=len(ratings or []),
        average_rating=sum(ratings) / len(ratings) if ratings else None,
    )

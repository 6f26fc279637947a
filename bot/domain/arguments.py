"""The arguments of admin commands, read as admins type them: dates, ranges, targets."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.domain import N_
from bot.domain.scope import Scope, default_target, target

MAX_RANGE = timedelta(days=366)
FIRST_YEAR, LAST_YEAR = 2000, 2100
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
TODAY = {"today", "σήμερα", "σημερα"}
TOMORROW = {"tomorrow", "αύριο", "αυριο"}


class ArgumentError(ValueError):
    """A command argument cannot be used; `message` is a msgid, `params` fill it in."""

    def __init__(self, message: str, **params: str) -> None:
        super().__init__(message)
        self.message, self.params = message, params


def parse_day(text: str, today: date) -> date:
    """2026-12-10, 10/12/2026, 10.12.2026, today/σήμερα, tomorrow/αύριο (years 2000–2100)."""
    word = text.strip().lower()
    if word in TODAY:
        return today
    if word in TOMORROW:
        return today + timedelta(days=1)
    parsed: date | None = None
    match = _NUMERIC.match(word)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            parsed = date(year, month, day)
        else:
            parsed = date.fromisoformat(word)
    except ValueError:
        parsed = None
    if parsed is None or not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise ArgumentError(N_("I cannot read the date “%(text)s”. Use e.g. 2026-12-10 or "
                               "10/12/2026."), text=text[:40])
    return parsed


def parse_range(args: list[str], today: date, default_days: int | None = None
                ) -> tuple[date, date]:
    """FROM TO (both included); with none, the last `default_days` days if allowed."""
    if not args and default_days is not None:
        return today - timedelta(days=default_days - 1), today
    if len(args) != 2:
        raise ArgumentError(N_("Please give two dates, FROM and TO, e.g. 2026-12-01 "
                               "2026-12-31."))
    start, end = parse_day(args[0], today), parse_day(args[1], today)
    if start > end:
        raise ArgumentError(N_("The start date is after the end date."))
    if end - start > MAX_RANGE:
        raise ArgumentError(N_("The range may be at most one year."))
    return start, end


ID_LIKE = re.compile(r"^[a-z0-9]+[-_][a-z0-9_-]+$")


def day_and_target(args: list[str], scope: Scope, today: date, only_id: bool = False
                   ) -> tuple[date, tuple[str, str] | None, list[str]]:
    """DATE [ID] REST…: the day, the target (named or by default) and the remaining words.

    A word shaped like an id (chios-kk) that names nothing here is an error, not the start
    of a reason; with `only_id`, any word after the date must be an id.
    """
    if not args:
        raise ArgumentError(N_("Please give a date, e.g. 2026-12-10."))
    day = parse_day(args[0], today)
    rest = args[1:]
    named = target(scope, rest[0]) if rest else None
    if named:
        return day, named, rest[1:]
    if rest and (only_id or ID_LIKE.match(rest[0])):
        raise ArgumentError(N_("Unknown municipality, group or service “%(id)s”."),
                            id=rest[0][:40])
    return day, default_target(scope), rest

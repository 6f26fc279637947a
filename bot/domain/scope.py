"""Who may run admin commands, over what, and reading their arguments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.catalog import Catalog, Group, Municipality
from bot.render.i18n import N_
from bot.settings import Settings

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


@dataclass(frozen=True)
class Scope:
    """What an admin command covers: whole municipalities, or one department's staff chat."""

    municipalities: tuple[Municipality, ...]
    group: Group | None = None

    @property
    def groups(self) -> list[Group]:
        if self.group is not None:
            return [self.group]
        return [g for m in self.municipalities for g in m.groups]

    @property
    def municipality_ids(self) -> list[str]:
        return [m.id for m in self.municipalities]

    @property
    def group_ids(self) -> list[str]:
        return [g.id for g in self.groups]


def admin_scope(settings: Settings, catalog: Catalog, user_id: int,
                chat_id: int | None) -> Scope | None:
    """The scope of an admin command, or None when this user may not run it here.

    ADMIN_IDS are admins of every municipality; the catalog lists admins per municipality.
    In a staff chat a command covers that department, if the user administers its
    municipality.
    """
    mine = tuple(m for m in catalog.municipalities
                 if user_id in settings.ADMIN_IDS or user_id in m.admins)
    if not mine:
        return None
    if chat_id is None:
        return Scope(mine)
    found = catalog.group_of_chat(chat_id)
    if found is None or found[0] not in mine:
        return None
    return Scope((found[0],), found[1])


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


def target(scope: Scope, token: str) -> tuple[str, str] | None:
    """A group or service (or municipality) id within the scope, as (kind, id)."""
    for municipality in scope.municipalities:
        if token == municipality.id and scope.group is None:
            return "municipality", municipality.id
        for group in municipality.groups:
            if scope.group is not None and group.id != scope.group.id:
                continue
            if token == group.id:
                return "group", group.id
            if any(service.id == token for service in group.services):
                return "service", token
    return None


def default_target(scope: Scope) -> tuple[str, str] | None:
    """With no id given: the staff chat's department, or the admin's only municipality."""
    if scope.group is not None:
        return "group", scope.group.id
    if len(scope.municipalities) == 1:
        return "municipality", scope.municipalities[0].id
    return None

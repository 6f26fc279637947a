"""Who may run admin commands, and over what: municipalities, or one department."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from bot.domain.catalog import Catalog, Group, Municipality


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


def admin_scope(admin_ids: Collection[int], catalog: Catalog, user_id: int,
                chat_id: int | None) -> Scope | None:
    """The scope of an admin command, or None when this user may not run it here.

    ADMIN_IDS are admins of every municipality; the catalog lists admins per municipality.
    In a staff chat a command covers that department, if the user administers its
    municipality.
    """
    mine = tuple(m for m in catalog.municipalities
                 if user_id in admin_ids or user_id in m.admins)
    if not mine:
        return None
    if chat_id is None:
        return Scope(mine)
    found = catalog.group_of_chat(chat_id)
    if found is None or found[0] not in mine:
        return None
    return Scope((found[0],), found[1])


def agenda_scope(admin_ids: Collection[int], catalog: Catalog, user_id: int,
                 chat_id: int | None) -> Scope | None:
    """What an agenda may show: an admin's, or in a staff chat, to anyone in it (the bot
    stays only in staff chats), that department's."""
    scope = admin_scope(admin_ids, catalog, user_id, chat_id)
    if scope is not None or chat_id is None:
        return scope
    found = catalog.group_of_chat(chat_id)
    return Scope((found[0],), found[1]) if found else None


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

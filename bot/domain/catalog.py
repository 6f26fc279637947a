"""The catalog: municipalities → service groups (departments) → services, from a TOML file.

Validation errors name the file, the entry (by its id) and the field, so whoever edits
the catalog can find the line to fix.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.domain.hours import Hours
from bot.domain.model import Channel

LOCALES = ("el", "en")
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,23}$"
MAX_STARTS = 90
MAX_DURATION = 480  # minutes: the longest appointment a service may have

Id = Annotated[str, Field(pattern=ID_PATTERN)]


class CatalogError(Exception):
    """The catalog cannot be used; the message says where and why."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Model):
    """A text in every supported language: a description, instructions, a declaration."""

    el: str = Field(min_length=1, max_length=2500)
    en: str = Field(min_length=1, max_length=2500)

    @field_validator("el", "en")
    @classmethod
    def _printable(cls, value: str) -> str:
        if any(unicodedata.category(c) == "Cc" and c != "\n" for c in value):
            raise ValueError("contains control characters")
        return value.strip()

    def get(self, locale: str) -> str:
        return self.en if locale == "en" else self.el


class Name(Text):
    """A name or an address: one line, short enough for a button or a subject line."""

    el: str = Field(min_length=1, max_length=120)
    en: str = Field(min_length=1, max_length=120)

    @field_validator("el", "en")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\n" in value:
            raise ValueError("must be one line")
        return value


class Service(_Model):
    id: Id
    name: Name
    description: Text | None = None
    channels: tuple[Channel, ...] = Field(min_length=1)
    duration: int = Field(ge=5, le=MAX_DURATION, description="minutes")
    step: int | None = Field(default=None, ge=5, le=480, description="minutes")
    capacity: int = Field(default=1, ge=1, le=50)
    min_notice_hours: int = Field(default=2, ge=0, le=24 * 60)
    horizon_days: int = Field(default=60, ge=1, le=366)
    instructions: Text | None = None
    channel_instructions: dict[Channel, Text] = Field(
        default_factory=dict, description="what only citizens served this way must know"
    )
    address: Name | None = None
    hours: Hours | None = None
    closures: tuple[date, ...] = ()
    resource: Id | None = Field(
        default=None, description="services naming the same resource share its desks"
    )
    change_cutoff_hours: int = Field(
        default=2, ge=0, le=24 * 30, description="no cancel or reschedule closer to the start"
    )
    max_active: int = Field(
        default=1, ge=1, le=20, description="upcoming bookings one citizen may hold here"
    )
    offer_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="how long a freed seat is held for the "
        "citizen of the waitlist it is offered to"
    )

    @field_validator("channels")
    @classmethod
    def _distinct(cls, value: tuple[Channel, ...]) -> tuple[Channel, ...]:
        if len(set(value)) != len(value):
            raise ValueError("a channel is listed twice")
        return value

    @model_validator(mode="after")
    def _instructions_channels(self) -> Service:
        if extra := set(self.channel_instructions) - set(self.channels):
            names = ", ".join(sorted(c.value for c in extra))
            raise ValueError(f"channel_instructions for a channel not offered: {names}")
        return self

    def instructions_for(self, channel: Channel) -> list[Text]:
        """What a citizen served this way is told: the service's, then the channel's."""
        found = [self.instructions, self.channel_instructions.get(channel)]
        return [text for text in found if text]

    @field_validator("duration", "step")
    @classmethod
    def _five(cls, value: int | None) -> int | None:
        if value is not None and value % 5:
            raise ValueError("must be a multiple of 5 minutes")
        return value

    @property
    def slot_step(self) -> int:
        return self.step or self.duration

    @property
    def desk(self) -> str:
        return self.resource or self.id


class Group(_Model):
    """A service group: a department with its own staff chat."""

    id: Id
    name: Name
    description: Text | None = None
    staff_chat_id: int | None = None
    staff_locale: str = Field(default="el", pattern="^(el|en)$")
    phone: str = ""
    email: str = ""
    address: Name | None = None
    hours: Hours | None = None
    services: tuple[Service, ...] = Field(alias="service", min_length=1, max_length=90)


class Municipality(_Model):
    id: Id
    name: Name
    email: str = ""
    phone: str = ""
    website: str = ""
    address: Name | None = None
    consent: Text
    admins: tuple[int, ...] = ()
    closures: tuple[date, ...] = ()
    max_active_total: int = Field(
        default=3, ge=1, le=50, description="upcoming bookings one citizen may hold in all"
    )
    groups: tuple[Group, ...] = Field(alias="group", min_length=1, max_length=90)


class ResolvedService(_Model):
    """A service with what it inherits from its group and municipality filled in."""

    service: Service
    group: Group
    municipality: Municipality
    hours: Hours
    address: Name | None
    closures: frozenset[date]

    @property
    def id(self) -> str:
        return self.service.id

    @property
    def phone(self) -> str:
        """Where citizens call about the service: its department, else its municipality."""
        return self.group.phone or self.municipality.phone


class Catalog(_Model):
    municipalities: tuple[Municipality, ...] = Field(alias="municipality", min_length=1,
                                                     max_length=90)

    @model_validator(mode="after")
    def _check(self) -> Catalog:
        seen: set[str] = set()
        chats: set[int] = set()
        for path, item in self._entries():
            if item.id in seen:  # ids are unique across kinds: links and buttons name them
                raise ValueError(f"{path}: the id {item.id!r} is used twice")
            seen.add(item.id)
            chat = getattr(item, "staff_chat_id", None)
            if chat is not None and (chat >= 0 or chat in chats):
                raise ValueError(f"{path}: staff_chat_id must be a group's (negative) id, "
                                 "one per group")
            if chat is not None:
                chats.add(chat)
        for municipality in self.municipalities:
            for group in municipality.groups:
                for service in group.services:
                    _check_service(municipality, group, service)
        return self

    def _entries(self) -> Iterator[tuple[str, Municipality | Group | Service]]:
        for municipality in self.municipalities:
            yield _path(municipality), municipality
            for group in municipality.groups:
                yield _path(municipality, group), group
                for service in group.services:
                    yield _path(municipality, group, service), service

    def municipality(self, municipality_id: str) -> Municipality | None:
        return next((m for m in self.municipalities if m.id == municipality_id), None)

    def group(self, group_id: str) -> tuple[str, Group] | None:
        """The group and the id of its municipality."""
        return next(
            ((m.id, g) for m in self.municipalities for g in m.groups if g.id == group_id),
            None,
        )

    def group_of_chat(self, chat_id: int) -> tuple[Municipality, Group] | None:
        """The department whose staff chat this is."""
        return next(
            ((m, g) for m in self.municipalities for g in m.groups if g.staff_chat_id == chat_id),
            None,
        )

    def service(self, service_id: str) -> ResolvedService | None:
        for municipality in self.municipalities:
            for group in municipality.groups:
                for service in group.services:
                    if service.id == service_id:
                        return _resolve(municipality, group, service)
        return None

    def services(self) -> Iterator[ResolvedService]:
        for municipality in self.municipalities:
            for group in municipality.groups:
                for service in group.services:
                    yield _resolve(municipality, group, service)


def _resolve(municipality: Municipality, group: Group, service: Service) -> ResolvedService:
    return ResolvedService(
        service=service,
        group=group,
        municipality=municipality,
        hours=service.hours or group.hours or Hours(),
        address=service.address or group.address or municipality.address,
        closures=frozenset(service.closures + municipality.closures),
    )


def _path(*entries: Municipality | Group | Service) -> str:
    kinds = ("municipality", "group", "service")
    return " › ".join(f"{kind} {entry.id!r}" for kind, entry in zip(kinds, entries,
                                                                    strict=False))


def _check_service(municipality: Municipality, group: Group, service: Service) -> None:
    hours = service.hours or group.hours
    where = _path(municipality, group, service)
    if hours is None or not any(hours.on(day) for day in range(7)):
        raise ValueError(f"{where} has no opening hours (give hours to it or its group)")
    longest = max(end - start for day in range(7) for start, end in hours.on(day))
    if service.duration > longest:
        raise ValueError(f"{where} lasts longer than its longest opening window")
    step = service.slot_step
    starts = max(
        sum((end - start - service.duration) // step + 1
            for start, end in hours.on(day) if end - start >= service.duration)
        for day in range(7)
    )
    if starts > MAX_STARTS:  # one button each, and Telegram allows about 100
        raise ValueError(f"{where} offers {starts} start times in a day, more than "
                         f"{MAX_STARTS}: give it a longer step")
    if Channel.IN_PERSON in service.channels and not (
        service.address or group.address or municipality.address
    ):
        raise ValueError(f"{where} is offered in person but has no address")


def parse_catalog(raw: dict[str, Any], source: str) -> Catalog:
    try:
        return Catalog.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        message = str(error["msg"]).removeprefix("Value error, ")
        if not error["loc"]:  # a check across entries: the message says where
            raise CatalogError(f"{source}: {message}") from None
        where = describe_location(raw, error["loc"])
        raise CatalogError(f"{source}: {where}: {message}") from None


def describe_location(raw: object, loc: tuple[int | str, ...]) -> str:
    """Turn pydantic's ('municipality', 0, 'group', 1, 'duration') into words with ids."""
    parts: list[str] = []
    node = raw
    pending: str | None = None
    for step in loc:
        if isinstance(step, int) and pending is not None:
            entry = node[step] if isinstance(node, list) and step < len(node) else None
            node = entry
            entry_id = entry.get("id") if isinstance(entry, dict) else None
            label = repr(entry_id) if entry_id else f"#{step + 1}"
            parts.append(f"{pending} {label}")
            pending = None
            continue
        if pending is not None:
            parts.append(pending)
        key = str(step)
        node = node.get(key) if isinstance(node, dict) else None
        pending = key if key in ("municipality", "group", "service") else None
        if pending is None:
            parts.append(f"item {step + 1}" if isinstance(step, int) else f"field {key!r}")
    if pending is not None:
        parts.append(pending)
    return " › ".join(parts) if parts else "catalog"

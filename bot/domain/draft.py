"""The booking being put together, and the order of its steps.

The draft lives in the chat's row (storage/chats.py) as a plain dict, read and written
with every update, so a citizen half way through continues after a restart or on another
instance. It is not a booking: bookings exist only in the bookings table.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.catalog import Catalog, ResolvedService
from bot.domain.model import Booking, Channel, Details, Offer


class Step(StrEnum):
    MUNICIPALITY = "municipality"
    GROUP = "group"
    SERVICE = "service"
    CHANNEL = "channel"
    DAY = "day"
    TIME = "time"
    NAME = "name"
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"
    NOTES = "notes"
    REQUIREMENTS = "requirements"
    THIRD_PARTY = "third_party"
    THIRD_EMAIL = "third_email"
    CONSENT = "consent"
    SUMMARY = "summary"


ORDER = list(Step)
TEXT_STEPS = (
    Step.NAME,
    Step.EMAIL,
    Step.PHONE,
    Step.ADDRESS,
    Step.NOTES,
    Step.REQUIREMENTS,
    Step.THIRD_EMAIL,
)
OPTIONAL_STEPS = (Step.ADDRESS, Step.NOTES, Step.REQUIREMENTS, Step.THIRD_EMAIL)


@dataclass
class Draft:
    municipality: str = ""
    group: str = ""
    service: str = ""
    channel: str = ""
    channels: int = 0  # how many channels the chosen service offers
    month: str = ""  # YYYY-MM shown in the calendar
    day: str = ""  # YYYY-MM-DD chosen
    start: str = ""  # ISO UTC start of the chosen slot
    name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    notes: str = ""
    requirements: str = ""
    third_party: bool = False
    third_email: str = ""
    consent_at: str = ""
    edit_from: str = ""  # the step a change from the summary started at
    rebook: str = ""  # the reference of the booking being rescheduled
    rebook_id: int = 0
    offer: int = 0  # the waitlist's offer whose held time the draft may book
    previous: str = ""  # ISO UTC start of the booking being rescheduled
    id: str = ""  # the draft's identity: confirming it twice makes one booking

    @classmethod
    def from_dict(cls, data: object) -> Draft:
        """Rebuild from user_data; anything of the wrong type is dropped, not trusted."""
        draft = cls()
        if not isinstance(data, dict):
            return draft
        for spec in fields(cls):
            value = data.get(spec.name)
            default = getattr(draft, spec.name)
            if isinstance(value, type(default)) and not (
                isinstance(value, bool) and not isinstance(default, bool)
            ):
                setattr(draft, spec.name, value)
        return draft

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def start_at(self) -> datetime | None:
        try:
            moment = datetime.fromisoformat(self.start)
        except ValueError:
            return None
        return moment.astimezone(UTC) if moment.tzinfo else None

    @property
    def is_video(self) -> bool:
        return self.channel == Channel.VIDEO

    def value(self, step: Step) -> str:
        """The text a text step holds ('' when none)."""
        attribute = "third_email" if step is Step.THIRD_EMAIL else step.value
        return str(getattr(self, attribute, ""))

    def set_value(self, step: Step, value: str) -> None:
        attribute = "third_email" if step is Step.THIRD_EMAIL else step.value
        setattr(self, attribute, value)

    def choose_service(self, service_id: str, channels: list[str]) -> None:
        if service_id != self.service:
            self.month = self.day = self.start = ""
        self.service = service_id
        self.channels = len(channels)
        self.channel = channels[0] if len(channels) == 1 else ""


def new_draft_id() -> str:
    return secrets.token_hex(8)


def new_draft(**values: object) -> Draft:
    """A draft with an identity of its own."""
    return Draft(id=new_draft_id(), **values)  # type: ignore[arg-type]


def applies(step: Step, draft: Draft) -> bool:
    if step is Step.CHANNEL:
        return draft.channels != 1
    if step is Step.THIRD_PARTY:
        return draft.is_video
    if step is Step.THIRD_EMAIL:
        return draft.is_video and draft.third_party
    return True


def missing(draft: Draft) -> Step | None:
    """The first step whose answer the booking still needs."""
    needed = (
        (Step.MUNICIPALITY, draft.municipality),
        (Step.GROUP, draft.group),
        (Step.SERVICE, draft.service),
        (Step.CHANNEL, draft.channel),
        (Step.DAY, draft.day),
        (Step.TIME, draft.start),
        (Step.NAME, draft.name),
        (Step.EMAIL, draft.email),
        (Step.PHONE, draft.phone),
        (Step.CONSENT, draft.consent_at),
    )
    return next((step for step, value in needed if not value), None)


def next_step(draft: Draft, step: Step) -> Step:
    if draft.edit_from and missing(draft) is None:
        return Step.SUMMARY
    for candidate in ORDER[ORDER.index(step) + 1 :]:
        if applies(candidate, draft):
            return candidate
    return Step.SUMMARY


def previous_step(draft: Draft, step: Step) -> Step:
    if draft.edit_from == step and missing(draft) is None:
        return Step.SUMMARY
    for candidate in reversed(ORDER[: ORDER.index(step)]):
        if applies(candidate, draft):
            return candidate
    return Step.MUNICIPALITY


def for_reschedule(booking: Booking, channels: int) -> Draft:
    """A draft filled from a booking: only the day and time are asked again."""
    return new_draft(
        municipality=booking.municipality_id, group=booking.group_id,
        service=booking.service_id, channel=booking.channel.value, channels=channels,
        month=booking.start.strftime("%Y-%m"), **_filled(booking.details),
        consent_at=booking.consent_at.isoformat(), edit_from=Step.DAY.value,
        rebook=booking.reference, rebook_id=booking.id, previous=booking.start.isoformat(),
    )


def for_offer(offer: Offer, service: ResolvedService, details: Details | None,
              zone: ZoneInfo) -> Draft:
    """A draft of the time an offer holds for its citizen (theirs to book in the flow while
    it is held), from their details step on: filled with the details of their last booking
    (`details`) to keep or change; the declaration is asked, as for any booking. `zone`:
    the citizen's, whose calendar the day is of."""
    day = offer.start.astimezone(zone).date()
    return new_draft(
        municipality=service.municipality.id, group=service.group.id, service=service.id,
        channel=offer.channel.value, channels=len(service.service.channels),
        month=day.strftime("%Y-%m"), day=day.isoformat(), start=offer.start.isoformat(),
        offer=offer.id, **(_filled(details) if details else {}),
    )


def _filled(details: Details) -> dict[str, Any]:
    """The draft's values for these details."""
    return {"name": details.name, "email": details.email, "phone": details.phone,
            "address": details.address, "notes": details.notes,
            "requirements": details.requirements,
            "third_party": bool(details.third_party_email),
            "third_email": details.third_party_email}


def for_group(catalog: Catalog, entry_id: str) -> tuple[Draft, Step]:
    """A new draft in a municipality or group named by a button ("book again")."""
    draft = new_draft()
    if found := catalog.group(entry_id):
        draft.municipality, draft.group = found[0], found[1].id
        return draft, Step.SERVICE
    if catalog.municipality(entry_id):
        draft.municipality = entry_id
        return draft, Step.GROUP
    return draft, Step.MUNICIPALITY


def from_link(payload: str, catalog: Catalog) -> tuple[Draft, Step] | None:
    """A draft for a /start deep link: m_<municipality>, g_<group> or s_<service>."""
    kind, _, entry_id = payload.partition("_")
    draft = new_draft()
    if kind == "m" and (municipality := catalog.municipality(entry_id)):
        draft.municipality = municipality.id
        return draft, Step.GROUP
    if kind == "g" and (found := catalog.group(entry_id)):
        municipality_id, group = found
        draft.municipality, draft.group = municipality_id, group.id
        return draft, Step.SERVICE
    if kind == "s" and (service := catalog.service(entry_id)):
        draft.municipality, draft.group = service.municipality.id, service.group.id
        draft.choose_service(service.id, [c.value for c in service.service.channels])
        return draft, next_step(draft, Step.SERVICE)
    return None

"""Plain data types shared by the domain and storage (no I/O here)."""

from __future__ import annotations

import hashlib
from dataclasses import astuple, dataclass
from datetime import datetime
from enum import StrEnum


class Channel(StrEnum):
    IN_PERSON = "in_person"
    VIDEO = "video"
    PHONE = "phone"


class Status(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"


@dataclass(frozen=True, slots=True)
class Slot:
    """A start time a citizen may book; `start`/`end` are aware UTC datetimes."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Details:
    """What the citizen tells us about themselves in the details step."""

    name: str
    email: str
    phone: str
    address: str = ""
    notes: str = ""
    requirements: str = ""
    third_party_email: str = ""

    def fingerprint(self) -> str:
        """A short mark of these details: a button carries the mark of the details its
        message shows, so that pressed it acts on those and no others."""
        text = "\x1f".join(astuple(self))
        return hashlib.blake2s(text.encode(), digest_size=4).hexdigest()


@dataclass(frozen=True, slots=True)
class Booking:
    id: int
    reference: str
    uid: str
    user_id: int
    municipality_id: str
    group_id: str
    service_id: str
    channel: Channel
    start: datetime
    end: datetime
    details: Details
    consent_at: datetime
    status: Status
    locale: str
    meeting_url: str = ""
    sequence: int = 0
    created_at: datetime | None = None
    cancel_reason: str = ""
    attendance_at: datetime | None = None
    erased_at: datetime | None = None

    @property
    def is_active(self) -> bool:
        return self.status is Status.BOOKED


@dataclass(frozen=True, slots=True)
class BookingRequest:
    user_id: int
    service_id: str
    channel: Channel
    start: datetime
    details: Details
    consent_at: datetime
    locale: str
    timezone: str
    draft_id: str = ""  # the draft it confirms: booked once, however often confirmed


@dataclass(frozen=True, slots=True)
class Offer:
    """A freed seat offered to a citizen of the waitlist, held for them until it expires."""

    id: int
    user_id: int
    service_id: str
    channel: Channel
    start: datetime
    end: datetime
    expires_at: datetime
    locale: str
    message_id: int | None = None  # the offer as sent to the citizen
    booking_id: int | None = None  # the booking it became

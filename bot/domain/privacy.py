"""Personal data kept out of logs and error columns; what is held about one citizen.

An error text (a mail server's refusal quotes the recipient, Telegram may quote what it
was sent) is stored and logged only after `redact`: the booking's own details become
its reference, and any other email address a short hash of it.
"""

from __future__ import annotations

import hashlib
import re
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain.model import Booking

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_DIGITS = re.compile(r"\D")
SHORTEST = 3  # a detail shorter than this is not looked for (it would match anything)


def fingerprint(value: str) -> str:
    """A short hash that tells two values apart without showing either."""
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:10]


def redact(text: str, booking: Booking | None = None) -> str:
    """The text without the booking's details (name, email, phone, address, notes…) and
    without any email address."""
    if booking is not None:
        details = booking.details
        found = [(details.email, "email"), (details.third_party_email, "third participant"),
                 (details.name, "name"), (details.phone, "phone"),
                 (details.address, "address"), (details.notes, "notes"),
                 (details.requirements, "requirements")]
        for value, what in found:
            text = _without(text, value, f"<{what} of {booking.reference}>")
        digits = _DIGITS.sub("", details.phone)
        if len(digits) >= 6:  # the phone as written elsewhere: +30 691…, 0030…
            text = text.replace(digits, f"<phone of {booking.reference}>")
    return _EMAIL.sub(lambda match: f"<email {fingerprint(match.group(0))}>", text)


def failure(error: BaseException, booking: Booking | None = None) -> str:
    """An exception as it may be logged: its kind, its text redacted, and where it was
    raised (the frames' code, never their values)."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    return f"{type(error).__name__}: {redact(str(error), booking)}\n{frames}".rstrip()


def _without(text: str, value: str, instead: str) -> str:
    value = value.strip()
    if len(value) < SHORTEST:
        return text
    return re.sub(re.escape(value), instead, text, flags=re.IGNORECASE)


@dataclass(frozen=True)
class HeldBooking:
    """A booking as held about its citizen: the row, its history, their rating."""

    booking: Booking
    history: list[dict[str, Any]]
    rating: int | None = None
    comment: str = ""


@dataclass(frozen=True)
class HeldData:
    """Everything held about one citizen (GDPR Art. 15), as stored."""

    user_id: int
    preferences: dict[str, Any] | None
    conversation: dict[str, Any] | None  # where their chat stands, the draft included
    bookings: list[HeldBooking] = field(default_factory=list)
    waitlist: list[dict[str, Any]] = field(default_factory=list)
    made_at: datetime | None = None

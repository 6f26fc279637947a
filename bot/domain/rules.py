"""The booking rules: what a citizen or a clerk may do with a booking, and when.

Pure functions over bookings that the caller has read; the services apply them inside
the transaction that then writes. A refusal is an exception the citizen is told about.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.availability import offered_slot
from bot.domain.catalog import Catalog, ResolvedService
from bot.domain.model import Booking, BookingRequest, Slot, Status

# Crockford's base32 without look-alikes: references are read aloud over the phone.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class BookingError(Exception):
    """Base for refusals a citizen is told about."""


class SlotTaken(BookingError):
    """Every desk of the slot was taken meanwhile."""


class NotBookable(BookingError):
    """The service, channel or time is not one the catalog offers (now)."""


class NotAllowed(BookingError):
    """A rule forbids it; `reason` says which."""

    NOT_FOUND = "not_found"  # no such booking, or not this citizen's
    NOT_ACTIVE = "not_active"  # cancelled, completed, no-show
    STARTED = "started"  # already begun or past
    NOT_STARTED = "not_started"  # an outcome before the appointment
    CUTOFF = "cutoff"  # too close to the start to change
    LIMIT_SERVICE = "limit_service"  # too many upcoming bookings of this service
    LIMIT_TOTAL = "limit_total"  # too many upcoming bookings with this municipality

    def __init__(self, reason: str, service: ResolvedService | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.service = service  # for the refusal's advice (the department's phone)


def new_reference() -> str:
    code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


def resolve(catalog: Catalog, zone: ZoneInfo, request: BookingRequest,
            now: datetime) -> tuple[ResolvedService, Slot]:
    """The service and slot a request names, if the catalog offers them now (desks aside)."""
    service = catalog.service(request.service_id)
    if service is None or request.channel not in service.service.channels:
        raise NotBookable(request.service_id)
    slot = offered_slot(service, zone, request.start, now)
    if slot is None:
        raise NotBookable(request.start.isoformat())
    return service, slot


def check_limits(service: ResolvedService, in_service: int, in_municipality: int) -> None:
    """Refuse a new booking beyond the citizen's allowance, given how many upcoming bookings
    they hold in the service and in its municipality."""
    if in_service >= service.service.max_active:
        raise NotAllowed(NotAllowed.LIMIT_SERVICE, service)
    if in_municipality >= service.municipality.max_active_total:
        raise NotAllowed(NotAllowed.LIMIT_TOTAL, service)


def check_changeable(booking: Booking | None, user_id: int | None, now: datetime) -> Booking:
    """The booking, if it is active and still to come, and the citizen's own (`user_id`
    None: staff, who may act on any)."""
    if booking is None or (user_id is not None and booking.user_id != user_id):
        raise NotAllowed(NotAllowed.NOT_FOUND)
    if not booking.is_active:
        raise NotAllowed(NotAllowed.NOT_ACTIVE)
    if booking.start <= now:
        raise NotAllowed(NotAllowed.STARTED)
    return booking


def check_cutoff(booking: Booking, service: ResolvedService | None, now: datetime) -> None:
    """Citizens may change or cancel only up to the service's cutoff before the start."""
    hours = service.service.change_cutoff_hours if service else 0
    if booking.start - now < timedelta(hours=hours):
        raise NotAllowed(NotAllowed.CUTOFF, service)


def check_outcome(booking: Booking | None, now: datetime) -> Booking:
    """Staff record completed or no-show once the appointment has begun, and only once."""
    if booking is None:
        raise NotAllowed(NotAllowed.NOT_FOUND)
    if not booking.is_active:
        raise NotAllowed(NotAllowed.NOT_ACTIVE)
    if booking.start > now:
        raise NotAllowed(NotAllowed.NOT_STARTED)
    return booking


def check_rating(booking: Booking | None, user_id: int, now: datetime) -> Booking:
    """A citizen rates their own appointment once it has begun, unless it did not happen."""
    if booking is None or booking.user_id != user_id:
        raise NotAllowed(NotAllowed.NOT_FOUND)
    if booking.status not in (Status.BOOKED, Status.COMPLETED):
        raise NotAllowed(NotAllowed.NOT_ACTIVE)
    if booking.start > now:
        raise NotAllowed(NotAllowed.NOT_STARTED)
    return booking


def snapshot(booking: Booking) -> dict[str, Any]:
    """What the history keeps of a booking before and after a change."""
    return {
        "start": booking.start.isoformat(),
        "channel": booking.channel.value,
        "name": booking.details.name,
        "email": booking.details.email,
        "phone": booking.details.phone,
    }

"""iCalendar invitations: one stable UID per booking, SEQUENCE raised on each change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

from bot.domain.model import Booking

PRODID = "-//Rantevou//Municipal appointments//EL"


@dataclass(frozen=True, slots=True)
class Invitation:
    title: str
    description: str
    location: str
    organizer_name: str
    organizer_email: str


def invitation(
    booking: Booking,
    about: Invitation,
    zone: ZoneInfo,
    now: datetime,
    method: str = "REQUEST",
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    event = Event()
    event.add("uid", booking.uid)
    event.add("dtstamp", now)
    event.add("sequence", booking.sequence)
    start, end = _times(booking, zone)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", about.title)
    event.add("description", about.description)
    if about.location:
        event.add("location", about.location)
    if booking.meeting_url:
        event.add("url", booking.meeting_url)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if about.organizer_email:
        organizer = vCalAddress(f"mailto:{about.organizer_email}")
        organizer.params["cn"] = vText(about.organizer_name)
        event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{booking.details.email}")
    attendee.params["cn"] = vText(booking.details.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("ACCEPTED")
    event.add("attendee", attendee)
    if booking.details.third_party_email:
        guest = vCalAddress(f"mailto:{booking.details.third_party_email}")
        guest.params["role"] = vText("OPT-PARTICIPANT")
        event.add("attendee", guest)
    calendar.add_component(event)
    # Transitions from a year before to two years after: enough, and a small file.
    first = booking.start.date() - timedelta(days=366)
    calendar.add_missing_timezones(first_date=first, last_date=first + timedelta(days=3 * 366))
    return bytes(calendar.to_ical())


def _times(booking: Booking, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The start and end in the zone, unless either falls in the hour its clocks show twice
    (when they go back): a TZID time there could be either, so both are given in UTC."""
    times = booking.start.astimezone(zone), booking.end.astimezone(zone)
    if any(_repeated(moment) for moment in times):
        return booking.start.astimezone(UTC), booking.end.astimezone(UTC)
    return times


def _repeated(local: datetime) -> bool:
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def filename(booking: Booking, method: str = "REQUEST") -> str:
    """The invitation's file name; a cancellation says so in its name."""
    suffix = "-cancel" if method == "CANCEL" else ""
    return f"rantevou-{booking.reference}{suffix}.ics"

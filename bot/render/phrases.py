"""Phrases many texts share: the channel's name, the time zone line, when and what."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.catalog import Municipality, ResolvedService
from bot.domain.model import Booking, Channel, Details
from bot.domain.validation import display_phone
from bot.render.formatting import clock, long_date, time_range, zone_label
from bot.render.html import esc
from bot.render.i18n import N_, Translator

CHANNEL_NAMES = {
    Channel.IN_PERSON: N_("In person"),
    Channel.VIDEO: N_("Video call"),
    Channel.PHONE: N_("By phone"),
}


CHANNEL_ICONS = {Channel.IN_PERSON: "🏢", Channel.VIDEO: "🎥", Channel.PHONE: "📞"}


ONLY_CHANNEL = {
    Channel.IN_PERSON: N_("This service is offered only in person."),
    Channel.VIDEO: N_("This service is offered only by video call."),
    Channel.PHONE: N_("This service is offered only by phone."),
}


def booking_rows(t: Translator, booking: Booking, zone: ZoneInfo) -> list[tuple[str, str]]:
    """(label, value) of a booking's how, when and details, for staff and for its citizen."""
    details = booking.details
    return [
        (t._("Channel"), channel_name(t, booking.channel)),
        (t._("Date"), long_date(booking.start.astimezone(zone).date(), t.locale)),
        (t._("Time"), time_range(booking.start, booking.end, zone)),
        (t._("Full name"), details.name),
        (t._("Phone"), display_phone(details.phone)),
        (t._("Email"), details.email),
        (t._("Address"), details.address),
        (t._("Notes"), details.notes),
        (t._("Special requirements"), details.requirements),
        (t._("Third participant"), details.third_party_email),
    ]


def details_lines(t: Translator, details: Details, channel: Channel) -> list[str]:
    """The citizen's details as the booking's summary shows them for review: every field,
    «—» where empty; the third participant only for a video call."""
    rows = [
        (t._("Full name"), details.name),
        (t._("Email"), details.email),
        (t._("Phone"), display_phone(details.phone) if details.phone else ""),
        (t._("Address"), details.address),
        (t._("Notes"), details.notes),
        (t._("Special requirements"), details.requirements),
    ]
    if channel is Channel.VIDEO:
        rows.append((t._("Third participant"), details.third_party_email))
    return [f"{esc(label)}: {esc(value) if value else '—'}" for label, value in rows]


def declaration(t: Translator, municipality: Municipality) -> str:
    """The municipality's declaration, under its heading, as the citizen accepts it."""
    return ("<b>" + esc(t._("Declaration")) + "</b>\n\n"
            + esc(municipality.consent.get(t.locale)))


def channel_name(t: Translator, channel: Channel) -> str:
    return t._(CHANNEL_NAMES[channel])


def zone_line(t: Translator, zone: ZoneInfo, moment: datetime) -> str:
    label = zone_label(zone, moment, t.locale)
    return "<i>" + esc(t._("All times are in the time zone %(zone)s.") % {"zone": label}) + "</i>"


def when_lines(t: Translator, start: datetime, end: datetime, zone: ZoneInfo) -> list[str]:
    return [
        esc(t._("Date: %(date)s") % {"date": long_date(start.astimezone(zone).date(),
                                                       t.locale)}),
        esc(t._("Time: %(time)s") % {"time": time_range(start, end, zone)}),
        zone_line(t, zone, start),
    ]


def until_now(t: Translator, before: datetime, zone: ZoneInfo) -> str:
    """«Until now: Wednesday, 2 December 2026, 09:30», the time a booking had. Plain text."""
    return t._("Until now: %(date)s, %(time)s") % {
        "date": long_date(before.astimezone(zone).date(), t.locale),
        "time": clock(before, zone)}


def service_lines(t: Translator, service: ResolvedService, channel: Channel) -> list[str]:
    return [
        esc(t._("Municipality: %(name)s") % {"name": service.municipality.name.get(t.locale)}),
        esc(t._("Service: %(name)s") % {"name": service.service.name.get(t.locale)}),
        how_line(t, channel),
    ]


def how_line(t: Translator, channel: Channel) -> str:
    """«How: by phone»: how the citizen is served, as the citizen reads it."""
    return esc(t._("How: %(channel)s") % {"channel": channel_name(t, channel)})


def service_name(t: Translator, service: ResolvedService | None, service_id: str) -> str:
    """The service's name in the reader's language; its id once the catalog has dropped it."""
    return service.service.name.get(t.locale) if service else service_id


def how_served(t: Translator, service: ResolvedService | None, booking: Booking, *,
               soon: bool = False, in_telegram: bool = True) -> str:
    """One line on how the citizen is served: where, who calls, or when the link comes
    (`soon`: in a reminder, minutes before the start). An email or a calendar event
    (`in_telegram` false) carries the link itself, below this line. Plain text."""
    if booking.channel is Channel.IN_PERSON:
        address = service.address.get(t.locale) if service and service.address else ""
        return t._("Where: %(address)s") % {"address": address}
    if booking.channel is Channel.PHONE:
        return t._("A municipal employee will call you at %(phone)s.") % {
            "phone": display_phone(booking.details.phone)}
    if not in_telegram and soon:  # an emailed reminder: the link follows by email
        return t._("You will receive the link of the video call by email a few minutes "
                   "before the start.")
    if not in_telegram:
        return t._("Video call: the meeting link is below.")
    if soon:
        return t._("You will receive the link of the video call here a few minutes before "
                   "the start.")
    return t._("Video call: you will receive the meeting link here before the appointment; "
               "it is also in the attached invitation.")


def refusal(t: Translator, reason: str, service: ResolvedService | None) -> str:
    """Why an action is refused, and what the citizen can do instead."""
    if reason == "cutoff" and service:
        hours = service.service.change_cutoff_hours
        text = t.ngettext(
            "Bookings can be changed or cancelled up to %(n)d hour before the appointment.",
            "Bookings can be changed or cancelled up to %(n)d hours before the appointment.",
            hours,
        ) % {"n": hours}
        if phone := service.phone:
            text += " " + t._("Please call the department at %(phone)s.") % {"phone": phone}
        return text
    if reason == "limit_service":
        return t._("You already have an upcoming booking for this service. You can "
                   "reschedule or cancel it with /mybookings.")
    if reason == "limit_total" and service:
        n = service.municipality.max_active_total
        return t.ngettext(
            "You already have %(n)d upcoming booking with this municipality; no more are "
            "allowed. You can cancel it with /mybookings.",
            "You already have %(n)d upcoming bookings with this municipality; no more are "
            "allowed. You can cancel one with /mybookings.",
            n,
        ) % {"n": n}
    if reason == "not_started":
        return t._("The appointment has not started yet.")
    if reason == "not_active":
        return t._("This booking is no longer active.")
    if reason == "started":
        return t._("This appointment has already started or is over.")
    return t._("This booking was not found.")

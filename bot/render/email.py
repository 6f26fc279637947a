"""Emails: subjects and bodies for the citizen and for the third participant of a video call."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.catalog import ResolvedService
from bot.domain.model import Booking
from bot.render.cards import booking_card, confirmation, rescheduled
from bot.render.formatting import long_date, time_range
from bot.render.html import esc
from bot.render.i18n import N_, Translator
from bot.render.phrases import service_name, zone_line

EMAIL_SUBJECTS = {
    "booked": N_("Your appointment is confirmed: %(service)s, %(date)s"),
    "rescheduled": N_("Your appointment has been changed: %(service)s, %(date)s"),
    "cancelled": N_("Your appointment has been cancelled: %(service)s, %(date)s"),
}


def subject(t: Translator, change: str, service: ResolvedService | None,
            booking: Booking, zone: ZoneInfo) -> str:
    name = service_name(t, service, booking.service_id)
    date_text = long_date(booking.start.astimezone(zone).date(), t.locale)
    return t._(EMAIL_SUBJECTS[change]) % {"service": name, "date": date_text}


def third_party_subject(t: Translator, service: ResolvedService | None, change: str) -> str:
    municipality = service.municipality.name.get(t.locale) if service else ""
    if change == "cancelled":
        return t._("Cancelled: video call with %(municipality)s") % {
            "municipality": municipality}
    if change == "rescheduled":
        return t._("New time: video call with %(municipality)s") % {
            "municipality": municipality}
    return t._("Invitation to a video call with %(municipality)s") % {
        "municipality": municipality}


def third_party_body(t: Translator, service: ResolvedService | None, booking: Booking,
                     zone: ZoneInfo, change: str) -> str:
    name = service_name(t, service, booking.service_id)
    municipality = service.municipality.name.get(t.locale) if service else ""
    values = {"name": booking.details.name, "municipality": municipality, "service": name,
              "date": long_date(booking.start.astimezone(zone).date(), t.locale),
              "time": time_range(booking.start, booking.end, zone)}
    if change == "cancelled":
        return esc(t._("The video call with %(municipality)s about “%(service)s” "
                       "(%(date)s, %(time)s), to which %(name)s invited you, has been "
                       "cancelled.") % values)
    invited = (t._("The video call with %(municipality)s about “%(service)s”, to which "
                   "%(name)s invited you, has moved to a new time: %(date)s, %(time)s.")
               if change == "rescheduled" else
               t._("%(name)s invites you to a video call with %(municipality)s about "
                   "“%(service)s”: %(date)s, %(time)s."))
    lines = [
        esc(invited % values),
        zone_line(t, zone, booking.start),
        "",
        esc(t._("Join the meeting: %(url)s") % {"url": booking.meeting_url}),
    ]
    return "\n".join(lines)


def citizen_body(t: Translator, change: str, service: ResolvedService, booking: Booking,
                 zone: ZoneInfo) -> str:
    """The citizen's email about a change: the confirmation, the change, or the card of the
    cancelled booking; with the meeting link while the call is still on."""
    if change == "cancelled":
        return booking_card(t, service, booking, zone)
    render = rescheduled if change == "rescheduled" else confirmation
    body = render(t, service, booking, zone, in_telegram=False)
    if booking.meeting_url:
        body += "\n\n" + esc(t._("Join the meeting: %(url)s") % {"url": booking.meeting_url})
    return body

"""What is sent later: reminders, the meeting link, the feedback request."""

from __future__ import annotations

from html import escape
from urllib.parse import quote
from zoneinfo import ZoneInfo

from bot.domain.catalog import ResolvedService
from bot.domain.model import Booking, Channel
from bot.render.formatting import clock
from bot.render.html import esc
from bot.render.i18n import N_, Translator
from bot.render.phrases import how_served, service_name, when_lines, zone_line


def map_link(t: Translator, address: str) -> str:
    url = "https://www.openstreetmap.org/search?query=" + quote(address)
    label = t._("Map")
    return f'<a href="{escape(url, quote=True)}">{esc(label)}</a>'


def _in_time(t: Translator, minutes: int) -> str:
    if minutes % (24 * 60) == 0 and minutes >= 2 * 24 * 60:
        days = minutes // (24 * 60)
        return t.ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if minutes % 60 == 0:
        return t.ngettext("%(n)d hour", "%(n)d hours", minutes // 60) % {"n": minutes // 60}
    return t.ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def channel_note(t: Translator, service: ResolvedService | None, booking: Booking,
                 in_telegram: bool = True) -> str:
    """How the citizen is served, for a reminder: with a map link beside the address."""
    line = esc(how_served(t, service, booking, soon=True, in_telegram=in_telegram))
    if booking.channel is Channel.IN_PERSON and service and service.address:
        line += " · " + map_link(t, service.address.get(t.locale))
    return line


def reminder(t: Translator, service: ResolvedService | None, booking: Booking,
             zone: ZoneInfo, minutes: int, *, in_telegram: bool = True) -> str:
    """The reminder `minutes` before the start; by email (`in_telegram` false) it has no
    buttons to point at, and the link comes by itself later."""
    lines = [
        "⏰ <b>" + esc(t._("Reminder: your appointment is in %(when)s.")
                      % {"when": _in_time(t, minutes)}) + "</b>",
        "",
        "<b>" + esc(service_name(t, service, booking.service_id)) + "</b>",
        *when_lines(t, booking.start, booking.end, zone),
        esc(t._("Reference: %(reference)s") % {"reference": booking.reference}),
        channel_note(t, service, booking, in_telegram),
    ]
    if booking.attendance_at:
        lines.append(esc(t._("You have confirmed that you will take part.")))
    elif in_telegram:
        lines += ["", esc(t._("Please confirm that you will take part with the button "
                              "below, or change or cancel the booking if you cannot."))]
    return "\n".join(lines)


ADVICE = (
    N_("a fast and reliable internet connection;"),
    N_("a quiet room for the whole call;"),
    N_("your camera and microphone switched on;"),
    N_("your ID card or passport at hand: hold it so that it fills the screen, with your "
       "phone's main camera."),
)


def meeting_link(t: Translator, service: ResolvedService | None, booking: Booking,
                 zone: ZoneInfo, *, in_telegram: bool = True) -> str:
    """The link's message; by email (`in_telegram` false) the link itself stands in it."""
    name = service_name(t, service, booking.service_id)
    lines = [
        "🎥 <b>" + esc(t._("Your video call “%(service)s” starts at %(time)s.")
                      % {"service": name, "time": clock(booking.start, zone)}) + "</b>",
        zone_line(t, zone, booking.start),
        "",
        esc(t._("Join with the button below. You will wait until a representative of the "
                "municipality lets you in.") if in_telegram else
            t._("Join with the link below. You will wait until a representative of the "
                "municipality lets you in.")),
        "",
        esc(t._("Please make sure you have:")),
        *(esc("• " + t._(tip)) for tip in ADVICE),
    ]
    if not in_telegram and booking.meeting_url:
        lines += ["", esc(t._("Join the meeting: %(url)s") % {"url": booking.meeting_url})]
    return "\n".join(lines)


def feedback_question(t: Translator, service: ResolvedService | None, booking: Booking) -> str:
    name = service_name(t, service, booking.service_id)
    return esc(t._("How was your appointment “%(service)s”? Please rate it from 1 (poor) to "
                   "5 (excellent).") % {"service": name})


FEEDBACK_MARK = "💬"


def feedback_thanks(t: Translator, rating: int) -> str:
    return esc(t._("Thank you for your rating (%(rating)d/5)!") % {"rating": rating})


def comment_prompt(t: Translator, reference: str) -> str:
    """Starts with FEEDBACK_MARK: a reply to this message is taken as a comment."""
    return FEEDBACK_MARK + " " + esc(
        t._("If you wish, reply to this message with a comment about booking %(reference)s.")
        % {"reference": reference})


def comment_thanks(t: Translator) -> str:
    return esc(t._("Thank you, your comment has been recorded."))


def attendance_thanks(t: Translator) -> str:
    return t._("Thank you for confirming.")


# ---- email ---------------------------------------------------------------------------


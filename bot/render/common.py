"""Texts for everyone: help, language, time zone, errors, stale buttons."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.render.formatting import zone_label
from bot.render.html import esc
from bot.render.i18n import Translator


def help_text(t: Translator) -> str:
    return "\n".join([
        "<b>" + esc(t._("Appointments with your municipality")) + "</b>",
        "",
        esc(t._("I help you book an appointment with a municipal service, in person, by "
                "video call or by phone: choose the municipality, the service and a free "
                "time, give your details and confirm.")),
        "",
        "/start — " + esc(t._("book an appointment")),
        "/mybookings — " + esc(t._("your bookings")),
        "/language — " + esc(t._("change the language")),
        "/timezone — " + esc(t._("change the time zone of the times shown")),
        "/cancel — " + esc(t._("leave the booking in progress")),
        "/mydata — " + esc(t._("everything held about you")),
        "/forgetme — " + esc(t._("erase everything about you")),
        "/help — " + esc(t._("this help")),
    ])


def error(t: Translator) -> str:
    return esc(t._("Sorry, something went wrong on our side. Please try again."))


def choose_language(t: Translator) -> str:
    return esc(t._("Choose your language:"))


def language_set(t: Translator) -> str:
    return esc(t._("From now on I will write to you in English."))


def timezone_menu(t: Translator, zone: ZoneInfo, now: datetime) -> str:
    return "\n\n".join([
        esc(t._("Times are shown in the time zone %(zone)s.")
            % {"zone": zone_label(zone, now, t.locale)}),
        esc(t._("Choose another zone, or send /timezone with its name, e.g. "
                "/timezone America/Chicago")),
    ])


def timezone_set(t: Translator, zone: ZoneInfo, now: datetime) -> str:
    return esc(t._("From now on times are shown in the time zone %(zone)s.")
               % {"zone": zone_label(zone, now, t.locale)})


def unknown_timezone(t: Translator, name: str) -> str:
    return esc(t._("I do not know the time zone “%(name)s”. Example: /timezone Europe/London")
               % {"name": name[:60]})


def only_private(t: Translator) -> str:
    return esc(t._("Please write to me in a private chat to book an appointment."))


def stale_button(t: Translator) -> str:
    return t._("This button belongs to an earlier message and no longer works.")

"""The booking flow's screens: what the citizen reads at each step, and why it is shown again."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.catalog import Municipality, ResolvedService
from bot.domain.model import Channel, Details
from bot.domain.validation import display_phone
from bot.render.formatting import long_date
from bot.render.html import esc, trail
from bot.render.i18n import N_, Translator
from bot.render.phrases import (
    ONLY_CHANNEL,
    declaration,
    details_lines,
    how_line,
    service_lines,
    until_now,
    when_lines,
    zone_line,
)


def welcome(t: Translator) -> str:
    return esc(
        t._(
            "Welcome! Here you can book an appointment with your municipality: "
            "in person, by video call or by phone."
        )
    )


def choose_municipality(t: Translator) -> str:
    return welcome(t) + "\n\n" + esc(t._("Choose your municipality:"))


def choose_group(t: Translator, municipality: Municipality) -> str:
    return trail(municipality.name.get(t.locale)) + "\n\n" + esc(t._("Choose a service group:"))


def choose_service(t: Translator, service_path: tuple[str, str]) -> str:
    return trail(*service_path) + "\n\n" + esc(t._("Choose a service:"))


def service_header(t: Translator, service: ResolvedService) -> str:
    lines = [
        trail(service.municipality.name.get(t.locale), service.group.name.get(t.locale)),
        "<b>" + esc(service.service.name.get(t.locale)) + "</b>",
    ]
    if service.service.description:
        lines.append(esc(service.service.description.get(t.locale)))
    minutes = service.service.duration
    lines.append(esc(t.ngettext("Duration: %(n)d minute", "Duration: %(n)d minutes", minutes)
                     % {"n": minutes}))
    return "\n".join(lines)


def choose_channel(t: Translator, service: ResolvedService) -> str:
    return service_header(t, service) + "\n\n" + esc(t._("How would you like to be served?"))


def choose_day(
    t: Translator, service: ResolvedService, channel: Channel, zone: ZoneInfo, at: datetime
) -> str:
    lines = [service_header(t, service)]
    if len(service.service.channels) == 1:
        lines.append(esc(t._(ONLY_CHANNEL[channel])))
    else:
        lines.append(how_line(t, channel))
    lines += [
        "",
        esc(t._("Choose a day. Days with free times show their number; “·” marks a full "
                "or closed day.")),
        zone_line(t, zone, at),
    ]
    return "\n".join(lines)


def no_free_days(t: Translator, service: ResolvedService) -> str:
    days = service.service.horizon_days
    text = t.ngettext(
        "There are no free times in the next %(n)d day.",
        "There are no free times in the next %(n)d days.",
        days,
    ) % {"n": days}
    if phone := service.phone:
        text += " " + t._("You can call the department at %(phone)s.") % {"phone": phone}
    return service_header(t, service) + "\n\n" + esc(text)


def choose_time(t: Translator, service: ResolvedService, day: date, zone: ZoneInfo,
                at: datetime) -> str:
    return "\n".join([
        "<b>" + esc(service.service.name.get(t.locale)) + "</b>",
        esc(long_date(day, t.locale)),
        "",
        esc(t._("Choose a time:")),
        zone_line(t, zone, at),
    ])


PROMPTS = {
    "name": N_("Please type your full name (first name and surname)."),
    "email": N_("Please type your email address."),
    "phone": N_(
        "Please press “Share my phone” below to send the number of this Telegram account, "
        "or type your phone number."
    ),
    "address": N_("Please type your address (optional)."),
    "notes": N_("Notes (optional): is there anything the employee should know beforehand?"),
    "requirements": N_(
        "Please tell us about any special requirements (optional), e.g. wheelchair access "
        "or help with reading documents. Thank you."
    ),
    "third_email": N_("Please type the email address of the third participant."),
}


def prompt(t: Translator, field: str, current: str) -> str:
    text = esc(t._(PROMPTS[field]))
    if current:
        text += "\n\n" + esc(t._("Now: %(value)s") % {"value": current})
    return text


def third_party(t: Translator) -> str:
    return esc(t._("Will a third person join the video call?"))


def consent(t: Translator, municipality: Municipality) -> str:
    return declaration(t, municipality) + "\n\n" + esc(
        t._("To book, please accept the declaration."))


def summary(t: Translator, service: ResolvedService, channel: Channel, start: datetime,
            end: datetime, details: Details, zone: ZoneInfo) -> str:
    lines = ["<b>" + esc(t._("Please check your booking")) + "</b>", ""]
    lines += service_lines(t, service, channel)
    lines += when_lines(t, start, end, zone)
    lines.append("")
    lines += details_lines(t, details, channel)
    lines += ["", esc(t._("If everything is right, press “Book”."))]
    return "\n".join(lines)


def change_summary(t: Translator, service: ResolvedService, channel: Channel,
                   start: datetime, end: datetime, details: Details, zone: ZoneInfo,
                   previous: datetime) -> str:
    text = summary(t, service, channel, start, end, details, zone)
    before = until_now(t, previous, zone)
    heading = "<b>" + esc(t._("Please check your booking")) + "</b>"
    new_heading = "<b>" + esc(t._("Please check the change")) + "</b>\n" + esc(before)
    return text.replace(heading, new_heading, 1).replace(
        esc(t._("If everything is right, press “Book”.")),
        esc(t._("If everything is right, press “Confirm the change”.")), 1)


def reschedule_intro(t: Translator) -> str:
    return t._("Choose the new day and time. Your current time stays booked until you "
               "confirm the change.")


def slot_taken(t: Translator) -> str:
    return t._(
        "Sorry, that time was booked by someone else a moment ago. "
        "Please choose another time."
    )


def day_full(t: Translator) -> str:
    return t._("Sorry, there are no free times left on that day. Please choose another day.")


def time_not_offered(t: Translator) -> str:
    return t._("That time can no longer be booked. Please choose another time.")


def cancelled(t: Translator) -> str:
    return esc(t._("You left the booking; nothing was booked. Send /start to begin again."))


def use_buttons(t: Translator) -> str:
    return t._("Please use the buttons of the message below.")


def type_text(t: Translator) -> str:
    return t._("Please type your answer as text.")


def not_own_contact(t: Translator) -> str:
    return t._("Please share your own phone number, or type it.")


def invalid_link(t: Translator) -> str:
    return t._("This link is no longer valid. Please choose from the list.")


def saved_phone(t: Translator, phone: str) -> str:
    return esc(t._("Phone: %(phone)s") % {"phone": display_phone(phone)})

"""Every text the citizen reads, built from the gettext catalogs. HTML; all data escaped."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.domain.catalog import Municipality, ResolvedService
from bot.domain.model import Booking, Channel, Details, Status
from bot.domain.validation import display_phone
from bot.render import formatting as fmt
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


def esc(text: object) -> str:
    return escape(str(text), quote=False)


def chunks(html: str, limit: int = 4000) -> list[str]:
    """A long text as messages within Telegram's 4096 characters, cut between lines (each
    line of our texts closes its own tags); a line longer than that is cut."""
    parts: list[str] = []
    current = ""
    for line in html.split("\n"):
        while len(line) > limit:
            parts += [current, line[:limit]]
            current, line = "", line[limit:]
        if current and len(current) + 1 + len(line) > limit:
            parts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current.strip():
        parts.append(current)
    return [part for part in parts if part.strip()]


def channel_name(t: Translator, channel: Channel) -> str:
    return t._(CHANNEL_NAMES[channel])


def zone_line(t: Translator, zone: ZoneInfo, moment: datetime) -> str:
    label = fmt.zone_label(zone, moment, t.locale)
    return "<i>" + esc(t._("All times are in the time zone %(zone)s.") % {"zone": label}) + "</i>"


def trail(*parts: str) -> str:
    """The path chosen so far, e.g. «ΔΗΜΟΣ ΧΙΟΥ › Κέντρο Κοινότητας»."""
    return "<b>" + " › ".join(esc(part) for part in parts if part) + "</b>"


def with_notice(notice: str, text: str) -> str:
    return f"⚠️ {esc(notice)}\n\n{text}" if notice else text


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
        lines.append(esc(t._("Channel: %(channel)s") % {"channel": channel_name(t, channel)}))
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
    phone = service.group.phone or service.municipality.phone
    if phone:
        text += " " + t._("You can call the department at %(phone)s.") % {"phone": phone}
    return service_header(t, service) + "\n\n" + esc(text)


def choose_time(t: Translator, service: ResolvedService, day: date, zone: ZoneInfo,
                at: datetime) -> str:
    return "\n".join([
        "<b>" + esc(service.service.name.get(t.locale)) + "</b>",
        esc(fmt.long_date(day, t.locale)),
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
    return (
        "<b>" + esc(t._("Declaration")) + "</b>\n\n"
        + esc(municipality.consent.get(t.locale)) + "\n\n"
        + esc(t._("To book, please accept the declaration."))
    )


def _details_lines(t: Translator, details: Details, channel: Channel) -> list[str]:
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


def _when_lines(t: Translator, start: datetime, end: datetime, zone: ZoneInfo) -> list[str]:
    return [
        esc(t._("Date: %(date)s") % {"date": fmt.long_date(start.astimezone(zone).date(),
                                                          t.locale)}),
        esc(t._("Time: %(time)s") % {"time": fmt.time_range(start, end, zone)}),
        zone_line(t, zone, start),
    ]


def _service_lines(t: Translator, service: ResolvedService, channel: Channel) -> list[str]:
    return [
        esc(t._("Municipality: %(name)s") % {"name": service.municipality.name.get(t.locale)}),
        esc(t._("Service: %(name)s") % {"name": service.service.name.get(t.locale)}),
        esc(t._("Channel: %(channel)s") % {"channel": channel_name(t, channel)}),
    ]


def summary(t: Translator, service: ResolvedService, channel: Channel, start: datetime,
            end: datetime, details: Details, zone: ZoneInfo) -> str:
    lines = ["<b>" + esc(t._("Please check your booking")) + "</b>", ""]
    lines += _service_lines(t, service, channel)
    lines += _when_lines(t, start, end, zone)
    lines.append("")
    lines += _details_lines(t, details, channel)
    lines += ["", esc(t._("If everything is right, press “Book”."))]
    return "\n".join(lines)


def how_served(t: Translator, service: ResolvedService, booking: Booking) -> str:
    if booking.channel is Channel.IN_PERSON:
        address = service.address.get(t.locale) if service.address else ""
        return t._("Where: %(address)s") % {"address": address}
    if booking.channel is Channel.VIDEO:
        return t._(
            "Video call: you will receive the meeting link here before the appointment; "
            "it is also in the attached invitation."
        )
    return t._("A municipal employee will call you at %(phone)s.") % {
        "phone": display_phone(booking.details.phone)
    }


def confirmation(t: Translator, service: ResolvedService, booking: Booking,
                 zone: ZoneInfo) -> str:
    lines = [
        "✅ <b>" + esc(t._("Your booking is confirmed.")) + "</b>",
        "",
        "<b>" + esc(t._("Booking details")) + "</b>",
        esc(t._("Reference: %(reference)s") % {"reference": booking.reference}),
    ]
    lines += _service_lines(t, service, booking.channel)
    lines += _when_lines(t, booking.start, booking.end, zone)
    lines.append(esc(how_served(t, service, booking)))
    if service.service.instructions:
        lines += ["", "<b>" + esc(t._("Additional information")) + "</b>",
                  esc(service.service.instructions.get(t.locale))]
    lines += ["", esc(t._("The invitation below adds the appointment to your calendar."))]
    return "\n".join(lines)


def invitation_title(t: Translator, service: ResolvedService) -> str:
    return t._("Appointment: %(service)s") % {"service": service.service.name.get(t.locale)}


def invitation_description(t: Translator, service: ResolvedService, booking: Booking) -> str:
    parts = [
        t._("Reference: %(reference)s") % {"reference": booking.reference},
        service.municipality.name.get(t.locale) + " › " + service.group.name.get(t.locale),
        how_served(t, service, booking),
    ]
    if booking.meeting_url:
        parts.append(t._("Join the meeting: %(url)s") % {"url": booking.meeting_url})
    if service.service.instructions:
        parts.append(service.service.instructions.get(t.locale))
    return "\n\n".join(parts)


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


def stale_button(t: Translator) -> str:
    return t._("This button belongs to an earlier message and no longer works.")


def use_buttons(t: Translator) -> str:
    return t._("Please use the buttons of the message below.")


def type_text(t: Translator) -> str:
    return t._("Please type your answer as text.")


def not_own_contact(t: Translator) -> str:
    return t._("Please share your own phone number, or type it.")


def invalid_link(t: Translator) -> str:
    return t._("This link is not valid (any more). Please choose from the list.")


def saved_phone(t: Translator, phone: str) -> str:
    return esc(t._("Phone: %(phone)s") % {"phone": display_phone(phone)})


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
            % {"zone": fmt.zone_label(zone, now, t.locale)}),
        esc(t._("Choose another zone, or send /timezone with its name, e.g. "
                "/timezone America/Chicago")),
    ])


def timezone_set(t: Translator, zone: ZoneInfo, now: datetime) -> str:
    return esc(t._("From now on times are shown in the time zone %(zone)s.")
               % {"zone": fmt.zone_label(zone, now, t.locale)})


def unknown_timezone(t: Translator, name: str) -> str:
    return esc(t._("I do not know the time zone “%(name)s”. Example: /timezone Europe/London")
               % {"name": name[:60]})


def only_private(t: Translator) -> str:
    return esc(t._("Please write to me in a private chat to book an appointment."))


STATUS_LINES = {
    Status.BOOKED: N_("✅ Booked"),
    Status.CANCELLED: N_("❌ Cancelled"),
    Status.COMPLETED: N_("✔️ Completed"),
    Status.NO_SHOW: N_("⚠️ Missed (no-show)"),
}


def _title(t: Translator, service: ResolvedService | None, booking: Booking) -> str:
    return service.service.name.get(t.locale) if service else booking.service_id


def booking_card(t: Translator, service: ResolvedService | None, booking: Booking,
                 zone: ZoneInfo, note: str = "") -> str:
    """A booking as it stands: what every message about it shows after a change."""
    lines = [
        "<b>" + esc(_title(t, service, booking)) + "</b>",
        esc(t._(STATUS_LINES[booking.status])),
        esc(t._("Reference: %(reference)s") % {"reference": booking.reference}),
        esc(t._("Channel: %(channel)s") % {"channel": channel_name(t, booking.channel)}),
        *_when_lines(t, booking.start, booking.end, zone),
    ]
    if booking.is_active and service:
        lines.append(esc(how_served(t, service, booking)))
    if booking.is_active and booking.attendance_at:
        lines.append(esc(t._("You have confirmed that you will attend.")))
    if booking.status is Status.CANCELLED and booking.cancel_reason:
        lines.append(esc(t._("Reason: %(reason)s") % {"reason": booking.cancel_reason}))
    if note:
        lines += ["", esc(note)]
    return "\n".join(lines)


def rescheduled(t: Translator, service: ResolvedService, booking: Booking,
                zone: ZoneInfo) -> str:
    text = confirmation(t, service, booking, zone)
    return text.replace(esc(t._("Your booking is confirmed.")),
                        esc(t._("Your booking has been changed.")), 1)


def refusal(t: Translator, reason: str, service: ResolvedService | None) -> str:
    """Why an action is refused, and what the citizen can do instead."""
    if reason == "cutoff" and service:
        hours = service.service.change_cutoff_hours
        text = t.ngettext(
            "Bookings can be changed or cancelled up to %(n)d hour before the appointment.",
            "Bookings can be changed or cancelled up to %(n)d hours before the appointment.",
            hours,
        ) % {"n": hours}
        phone = service.group.phone or service.municipality.phone
        if phone:
            text += " " + t._("Please call the department at %(phone)s.") % {"phone": phone}
        return text
    if reason == "limit_service":
        return t._("You already have an upcoming booking for this service. You can "
                   "reschedule or cancel it with /mybookings.")
    if reason == "limit_total" and service:
        n = service.municipality.max_active_total
        return t.ngettext(
            "You already have %(n)d upcoming booking with this municipality, the most "
            "allowed. You can cancel it with /mybookings.",
            "You already have %(n)d upcoming bookings with this municipality, the most "
            "allowed. You can cancel one with /mybookings.",
            n,
        ) % {"n": n}
    if reason == "not_active":
        return t._("This booking is no longer active.")
    if reason == "started":
        return t._("This appointment has already started or is over.")
    return t._("This booking was not found.")


def reschedule_intro(t: Translator) -> str:
    return t._("Choose the new day and time. Your current time stays booked until you "
               "confirm the change.")


def change_summary(t: Translator, service: ResolvedService, channel: Channel,
                   start: datetime, end: datetime, details: Details, zone: ZoneInfo,
                   previous: datetime) -> str:
    text = summary(t, service, channel, start, end, details, zone)
    before = t._("Until now: %(date)s, %(time)s") % {
        "date": fmt.long_date(previous.astimezone(zone).date(), t.locale),
        "time": fmt.clock(previous, zone),
    }
    heading = "<b>" + esc(t._("Please check your booking")) + "</b>"
    new_heading = "<b>" + esc(t._("Please check the change")) + "</b>\n" + esc(before)
    return text.replace(heading, new_heading, 1).replace(
        esc(t._("If everything is right, press “Book”.")),
        esc(t._("If everything is right, press “Confirm the change”.")), 1)


def cancel_question(t: Translator, service: ResolvedService | None, booking: Booking,
                    zone: ZoneInfo) -> str:
    return "\n\n".join([
        "<b>" + esc(t._("Do you want to cancel this booking?")) + "</b>",
        booking_card(t, service, booking, zone),
    ])


REASON_MARK = "✍️"


def reason_prompt(t: Translator, reference: str) -> str:
    """Starts with REASON_MARK: a reply to this message is taken as the reason."""
    return REASON_MARK + " " + esc(
        t._("Please type the reason for cancelling booking %(reference)s, as a reply to this "
            "message. The department will see it.") % {"reference": reference})


def cancel_done(t: Translator) -> str:
    return t._("Your booking has been cancelled and the time is free for others.")


def kept_booking(t: Translator) -> str:
    return t._("Your booking stays as it is.")


def changed_below(t: Translator) -> str:
    return t._("This booking was changed; the current details are shown here.")


def past_list(t: Translator, items: list[tuple[Booking, ResolvedService | None]],
              zone: ZoneInfo) -> str:
    if not items:
        return esc(t._("You have no earlier bookings."))
    lines = ["<b>" + esc(t._("Your earlier bookings")) + "</b>"]
    for booking, service in items:
        local = booking.start.astimezone(zone)
        lines += [
            "",
            "<b>" + esc(_title(t, service, booking)) + "</b>",
            esc(f"{fmt.long_date(local.date(), t.locale)}, {fmt.clock(booking.start, zone)}"),
            esc(f"{t._(STATUS_LINES[booking.status])} · {booking.reference}"),
        ]
    return "\n".join(lines)


def my_bookings_header(t: Translator, count: int, zone: ZoneInfo, now: datetime) -> str:
    if not count:
        return esc(t._("You have no upcoming bookings."))
    return "\n".join([
        "<b>" + esc(t._("Your upcoming bookings")) + "</b>",
        zone_line(t, zone, now),
    ])

"""A booking as the citizen reads it: the confirmation, its card, the list of them, cancelling."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.catalog import ResolvedService
from bot.domain.model import Booking, Status
from bot.render.formatting import clock, long_date
from bot.render.html import esc
from bot.render.i18n import N_, Translator
from bot.render.keyboards import Keyboard, book_again, booking_actions
from bot.render.phrases import (
    how_line,
    how_served,
    service_lines,
    service_name,
    when_lines,
    zone_line,
)


def confirmation(t: Translator, service: ResolvedService, booking: Booking,
                 zone: ZoneInfo, *, in_telegram: bool = True) -> str:
    """The confirmation as the chat shows it, or (`in_telegram` false) as an email says it,
    with the link and the invitation attached."""
    lines = [
        "✅ <b>" + esc(t._("Your booking is confirmed.")) + "</b>",
        "",
        "<b>" + esc(t._("Booking details")) + "</b>",
        esc(t._("Reference: %(reference)s") % {"reference": booking.reference}),
    ]
    lines += service_lines(t, service, booking.channel)
    lines += when_lines(t, booking.start, booking.end, zone)
    lines.append(esc(how_served(t, service, booking, in_telegram=in_telegram)))
    if instructions := service.service.instructions_for(booking.channel):
        lines += ["", "<b>" + esc(t._("Additional information")) + "</b>",
                  *(esc(text.get(t.locale)) for text in instructions)]
    lines += ["", esc(t._("The invitation below adds the appointment to your calendar.")
                      if in_telegram else
                      t._("The attached invitation adds the appointment to your calendar."))]
    return "\n".join(lines)


def invitation_title(t: Translator, service: ResolvedService) -> str:
    return t._("Appointment: %(service)s") % {"service": service.service.name.get(t.locale)}


def invitation_description(t: Translator, service: ResolvedService, booking: Booking) -> str:
    parts = [
        t._("Reference: %(reference)s") % {"reference": booking.reference},
        service.municipality.name.get(t.locale) + " › " + service.group.name.get(t.locale),
        how_served(t, service, booking, in_telegram=False),
    ]
    if booking.meeting_url:
        parts.append(t._("Join the meeting: %(url)s") % {"url": booking.meeting_url})
    parts += [text.get(t.locale) for text in service.service.instructions_for(booking.channel)]
    return "\n\n".join(parts)


STATUS_LINES = {
    Status.BOOKED: N_("✅ Confirmed"),
    Status.CANCELLED: N_("❌ Cancelled"),
    Status.COMPLETED: N_("✔️ Completed"),
    Status.NO_SHOW: N_("⚠️ Missed (no-show)"),
}


def booking_card(t: Translator, service: ResolvedService | None, booking: Booking,
                 zone: ZoneInfo, note: str = "") -> str:
    """A booking as it stands: what every message about it shows after a change."""
    lines = [
        "<b>" + esc(service_name(t, service, booking.service_id)) + "</b>",
        esc(t._(STATUS_LINES[booking.status])),
        esc(t._("Reference: %(reference)s") % {"reference": booking.reference}),
        how_line(t, booking.channel),
        *when_lines(t, booking.start, booking.end, zone),
    ]
    if booking.is_active and service:
        lines.append(esc(how_served(t, service, booking)))
    if booking.is_active and booking.attendance_at:
        lines.append(esc(t._("You have confirmed that you will take part.")))
    if booking.status is Status.CANCELLED and booking.cancel_reason:
        lines.append(esc(t._("Reason: %(reason)s") % {"reason": booking.cancel_reason}))
    if note:
        lines += ["", esc(note)]
    return "\n".join(lines)


def rescheduled(t: Translator, service: ResolvedService, booking: Booking,
                zone: ZoneInfo, *, in_telegram: bool = True) -> str:
    text = confirmation(t, service, booking, zone, in_telegram=in_telegram)
    return text.replace(esc(t._("Your booking is confirmed.")),
                        esc(t._("Your booking has been changed.")), 1)


def outcome(t: Translator, service: ResolvedService | None, booking: Booking,
            zone: ZoneInfo) -> tuple[str, Keyboard | None]:
    """What the message a change was made from shows once it is made (by the handler at
    once, by the outbox again): the confirmation, the change, or the cancellation."""
    if booking.status is Status.CANCELLED:
        return (booking_card(t, service, booking, zone, cancel_done(t)),
                book_again(t, booking.group_id))
    if not booking.is_active or service is None:
        return booking_card(t, service, booking, zone), None
    render = rescheduled if booking.sequence else confirmation
    return render(t, service, booking, zone), booking_actions(t, booking)


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
            "<b>" + esc(service_name(t, service, booking.service_id)) + "</b>",
            esc(f"{long_date(local.date(), t.locale)}, {clock(booking.start, zone)}"),
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

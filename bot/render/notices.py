"""What staff read in their department's chat; what the citizen is told when it cancels."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.catalog import Group, ResolvedService
from bot.domain.model import Booking, Status
from bot.render.cards import REASON_MARK, booking_card
from bot.render.formatting import clock, long_date
from bot.render.html import esc
from bot.render.i18n import N_, Translator
from bot.render.phrases import booking_rows, service_name, until_now, zone_line

HEADINGS = {
    "booked": N_("🆕 New booking"),
    "rescheduled": N_("🔁 Rescheduled by the citizen"),
    "rescheduled_staff": N_("🔁 Moved by the department"),
    "cancelled_citizen": N_("❌ Cancelled by the citizen"),
    "cancelled_staff": N_("❌ Cancelled by the department"),
    "cancelled_closure": N_("❌ Cancelled: the day was closed"),
    "completed": N_("✔️ Completed"),
    "no_show": N_("⚠️ No-show"),
}


def heading_key(booking: Booking, last: dict[str, Any] | None) -> str:
    if booking.status is Status.CANCELLED:
        by = (last or {}).get("data", {}).get("by", "citizen")
        return f"cancelled_{by}" if f"cancelled_{by}" in HEADINGS else "cancelled_citizen"
    if booking.status in (Status.COMPLETED, Status.NO_SHOW):
        return booking.status.value
    if not booking.sequence:
        return "booked"
    moved = (last or {}).get("kind") == "rescheduled" and (last or {}).get(
        "data", {}).get("by") == "staff"
    return "rescheduled_staff" if moved else "rescheduled"


def notice(t: Translator, service: ResolvedService | None, booking: Booking, zone: ZoneInfo,
           last: dict[str, Any] | None) -> str:
    """A booking's notice in its department's staff chat, as it now stands."""
    name = service_name(t, service, booking.service_id)
    rows = [(t._("Service"), name), *booking_rows(t, booking, zone)]
    lines = [f"<b>{esc(t._(HEADINGS[heading_key(booking, last)]))}</b> · {esc(booking.reference)}"]
    lines += [f"{esc(label)}: {esc(value)}" for label, value in rows if value]
    if booking.status is Status.CANCELLED and booking.cancel_reason:
        lines.append(esc(t._("Reason: %(reason)s") % {"reason": booking.cancel_reason}))
    if booking.is_active and (last or {}).get("data", {}).get("waitlist"):
        lines.append("📋 " + esc(t._("Booked from the waiting list.")))
    if booking.is_active and booking.attendance_at:
        lines.append("✅ " + esc(t._("The citizen confirmed they will take part.")))
    previous = (last or {}).get("data", {}).get("from", {}).get("start")
    if booking.is_active and booking.sequence and previous:
        lines.append("<i>" + esc(until_now(t, datetime.fromisoformat(previous), zone))
                     + "</i>")
    lines.append(zone_line(t, zone, booking.start))
    return "\n".join(lines)


def reason_prompt(t: Translator, reference: str) -> str:
    return REASON_MARK + " " + esc(t._(
        "Please type the reason for cancelling booking %(reference)s as a reply to this "
        "message. The citizen will be told, with the reason.") % {"reference": reference})


def not_this_chat(t: Translator) -> str:
    return t._("Only the staff chat of this booking's department can do this.")


def citizen_cancelled(t: Translator, service: ResolvedService | None, booking: Booking,
                      zone: ZoneInfo, closure: bool) -> str:
    """To the citizen, when the municipality cancels: polite, with the reason."""
    name = service_name(t, service, booking.service_id)
    local = booking.start.astimezone(zone)
    text = t._(
        "We are sorry: your appointment for “%(service)s” (%(date)s, %(time)s) has been "
        "cancelled by the municipality."
    ) % {"service": name, "date": long_date(local.date(), t.locale),
         "time": clock(booking.start, zone)}
    lines = [esc(text)]
    if booking.cancel_reason:
        lines.append(esc(t._("Reason: %(reason)s") % {"reason": booking.cancel_reason}))
    lines.append(esc(t._("Please book another day with the button below. We apologise for "
                         "the inconvenience.") if closure else t._(
        "You can book a new appointment with the button below. We apologise for the "
        "inconvenience.")))
    return "\n\n".join(lines)


def citizen_moved(t: Translator, service: ResolvedService | None, booking: Booking,
                  zone: ZoneInfo, last: dict[str, Any] | None) -> str:
    """To the citizen, when the department moved their appointment (as they asked it to):
    the booking as it now stands, and the time it had."""
    lines = ["🔁 <b>" + esc(t._("The municipality has moved your appointment.")) + "</b>"]
    previous = (last or {}).get("data", {}).get("from", {}).get("start")
    if previous:
        lines.append(esc(until_now(t, datetime.fromisoformat(previous), zone)))
    lines += ["", booking_card(t, service, booking, zone), "",
              esc(t._("The invitation below updates your calendar. If the new time does not "
                      "suit you, you can change or cancel the booking with the buttons."))]
    return "\n".join(lines)


def move_days(t: Translator, booking: Booking, name: str, zone: ZoneInfo) -> str:
    """Staff, moving a booking: which day."""
    return "🕑 " + esc(t._("New time for %(reference)s (%(service)s, %(name)s), now %(date)s, "
                          "%(time)s. Choose a day:") % {
        "reference": booking.reference, "service": name, "name": booking.details.name,
        "date": long_date(booking.start.astimezone(zone).date(), t.locale),
        "time": clock(booking.start, zone)})


def move_times(t: Translator, booking: Booking, day: date) -> str:
    return "🕑 " + esc(t._("New time for %(reference)s, %(date)s. Choose a time:") % {
        "reference": booking.reference, "date": long_date(day, t.locale)})


def moved(t: Translator, booking: Booking, zone: ZoneInfo) -> str:
    return "✔️ " + esc(t._("%(reference)s moved to %(date)s, %(time)s; the citizen is "
                          "told.") % {
        "reference": booking.reference,
        "date": long_date(booking.start.astimezone(zone).date(), t.locale),
        "time": clock(booking.start, zone)})


def no_free_times(t: Translator) -> str:
    return t._("There are no free times in the next two weeks.")


# ---- admin -----------------------------------------------------------------------------



def staff_translator(group: Group | None) -> Translator:
    """The language of a department's staff chat (Greek unless the catalog says otherwise)."""
    return Translator(group.staff_locale if group else "el")

"""What staff and admins read: notices in the staff chats, agendas, reports. HTML, escaped."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.catalog import Catalog, Group, ResolvedService
from bot.domain.model import Booking, Channel, Status
from bot.domain.validation import display_phone
from bot.render import formatting as fmt
from bot.render.i18n import N_, Translator
from bot.render.texts import channel_name, esc, zone_line
from bot.services.reports import Stats

HEADINGS = {
    "booked": N_("🆕 New booking"),
    "rescheduled": N_("🔁 Rescheduled by the citizen"),
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
    return "rescheduled" if booking.sequence else "booked"


def notice(t: Translator, service: ResolvedService | None, booking: Booking, zone: ZoneInfo,
           last: dict[str, Any] | None) -> str:
    """A booking's notice in its department's staff chat, as it now stands."""
    name = service.service.name.get(t.locale) if service else booking.service_id
    local = booking.start.astimezone(zone)
    details = booking.details
    rows = [
        (t._("Service"), name),
        (t._("Channel"), channel_name(t, booking.channel)),
        (t._("Date"), fmt.long_date(local.date(), t.locale)),
        (t._("Time"), fmt.time_range(booking.start, booking.end, zone)),
        (t._("Full name"), details.name),
        (t._("Phone"), display_phone(details.phone)),
        (t._("Email"), details.email),
        (t._("Address"), details.address),
        (t._("Notes"), details.notes),
        (t._("Special requirements"), details.requirements),
        (t._("Third participant"), details.third_party_email),
    ]
    lines = [f"<b>{esc(t._(HEADINGS[heading_key(booking, last)]))}</b> · {esc(booking.reference)}"]
    lines += [f"{esc(label)}: {esc(value)}" for label, value in rows if value]
    if booking.status is Status.CANCELLED and booking.cancel_reason:
        lines.append(esc(t._("Reason: %(reason)s") % {"reason": booking.cancel_reason}))
    if booking.is_active and booking.attendance_at:
        lines.append("✅ " + esc(t._("The citizen confirmed they will attend.")))
    previous = (last or {}).get("data", {}).get("from", {}).get("start")
    if booking.is_active and booking.sequence and previous:
        before = datetime.fromisoformat(previous)
        lines.append("<i>" + esc(t._("Until now: %(date)s, %(time)s") % {
            "date": fmt.long_date(before.astimezone(zone).date(), t.locale),
            "time": fmt.clock(before, zone)}) + "</i>")
    lines.append(zone_line(t, zone, booking.start))
    return "\n".join(lines)


def reason_prompt(t: Translator, reference: str) -> str:
    from bot.render.texts import REASON_MARK

    return REASON_MARK + " " + esc(t._(
        "Please type the reason for cancelling booking %(reference)s as a reply to this "
        "message. The citizen will be told, with the reason.") % {"reference": reference})


def not_this_chat(t: Translator) -> str:
    return t._("Only the staff chat of this booking's department can do this.")


def outcome_refused(t: Translator, reason: str) -> str:
    if reason == "not_started":
        return t._("The appointment has not started yet.")
    if reason == "not_active":
        return t._("This booking is no longer active.")
    if reason == "started":
        return t._("This appointment has already started or is over.")
    return t._("This booking was not found.")


def citizen_cancelled(t: Translator, service: ResolvedService | None, booking: Booking,
                      zone: ZoneInfo, closure: bool) -> str:
    """To the citizen, when the municipality cancels: polite, with the reason."""
    name = service.service.name.get(t.locale) if service else booking.service_id
    local = booking.start.astimezone(zone)
    text = t._(
        "We are sorry: your appointment for “%(service)s” on %(date)s at %(time)s has been "
        "cancelled by the municipality."
    ) % {"service": name, "date": fmt.long_date(local.date(), t.locale),
         "time": fmt.clock(booking.start, zone)}
    lines = [esc(text)]
    if booking.cancel_reason:
        lines.append(esc(t._("Reason: %(reason)s") % {"reason": booking.cancel_reason}))
    lines.append(esc(t._("Please book another day with the button below. We apologise for "
                         "the inconvenience.") if closure else t._(
        "You can book a new appointment with the button below. We apologise for the "
        "inconvenience.")))
    return "\n\n".join(lines)


# ---- admin -----------------------------------------------------------------------------

def not_allowed(t: Translator) -> str:
    return t._("You are not allowed to use this command.")


def admin_help(t: Translator) -> str:
    rows = [
        ("/agenda [DATE]", t._("the day's bookings per department (default today)"),
         "/agenda 2026-12-10"),
        ("/close DATE [GROUP|SERVICE] REASON", t._("close a day; its bookings are cancelled "
                                                   "and the citizens told"),
         "/close 2026-12-10 chios-kk Staff training"),
        ("/open DATE [GROUP|SERVICE]", t._("reopen a closed day"), "/open 2026-12-10 chios-kk"),
        ("/export FROM TO", t._("the bookings as a CSV file for Excel"),
         "/export 2026-12-01 2026-12-31"),
        ("/stats [FROM TO]", t._("bookings by service, channel and status; no-show rate; "
                                 "busiest days (default: the last 30 days)"),
         "/stats 2026-01-01 2026-12-31"),
        ("/reload", t._("read the catalog again and apply it if it is valid"), "/reload"),
    ]
    lines = ["<b>" + esc(t._("Admin commands")) + "</b>", ""]
    for command, what, example in rows:
        lines += [f"<code>{esc(command)}</code> — {esc(what)}",
                  esc(t._("Example: %(example)s") % {"example": example}), ""]
    lines.append(esc(t._("Dates: 2026-12-10, 10/12/2026, today or tomorrow. GROUP and "
                         "SERVICE are ids from the catalog.")))
    return "\n".join(lines)


def agenda(t: Translator, day: date, sections: list[tuple[Group, list[tuple[Booking, str]]]],
           zone: ZoneInfo, digest: bool = False) -> str:
    title = t._("📋 Today's appointments, %(date)s") if digest else t._("Agenda for %(date)s")
    lines = ["<b>" + esc(title % {"date": fmt.long_date(day, t.locale)}) + "</b>"]
    if not any(items for _, items in sections):
        lines += ["", esc(t._("No bookings."))]
    for group, items in sections:
        if not items:
            continue
        lines += ["", "<b>" + esc(group.name.get(t.locale)) + "</b>"]
        for booking, service_name in items:
            status = "" if booking.is_active else f" ({t._(STATUS_NAMES[booking.status])})"
            if booking.is_active and booking.attendance_at:
                status = " ✅"
            lines.append(esc(
                f"{fmt.clock(booking.start, zone)} {service_name} · "
                f"{channel_name(t, booking.channel)} · {booking.details.name} · "
                f"{booking.reference}{status}"))
    lines += ["", zone_line(t, zone, datetime.combine(day, datetime.min.time(), zone))]
    return "\n".join(lines)


STATUS_NAMES = {
    Status.BOOKED: N_("booked"),
    Status.CANCELLED: N_("cancelled"),
    Status.COMPLETED: N_("completed"),
    Status.NO_SHOW: N_("no-show"),
}


def target_name(t: Translator, catalog: Catalog, kind: str, target_id: str) -> str:
    if kind == "municipality" and (municipality := catalog.municipality(target_id)):
        return municipality.name.get(t.locale)
    if kind == "group" and (found := catalog.group(target_id)):
        return found[1].name.get(t.locale)
    if kind == "service" and (service := catalog.service(target_id)):
        return service.service.name.get(t.locale)
    return target_id


def close_question(t: Translator, day: date, name: str, count: int) -> str:
    return esc(t.ngettext(
        "%(date)s, %(name)s: %(n)d booking will be cancelled and its citizen told, with "
        "the reason. Close the day?",
        "%(date)s, %(name)s: %(n)d bookings will be cancelled and their citizens told, with "
        "the reason. Close the day?",
        count,
    ) % {"date": fmt.long_date(day, t.locale), "name": name, "n": count})


def closed(t: Translator, day: date, name: str, cancelled: int, new: bool) -> str:
    text = (t._("%(date)s is now closed for %(name)s.") if new
            else t._("%(date)s was already closed for %(name)s.")) % {
        "date": fmt.long_date(day, t.locale), "name": name}
    text += " " + t.ngettext("%(n)d booking was cancelled; the citizen will be told.",
                             "%(n)d bookings were cancelled; the citizens will be told.",
                             cancelled) % {"n": cancelled}
    return esc(text)


def close_aborted(t: Translator) -> str:
    return esc(t._("Nothing was closed."))


def opened(t: Translator, day: date, name: str, existed: bool) -> str:
    text = (t._("%(date)s is open again for %(name)s.") if existed
            else t._("%(date)s was not closed for %(name)s.")) % {
        "date": fmt.long_date(day, t.locale), "name": name}
    return esc(text)


def need_reason(t: Translator) -> str:
    return esc(t._("Please add the reason, e.g. /close 2026-12-10 chios-kk Staff training"))


def need_target(t: Translator) -> str:
    return esc(t._("Please name the municipality, group or service, e.g. "
                   "/close 2026-12-10 chios-kk Staff training"))


def export_caption(t: Translator, first: date, last: date, count: int) -> str:
    return esc(t.ngettext("%(n)d booking, %(from)s – %(to)s",
                          "%(n)d bookings, %(from)s – %(to)s", count) % {
        "n": count, "from": first.isoformat(), "to": last.isoformat()})


def stats_text(t: Translator, catalog: Catalog, first: date, last: date,
               numbers: Stats) -> str:
    def service_name(service_id: str) -> str:
        service = catalog.service(service_id)
        return service.service.name.get(t.locale) if service else service_id

    lines = ["<b>" + esc(t._("Statistics %(from)s – %(to)s") % {
        "from": first.isoformat(), "to": last.isoformat()}) + "</b>",
        esc(t.ngettext("%(n)d booking", "%(n)d bookings", numbers.total) % {
            "n": numbers.total})]
    sections = [
        (t._("By service"), [(service_name(s), n) for s, n in numbers.by_service]),
        (t._("By channel"), [(channel_name(t, Channel(c)), n) for c, n in numbers.by_channel]),
        (t._("By status"), [(t._(STATUS_NAMES[Status(s)]), n) for s, n in numbers.by_status]),
        (t._("Busiest days"), [(fmt.long_date(d, t.locale), n)
                               for d, n in numbers.busiest_days]),
    ]
    for title, rows in sections:
        if rows:
            lines += ["", "<b>" + esc(title) + "</b>"]
            lines += [esc(f"{name}: {n}") for name, n in rows]
    rate = numbers.no_show_rate
    lines += ["", esc(t._("No-show rate: %(rate)s") % {
        "rate": f"{rate:.0%}" if rate is not None else "—"})]
    if numbers.average_rating is not None:
        lines.append(esc(t.ngettext(
            "Citizens' rating: %(average).1f out of 5 (%(n)d rating)",
            "Citizens' rating: %(average).1f out of 5 (%(n)d ratings)", numbers.ratings)
            % {"average": numbers.average_rating, "n": numbers.ratings}))
    return "\n".join(lines)


def reload_failed(t: Translator, error: str) -> str:
    return esc(t._("The catalog was not applied; the one in force stays. Error: %(error)s")
               % {"error": error})


def reload_done(t: Translator, added: list[str], changed: list[str], removed: list[str],
                orphaned: int) -> str:
    if not (added or changed or removed):
        return esc(t._("The catalog was read again: no changes."))
    lines = [esc(t._("The catalog was applied."))]
    for title, items in ((t._("Added"), added), (t._("Changed"), changed),
                         (t._("Removed"), removed)):
        if items:
            lines.append(esc(f"{title}: {', '.join(items)}"))
    if orphaned:
        lines.append(esc(t.ngettext(
            "%(n)d upcoming booking belongs to a removed service; it is kept.",
            "%(n)d upcoming bookings belong to removed services; they are kept.",
            orphaned) % {"n": orphaned}))
    return "\n".join(lines)

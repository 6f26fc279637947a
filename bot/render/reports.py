"""Agendas, statistics and the CSV export, as staff and admins read them."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.catalog import Catalog, Group
from bot.domain.model import Booking, Channel, Status
from bot.domain.stats import Stats
from bot.domain.validation import display_phone
from bot.render.formatting import clock, long_date, number, percent
from bot.render.html import MESSAGE_ROOM, chunks, esc
from bot.render.i18n import N_, Translator
from bot.render.phrases import channel_name, zone_line


def agenda(t: Translator, day: date, sections: list[tuple[Group, list[tuple[Booking, str]]]],
           zone: ZoneInfo, digest: bool = False) -> str:
    title = t._("📋 Today's appointments, %(date)s") if digest else t._("Agenda for %(date)s")
    lines = ["<b>" + esc(title % {"date": long_date(day, t.locale)}) + "</b>"]
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
                f"{clock(booking.start, zone)} {service_name} · "
                f"{channel_name(t, booking.channel)} · {booking.details.name} · "
                f"{booking.reference}{status}"))
    lines += ["", zone_line(t, zone, datetime.combine(day, datetime.min.time(), zone))]
    return "\n".join(lines)


def day_agenda(t: Translator, day: date,
               sections: list[tuple[Group, list[tuple[Booking, str]]]], zone: ZoneInfo) -> str:
    """Today's agenda in one message, the one changes edit: a day too full for it ends
    with where to read the rest."""
    text = agenda(t, day, sections, zone, digest=True)
    if len(text) <= MESSAGE_ROOM:
        return text
    more = "\n…\n" + esc(t._("The rest of the day: /agenda"))
    return chunks(text, MESSAGE_ROOM - len(more))[0] + more


STATUS_NAMES = {
    Status.BOOKED: N_("confirmed"),
    Status.CANCELLED: N_("cancelled"),
    Status.COMPLETED: N_("completed"),
    Status.NO_SHOW: N_("no-show"),
}


def export_caption(t: Translator, first: date, last: date, count: int) -> str:
    return esc(t.ngettext("%(n)s booking, %(from)s – %(to)s",
                          "%(n)s bookings, %(from)s – %(to)s", count) % {
        "n": number(count, t.locale), "from": first.isoformat(), "to": last.isoformat()})


def stats_text(t: Translator, catalog: Catalog, first: date, last: date,
               numbers: Stats) -> str:
    def service_name(service_id: str) -> str:
        service = catalog.service(service_id)
        return service.service.name.get(t.locale) if service else service_id

    lines = ["<b>" + esc(t._("Statistics %(from)s – %(to)s") % {
        "from": first.isoformat(), "to": last.isoformat()}) + "</b>",
        esc(t.ngettext("%(n)s booking in all", "%(n)s bookings in all", numbers.total)
            % {"n": number(numbers.total, t.locale)}),
        esc(t.ngettext("of which %(n)s not cancelled (confirmed, completed or no-show)",
                       "of which %(n)s not cancelled (confirmed, completed or no-show)",
                       numbers.kept) % {"n": number(numbers.kept, t.locale)}),
        esc(t._("By service, by channel and busiest days count the bookings not "
                "cancelled."))]
    sections = [
        (t._("By service"), [(service_name(s), n) for s, n in numbers.by_service]),
        (t._("By channel"), [(channel_name(t, Channel(c)), n) for c, n in numbers.by_channel]),
        (t._("By status (all bookings)"),
         [(t._(STATUS_NAMES[Status(s)]), n) for s, n in numbers.by_status]),
        (t._("Busiest days"), [(long_date(d, t.locale), n)
                               for d, n in numbers.busiest_days]),
    ]
    for title, rows in sections:
        if rows:
            lines += ["", "<b>" + esc(title) + "</b>"]
            lines += [esc(f"{name}: {number(n, t.locale)}") for name, n in rows]
    rate = numbers.no_show_rate
    lines += ["", esc(t._("No-show rate: %(rate)s (of appointments marked completed or "
                          "no-show)") % {
        "rate": percent(rate, t.locale) if rate is not None else "—"})]
    if numbers.average_rating is not None:
        lines.append(esc(t.ngettext(
            "Citizens' rating: %(average)s out of 5 (%(n)s rating)",
            "Citizens' rating: %(average)s out of 5 (%(n)s ratings)", numbers.ratings)
            % {"average": number(numbers.average_rating, t.locale, "0.0"),
               "n": number(numbers.ratings, t.locale)}))
    return "\n".join(lines)


CSV_COLUMNS = (
    "reference", "municipality", "group", "service", "channel", "status", "date", "start",
    "end", "name", "email", "phone", "address", "notes", "special_requirements",
    "third_participant", "cancel_reason", "booked_at",
)


def to_csv(bookings: list[Booking], catalog: Catalog, zone: ZoneInfo) -> bytes:
    """One row per booking; UTF-8 with a BOM so that Excel opens Greek correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for booking in bookings:
        service = catalog.service(booking.service_id)
        start, end = booking.start.astimezone(zone), booking.end.astimezone(zone)
        details = booking.details
        writer.writerow([
            booking.reference,
            service.municipality.name.el if service else booking.municipality_id,
            service.group.name.el if service else booking.group_id,
            service.service.name.el if service else booking.service_id,
            booking.channel.value, booking.status.value, start.date().isoformat(),
            start.strftime("%H:%M"), end.strftime("%H:%M"), _cell(details.name),
            _cell(details.email), _phone_cell(details.phone), _cell(details.address),
            _cell(details.notes), _cell(details.requirements),
            _cell(details.third_party_email), _cell(booking.cancel_reason),
            booking.created_at.astimezone(zone).isoformat(timespec="minutes")
            if booking.created_at else "",
        ])
    return out.getvalue().encode("utf-8-sig")


def _cell(text: str) -> str:
    """Citizens' text must not become a formula in a spreadsheet."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


PHONE = re.compile(r"\+?[0-9 ]{1,30}")


def _phone_cell(phone: str) -> str:
    """A phone as text: «+30 691 234 5678». Bare, a spreadsheet takes it for a number (the
    + and any leading 0 lost, 3,06912E+11 shown); quoted in a text formula it stays as
    written, with no apostrophe shown. Only a checked phone goes into the formula."""
    shown = display_phone(phone) if phone else ""
    return f'="{shown}"' if PHONE.fullmatch(shown) else _cell(phone)


def waiting_lines(t: Translator, catalog: Catalog, lengths: dict[str, int],
                  offers: dict[str, int]) -> list[str]:
    """The waitlist of each service and how its offers ended, for /stats and the agenda."""
    lines = ["", "<b>" + esc(t._("Waiting list")) + "</b>"]
    for service_id, waiting in sorted(lengths.items()):
        service = catalog.service(service_id)
        name = service.service.name.get(t.locale) if service else service_id
        lines.append(esc(f"{name}: {number(waiting, t.locale)}"))
    if not lengths:
        lines.append(esc(t._("Nobody is waiting.")))
    lines.append(esc(t._("Offers taken: %(taken)s, declined: %(declined)s, expired: "
                         "%(expired)s") % {key: number(offers.get(key, 0), t.locale)
                                           for key in ("taken", "declined", "expired")}))
    return lines

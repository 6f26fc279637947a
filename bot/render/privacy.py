"""The citizen's rights as they read them: what is held about them (/mydata), being
forgotten (/forgetme); and what a message about an erased booking says instead."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.catalog import Catalog, ResolvedService
from bot.domain.model import Booking
from bot.domain.privacy import HeldBooking, HeldData
from bot.render.cards import STATUS_LINES
from bot.render.formatting import clock, long_date, time_range
from bot.render.html import esc
from bot.render.i18n import N_, Translator
from bot.render.notices import HEADINGS, heading_key
from bot.render.phrases import booking_rows, channel_name, service_name

LANGUAGES = {"el": "Ελληνικά", "en": "English"}
WHY = {
    "retention": N_("The citizen's personal data has been erased: its retention period "
                    "has ended."),
    "request": N_("The citizen's personal data has been erased at their request."),
}
EVENTS = {
    "booked": N_("Booked"),
    "rescheduled": N_("Moved to another time"),
    "cancelled": N_("Cancelled"),
    "completed": N_("Completed"),
    "no_show": N_("Missed (no-show)"),
    "confirmed": N_("You confirmed your participation"),
}
BY = {"you": N_("by you"), "staff": N_("by the department"), "system": N_("by the system")}


# ---- a message about an erased booking ------------------------------------------------

def erased_notice(t: Translator, service: ResolvedService | None, booking: Booking,
                  zone: ZoneInfo, why: str) -> str:
    """The staff notice of an erased booking: what happened to the slot, no one's data."""
    local = booking.start.astimezone(zone)
    rows = [
        (t._("Service"), service_name(t, service, booking.service_id)),
        (t._("Channel"), channel_name(t, booking.channel)),
        (t._("Date"), long_date(local.date(), t.locale)),
        (t._("Time"), time_range(booking.start, booking.end, zone)),
    ]
    heading = t._(HEADINGS[heading_key(booking, None)])
    lines = [f"<b>{esc(heading)}</b> · {esc(booking.reference)}"]
    lines += [f"{esc(label)}: {esc(value)}" for label, value in rows]
    lines.append("🗑 <i>" + esc(t._(WHY.get(why, WHY["retention"]))) + "</i>")
    return "\n".join(lines)


def erased_line(t: Translator, reference: str) -> str:
    """What the citizen's own messages about an erased booking say."""
    return "🗑 " + esc(t._("The details of booking %(reference)s have been erased.")
                       % {"reference": reference})


# ---- /forgetme ------------------------------------------------------------------------

def forget_question(t: Translator, upcoming: int) -> str:
    lines = [
        "<b>" + esc(t._("Do you want everything about you erased?")) + "</b>",
        esc(t._("Your details in every booking, their history, your comments, your "
                "preferences and any booking in progress will be erased at once.")),
    ]
    if upcoming:
        lines.append(esc(t.ngettext(
            "Your upcoming booking will be cancelled and the department told.",
            "Your %(count)d upcoming bookings will be cancelled and the departments told.",
            upcoming) % {"count": upcoming}))
    lines += [
        esc(t._("The municipality may keep what the law requires it to keep; anonymous "
                "statistics (how many appointments, for which service) remain.")),
        esc(t._("This cannot be undone. To see first what is held about you, send /mydata.")),
    ]
    return "\n\n".join(lines)


def forgotten(t: Translator) -> str:
    return esc(t._("Everything about you has been erased. If you write to me again, I will "
                   "treat you as a new user."))


def not_forgotten(t: Translator) -> str:
    return esc(t._("Nothing has been erased."))


# ---- /mydata --------------------------------------------------------------------------

def data_caption(t: Translator) -> str:
    return esc(t._("Everything Rantevou holds about you: a text to read, and the same "
                   "data as JSON."))


def data_json(held: HeldData) -> bytes:
    """Everything held, as stored (times in UTC), for a machine to read."""
    document = {
        "telegram_user_id": held.user_id,
        "made_at": held.made_at,
        "preferences": held.preferences,
        "conversation": held.conversation,
        "bookings": [_booking_json(item) for item in held.bookings],
        "waitlist": held.waitlist,
    }
    return json.dumps(document, ensure_ascii=False, indent=2, default=_plain).encode()


def _booking_json(item: HeldBooking) -> dict[str, Any]:
    booking = item.booking
    return {
        "reference": booking.reference,
        "municipality_id": booking.municipality_id,
        "group_id": booking.group_id,
        "service_id": booking.service_id,
        "channel": booking.channel.value,
        "start": booking.start,
        "end": booking.end,
        "status": booking.status.value,
        "details": {
            "name": booking.details.name, "email": booking.details.email,
            "phone": booking.details.phone, "address": booking.details.address,
            "notes": booking.details.notes, "requirements": booking.details.requirements,
            "third_party_email": booking.details.third_party_email,
        },
        "meeting_url": booking.meeting_url,
        "cancel_reason": booking.cancel_reason,
        "consent_at": booking.consent_at,
        "created_at": booking.created_at,
        "attendance_at": booking.attendance_at,
        "erased_at": booking.erased_at,
        "language": booking.locale,
        "history": item.history,
        "rating": item.rating,
        "comment": item.comment,
    }


def _plain(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def data_text(t: Translator, catalog: Catalog, held: HeldData, zone: ZoneInfo) -> bytes:
    """The same, for a person to read, in their language and zone."""
    lines = [t._("Rantevou: the data held about you"), ""]
    if held.made_at:
        lines.append(t._("As of: %(date)s, %(time)s") % _when(t, held.made_at, zone))
    lines.append(t._("Telegram user id: %(id)s") % {"id": held.user_id})
    prefs = held.preferences or {}
    lines += ["", "## " + t._("Preferences"),
              t._("Language: %(language)s") % {
                  "language": LANGUAGES.get(str(prefs.get("locale")), t._("not chosen"))},
              t._("Time zone: %(zone)s") % {"zone": prefs.get("timezone") or t._("not chosen")}]
    if isinstance(prefs.get("created_at"), datetime):
        lines.append(t._("First contact: %(date)s, %(time)s")
                     % _when(t, prefs["created_at"], zone))
    draft = (held.conversation or {}).get("draft") or {}
    if draft:
        lines += ["", "## " + t._("Booking in progress")]
        lines += [f"{key}: {value}" for key, value in _flat(draft) if value not in ("", None)]
    lines += ["", "## " + t._("Bookings")]
    if not held.bookings:
        lines.append(t._("None."))
    for item in held.bookings:
        lines += ["", *_booking_text(t, catalog, item, zone)]
    if held.waitlist:
        lines += ["", "## " + t._("Waiting list")]
        for entry in held.waitlist:
            lines += ["", *(f"{key}: {_plain(value)}" for key, value in entry.items())]
    return ("\n".join(lines) + "\n").encode()


def _booking_text(t: Translator, catalog: Catalog, item: HeldBooking,
                  zone: ZoneInfo) -> list[str]:
    booking = item.booking
    service = catalog.service(booking.service_id)
    rows = [
        (t._("Status"), t._(STATUS_LINES[booking.status])),
        *booking_rows(t, booking, zone),
        (t._("Meeting link"), booking.meeting_url),
        (t._("Reason"), booking.cancel_reason),
    ]
    lines = [f"### {booking.reference}: {service_name(t, service, booking.service_id)}"]
    lines += [f"{label}: {value}" for label, value in rows if value]
    if item.rating is not None:
        lines.append(t._("Your rating: %(stars)s of 5") % {"stars": item.rating})
    if item.comment:
        lines.append(t._("Your comment: %(comment)s") % {"comment": item.comment})
    if item.history:
        lines.append(t._("History:"))
    for event in item.history:
        at = event.get("at")
        when = "{date}, {time}".format(**_when(t, at, zone)) if isinstance(at, datetime) \
            else ""
        kind = str(event.get("kind"))
        what = t._(EVENTS[kind]) if kind in EVENTS else kind
        by = t._(BY[event["by"]]) if event.get("by") in BY else ""
        lines.append(f"- {when}: {what} {by}".rstrip())
    return lines


def _when(t: Translator, moment: datetime, zone: ZoneInfo) -> dict[str, str]:
    return {"date": long_date(moment.astimezone(zone).date(), t.locale),
            "time": clock(moment, zone)}


def _flat(data: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """A nested dict's leaves, named by their path (a draft's details)."""
    found: list[tuple[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            found += _flat(value, f"{prefix}{key}.")
        else:
            found.append((f"{prefix}{key}", value))
    return found

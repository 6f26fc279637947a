"""Every keyboard the bot shows, built in one place from button data of `bot.callbacks`."""

from __future__ import annotations

from calendar import Calendar
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.domain.catalog import Group, Municipality, ResolvedService
from bot.domain.model import Booking, Channel, Slot
from bot.render.callbacks import encode
from bot.render.formatting import clock, month_title, utc_offset, weekday_heads, zone_label
from bot.render.i18n import N_, Translator
from bot.render.phrases import CHANNEL_ICONS, channel_name

Rows = list[list[InlineKeyboardButton]]
TIMES_PER_ROW = 4
COMMON_ZONES = (
    "Europe/Athens",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Brussels",
    "America/New_York",
    "America/Toronto",
    "Australia/Melbourne",
    "UTC",
)
BACK = N_("« Back")
CANCEL = N_("✖ Cancel")


def button(text: str, step: str, arg: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=encode(step, arg))


def inert(text: str) -> InlineKeyboardButton:
    return button(text or " ", "x")


def nav_row(t: Translator, step: str, *, back: bool = True) -> list[InlineKeyboardButton]:
    row = [button(t._(BACK), "back", step)] if back else []
    return [*row, button(t._(CANCEL), "cancel")]


def chunk(buttons: Sequence[InlineKeyboardButton], size: int) -> Rows:
    return [list(buttons[i : i + size]) for i in range(0, len(buttons), size)]


def markup(rows: Iterable[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([row for row in rows if row])


def municipalities(t: Translator, items: Sequence[Municipality]) -> InlineKeyboardMarkup:
    rows = [[button(m.name.get(t.locale), "m", m.id)] for m in items]
    return markup([*rows, nav_row(t, "municipality", back=False)])


def groups(t: Translator, municipality: Municipality) -> InlineKeyboardMarkup:
    rows = [[button(g.name.get(t.locale), "g", g.id)] for g in municipality.groups]
    return markup([*rows, nav_row(t, "group")])


def services(t: Translator, group: Group) -> InlineKeyboardMarkup:
    rows = [[button(s.name.get(t.locale), "s", s.id)] for s in group.services]
    return markup([*rows, nav_row(t, "service")])


def channels(t: Translator, service: ResolvedService) -> InlineKeyboardMarkup:
    rows = [
        [button(f"{CHANNEL_ICONS[c]} {channel_name(t, c)}", "c", c.value)]
        for c in service.service.channels
    ]
    return markup([*rows, nav_row(t, "channel")])


def calendar(
    t: Translator,
    month: date,
    free_days: set[date],
    previous: date | None,
    following: date | None,
) -> InlineKeyboardMarkup:
    """A month grid, Monday first: free days pressable, the others inert."""
    header = [
        button("«", "mo", previous.strftime("%Y-%m")) if previous else inert(" "),
        inert(month_title(month, t.locale)),
        button("»", "mo", following.strftime("%Y-%m")) if following else inert(" "),
    ]
    rows: Rows = [header, [inert(name) for name in weekday_heads(t.locale)]]
    for week in Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        row = []
        for day in week:
            if day.month != month.month:
                row.append(inert(" "))
            elif day in free_days:
                row.append(button(str(day.day), "d", day.isoformat()))
            else:
                row.append(inert("·"))
        rows.append(row)
    rows.append(nav_row(t, "day"))
    return markup(rows)


def times(t: Translator, slots: Sequence[Slot], zone: ZoneInfo) -> InlineKeyboardMarkup:
    labels = [clock(slot.start, zone) for slot in slots]
    buttons = []
    for slot, label in zip(slots, labels, strict=True):
        if labels.count(label) > 1:  # the repeated hour when clocks go back
            label = f"{label} ({utc_offset(slot.start, zone)})"
        buttons.append(button(label, "t", str(epoch_minutes(slot.start))))
    return markup([*chunk(buttons, TIMES_PER_ROW), nav_row(t, "time")])


def epoch_minutes(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


def text_step(t: Translator, step: str, current: str, optional: bool) -> InlineKeyboardMarkup:
    keep: list[InlineKeyboardButton] = []
    if current:
        shown = current if len(current) <= 24 else current[:23] + "…"
        keep = [button(t._("Keep: %(value)s") % {"value": shown}, "keep", step)]
    elif optional:
        keep = [button(t._("Skip"), "keep", step)]
    return markup([keep, nav_row(t, step)])


SHARE_PHONE = N_("📱 Share my phone")


def phone(t: Translator, current: str) -> ReplyKeyboardMarkup:
    """Telegram's contact sharing; Back and Cancel are typed buttons on this step only."""
    rows: list[list[KeyboardButton]] = [[KeyboardButton(t._(SHARE_PHONE), request_contact=True)]]
    if current:
        rows.append([KeyboardButton(current)])
    rows.append([KeyboardButton(t._(BACK)), KeyboardButton(t._(CANCEL))])
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


def yes_no(t: Translator, step: str) -> InlineKeyboardMarkup:
    return markup([
        [button(t._("Yes"), "yn", "y"), button(t._("No"), "yn", "n")],
        nav_row(t, step),
    ])


def consent(t: Translator) -> InlineKeyboardMarkup:
    return markup([[button(t._("✅ I accept"), "ok")], nav_row(t, "consent")])


def summary(t: Translator, draft_id: str, channel: Channel, several_channels: bool,
            change: bool = False) -> InlineKeyboardMarkup:
    edits = [
        (N_("Date and time"), "day"),
        (N_("Full name"), "name"),
        (N_("Email"), "email"),
        (N_("Phone"), "phone"),
        (N_("Address"), "address"),
        (N_("Notes"), "notes"),
        (N_("Special requirements"), "requirements"),
    ]
    if several_channels:
        edits.insert(0, (N_("Channel"), "channel"))
    if channel is Channel.VIDEO:
        edits.append((N_("Third participant"), "third_party"))
    buttons = [button("✏️ " + t._(label), "edit", step) for label, step in edits]
    return markup([
        [button(t._("✅ Confirm the change") if change else t._("✅ Book"), "book", draft_id)],
        *chunk(buttons, 2),
        nav_row(t, "summary"),
    ])


def booking_actions(t: Translator, booking: Booking, *, card: bool = False) -> InlineKeyboardMarkup:
    """What a citizen can do with an upcoming booking, under every message that shows it."""
    rows: Rows = []
    if booking.meeting_url:
        rows.append([InlineKeyboardButton(t._("Join the meeting"), url=booking.meeting_url)])
    rows.append([button(t._("🔁 Reschedule"), "rs", booking.reference),
                 button(t._("❌ Cancel booking"), "cx", booking.reference)])
    if not card:
        rows.append([button(t._("My bookings"), "my"),
                     button(t._("New booking"), "new", booking.group_id)])
    return markup(rows)


def reminder_actions(t: Translator, booking: Booking) -> InlineKeyboardMarkup:
    rows: Rows = []
    if not booking.attendance_at:
        rows.append([button(t._("✅ I'll be there"), "at", booking.reference)])
    rows += [list(row) for row in booking_actions(t, booking, card=True).inline_keyboard]
    return markup(rows)


def join(t: Translator, url: str) -> InlineKeyboardMarkup:
    return markup([[InlineKeyboardButton(t._("Join the meeting"), url=url)]])


def ratings(reference: str) -> InlineKeyboardMarkup:
    return markup([[button(f"{n} ⭐", "fb", f"{reference}/{n}") for n in range(1, 6)]])


def staff_actions(t: Translator, booking: Booking) -> InlineKeyboardMarkup:
    """Under a booking's notice in its department's staff chat."""
    rows: Rows = [
        [button(t._("✔️ Completed"), "sd", booking.reference),
         button(t._("⚠️ No-show"), "sn", booking.reference)],
        [button(t._("❌ Cancel booking"), "sx", booking.reference)],
    ]
    if booking.meeting_url:
        rows.append([InlineKeyboardButton(t._("🎥 Meeting link"), url=booking.meeting_url)])
    return markup(rows)


def confirm_close(t: Translator, token: str) -> InlineKeyboardMarkup:
    return markup([[button(t._("Yes, close and cancel"), "cl", token),
                    button(t._("No"), "cn", token)]])


def book_again(t: Translator, group_id: str = "") -> InlineKeyboardMarkup:
    return markup([[button(t._("New booking"), "new", group_id)]])


def book_button(t: Translator) -> InlineKeyboardMarkup:
    return book_again(t)


def my_bookings(t: Translator) -> InlineKeyboardMarkup:
    return markup([[button(t._("Earlier bookings"), "past"), button(t._("New booking"), "new")]])


def cancel_question(t: Translator, booking: Booking) -> InlineKeyboardMarkup:
    return markup([
        [button(t._("Yes, cancel"), "cy", booking.reference)],
        [button(t._("Yes, and give a reason"), "cr", booking.reference)],
        [button(t._("No, keep it"), "ck", booking.reference)],
    ])


def languages() -> InlineKeyboardMarkup:
    return markup([[button("Ελληνικά", "lang", "el"), button("English", "lang", "en")]])


def timezones(t: Translator, now: datetime) -> InlineKeyboardMarkup:
    buttons = [
        button(f"{zone_label(ZoneInfo(name), now, t.locale)}", "tz", name)
        for name in COMMON_ZONES
    ]
    return markup(chunk(buttons, 2))

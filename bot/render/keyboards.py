"""Every keyboard the bot shows, built in one place from button data of `bot.callbacks`.

Keyboards are built as the Bot API takes them (`reply_markup`: plain dicts), not as PTB
objects: a calendar is some forty buttons, and PTB's objects cost more to build and to turn
back into JSON than everything else a step does."""

from __future__ import annotations

import unicodedata
from calendar import Calendar
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.catalog import Group, Municipality, ResolvedService
from bot.domain.model import Booking, Channel, Details, Slot
from bot.domain.wishes import AFTERNOON, MORNING
from bot.render.callbacks import encode
from bot.render.formatting import (
    clock,
    month_name,
    month_title,
    short_date,
    utc_offset,
    weekday_heads,
    zone_label,
)
from bot.render.i18n import N_, Translator
from bot.render.phrases import CHANNEL_ICONS, channel_name

Button = dict[str, Any]
Keyboard = dict[str, Any]  # a reply_markup: an inline keyboard, a reply keyboard, or such
Rows = list[list[Button]]
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


def button(text: str, step: str, arg: str = "") -> Button:
    return {"text": text, "callback_data": encode(step, arg)}


def link(text: str, url: str) -> Button:
    return {"text": text, "url": url}


def inert(text: str) -> Button:
    return button(text or " ", "x")


def nav_row(t: Translator, step: str, *, back: bool = True) -> list[Button]:
    row = [button(t._(BACK), "back", step)] if back else []
    return [*row, button(t._(CANCEL), "cancel")]


# Telegram gives the buttons of a row equal widths; on a phone a row shows about 34
# characters, so two buttons about 17 each. A longer label is cut with «…».
ROW_WIDTH = 34


def width(label: str) -> int:
    """How many characters' room a label takes: an emoji two, a combining mark none."""
    total = 0
    for index, char in enumerate(label):
        if unicodedata.combining(char) or char in "\u200d\ufe0e\ufe0f":
            continue
        emoji = label[index + 1 : index + 2] == "\ufe0f"
        total += 2 if emoji or unicodedata.east_asian_width(char) in "WF" else 1
    return total


def fits(row: Sequence[Button]) -> bool:
    return all(width(b["text"]) <= ROW_WIDTH // len(row) for b in row) if row else True


def fit(buttons: Sequence[Button], most: int = 2) -> Rows:
    """Buttons in order, up to `most` a row, as many as fit uncut beside each other."""
    rows: Rows = []
    for item in buttons:
        if rows and len(rows[-1]) < most and fits([*rows[-1], item]):
            rows[-1].append(item)
        else:
            rows.append([item])
    return rows


def markup(rows: Iterable[list[Button]]) -> Keyboard:
    return {"inline_keyboard": [row for row in rows if row]}


def remove() -> Keyboard:
    """Take away a reply keyboard (the phone step's)."""
    return {"remove_keyboard": True}


def force_reply(placeholder: str = "") -> Keyboard:
    """Ask for a reply to this message (a reason, a comment)."""
    return {"force_reply": True, **({"input_field_placeholder": placeholder[:64]}
                                    if placeholder else {})}


def municipalities(t: Translator, items: Sequence[Municipality]) -> Keyboard:
    rows = [[button(m.name.get(t.locale), "m", m.id)] for m in items]
    return markup([*rows, nav_row(t, "municipality", back=False)])


def groups(t: Translator, municipality: Municipality) -> Keyboard:
    rows = [[button(g.name.get(t.locale), "g", g.id)] for g in municipality.groups]
    return markup([*rows, nav_row(t, "group")])


def services(t: Translator, group: Group) -> Keyboard:
    rows = [[button(s.name.get(t.locale), "s", s.id)] for s in group.services]
    return markup([*rows, nav_row(t, "service")])


def channels(t: Translator, service: ResolvedService) -> Keyboard:
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
) -> Keyboard:
    """A month grid, Monday first: free days pressable, the others inert. The month's
    name has a row of its own (a third of a row would cut it), the other months theirs."""
    months = []
    if previous:
        months.append(button("« " + month_name(previous, t.locale), "mo",
                             previous.strftime("%Y-%m")))
    if following:
        months.append(button(month_name(following, t.locale) + " »", "mo",
                             following.strftime("%Y-%m")))
    rows: Rows = [[inert(month_title(month, t.locale))],
                  [inert(name) for name in weekday_heads(t.locale)]]
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
    rows += [months, nav_row(t, "day")]
    return markup(rows)


def times(t: Translator, slots: Sequence[Slot], zone: ZoneInfo) -> Keyboard:
    buttons = [button(label, "t", str(epoch_minutes(slot.start)))
               for slot, label in zip(slots, time_labels(slots, zone), strict=True)]
    return markup([*fit(buttons, TIMES_PER_ROW), nav_row(t, "time")])


def time_labels(slots: Sequence[Slot], zone: ZoneInfo) -> list[str]:
    """«09:30»; the repeated hour when clocks go back says which of the two it is."""
    labels = [clock(slot.start, zone) for slot in slots]
    return [f"{label} ({utc_offset(slot.start, zone)})" if labels.count(label) > 1 else label
            for slot, label in zip(slots, labels, strict=True)]


def epoch_minutes(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


def text_step(t: Translator, step: str, current: str, optional: bool) -> Keyboard:
    keep: list[Button] = []
    if current:
        label = t._("Keep: %(value)s")
        room = ROW_WIDTH - width(label % {"value": ""})
        shown = current if width(current) <= room else current[: room - 1] + "…"
        keep = [button(label % {"value": shown}, "keep", step)]
    elif optional:
        keep = [button(t._("Skip"), "keep", step)]
    return markup([keep, nav_row(t, step)])


SHARE_PHONE = N_("📱 Share my phone")


def phone(t: Translator, current: str) -> Keyboard:
    """Telegram's contact sharing; Back and Cancel are typed buttons on this step only."""
    rows: Rows = [[{"text": t._(SHARE_PHONE), "request_contact": True}]]
    if current:
        rows.append([{"text": current}])
    rows.append([{"text": t._(BACK)}, {"text": t._(CANCEL)}])
    return {"keyboard": rows, "resize_keyboard": True, "one_time_keyboard": True}


def yes_no(t: Translator, step: str) -> Keyboard:
    return markup([
        [button(t._("Yes"), "yn", "y"), button(t._("No"), "yn", "n")],
        nav_row(t, step),
    ])


def consent(t: Translator) -> Keyboard:
    return markup([[button(t._("✅ I accept"), "ok")], nav_row(t, "consent")])


def summary(t: Translator, draft_id: str, channel: Channel, several_channels: bool,
            change: bool = False) -> Keyboard:
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
        *fit(buttons),
        nav_row(t, "summary"),
    ])


def booking_actions(t: Translator, booking: Booking, *, card: bool = False) -> Keyboard:
    """What a citizen can do with an upcoming booking, under every message that shows it."""
    rows: Rows = []
    if booking.meeting_url:
        rows.append([link(t._("Join the meeting"), booking.meeting_url)])
    rows += fit([button(t._("🔁 Reschedule"), "rs", booking.reference),
                 button(t._("❌ Cancel booking"), "cx", booking.reference)])
    if not card:
        rows += fit([button(t._("My bookings"), "my"),
                     button(t._("New booking"), "new", booking.group_id)])
    return markup(rows)


def reminder_actions(t: Translator, booking: Booking) -> Keyboard:
    rows: Rows = []
    if not booking.attendance_at:
        rows.append([button(t._("✅ I confirm I will take part"), "at", booking.reference)])
    rows += booking_actions(t, booking, card=True)["inline_keyboard"]
    return markup(rows)


def join(t: Translator, url: str) -> Keyboard:
    return markup([[link(t._("Join the meeting"), url)]])


def ratings(reference: str) -> Keyboard:
    return markup([[button(f"{n} ⭐", "fb", f"{reference}/{n}") for n in range(1, 6)]])


def staff_actions(t: Translator, booking: Booking) -> Keyboard:
    """Under a booking's notice in its department's staff chat."""
    rows = fit([button(t._("✔️ Completed"), "sd", booking.reference),
                button(t._("⚠️ No-show"), "sn", booking.reference)])
    rows += fit([button(t._("🕑 Change time"), "sm", booking.reference),
                 button(t._("❌ Cancel booking"), "sx", booking.reference)])
    if booking.meeting_url:
        rows.append([link(t._("🎥 Meeting link"), booking.meeting_url)])
    return markup(rows)


def move_days(t: Translator, reference: str, days: Sequence[date]) -> Keyboard:
    """Staff moving a booking: the days with free times."""
    buttons = [button(short_date(day, t.locale), "smd", f"{reference}/{day.isoformat()}")
               for day in days]
    return markup(fit(buttons, 3))


def move_times(t: Translator, reference: str, slots: Sequence[Slot],
               zone: ZoneInfo) -> Keyboard:
    """That day's free times, and back to the days."""
    buttons = [button(label, "smt", f"{reference}/{epoch_minutes(slot.start)}")
               for slot, label in zip(slots, time_labels(slots, zone), strict=True)]
    return markup([*fit(buttons, TIMES_PER_ROW), [button(t._(BACK), "smb", reference)]])


def confirm_close(t: Translator, token: str) -> Keyboard:
    return markup(fit([button(t._("Yes, close and cancel"), "cl", token),
                       button(t._("No"), "cn", token)]))


def book_again(t: Translator, group_id: str = "") -> Keyboard:
    return markup([[button(t._("New booking"), "new", group_id)]])


def book_button(t: Translator) -> Keyboard:
    return book_again(t)


def my_bookings(t: Translator) -> Keyboard:
    return markup(fit([button(t._("Earlier bookings"), "past"),
                       button(t._("New booking"), "new")]))


def cancel_question(t: Translator, booking: Booking) -> Keyboard:
    return markup([
        [button(t._("Yes, cancel"), "cy", booking.reference)],
        [button(t._("Yes, and give a reason"), "cr", booking.reference)],
        [button(t._("No, keep it"), "ck", booking.reference)],
    ])


def forget_question(t: Translator) -> Keyboard:
    return markup([[button(t._("🗑 Yes, erase everything"), "fy")],
                   [button(t._("No, keep my data"), "fn")]])


def languages() -> Keyboard:
    return markup([[button("Ελληνικά", "lang", "el"), button("English", "lang", "en")]])


def timezones(t: Translator, now: datetime) -> Keyboard:
    buttons = [
        button(f"{zone_label(ZoneInfo(name), now, t.locale)}", "tz", name)
        for name in COMMON_ZONES
    ]
    return markup(fit(buttons))


def join_waitlist(t: Translator, day: str = "") -> Rows:
    """The rows that put the citizen on the waitlist (of a day, or of any time): at any
    hour, or only in one part of the day."""
    return [[button(t._("Tell me if a seat frees up"), "wj", day)],
            [button(t._("Mornings only"), "wj", f"{day}/{MORNING}"),
             button(t._("Afternoons only"), "wj", f"{day}/{AFTERNOON}")]]


def with_rows(keyboard: Keyboard, more: Rows) -> Keyboard:
    """The keyboard with more rows above its last (the navigation) row."""
    rows: Rows = list(keyboard.get("inline_keyboard", []))
    return markup([*rows[:-1], *more, *rows[-1:]])


def leave_waitlist(t: Translator, entry_id: int) -> Keyboard:
    return markup([[button(t._("Leave the waiting list"), "wl", str(entry_id))]])


def offer(t: Translator, offer_id: int, details: Details | None) -> Keyboard:
    """«Book» with the details the offer shows (it carries their fingerprint: it books
    those or none), «No, thank you», «Change details». Without earlier details, «Book»
    asks for them in the booking flow, as «Change details» does."""
    arg = str(offer_id)
    if details is None:
        return markup([[button(t._("Book"), "wc", arg), button(t._("No, thank you"), "wn", arg)]])
    return markup(fit([button(t._("Book"), "wy", f"{arg}/{details.fingerprint()}"),
                       button(t._("No, thank you"), "wn", arg),
                       button(t._("Change details"), "wc", arg)]))

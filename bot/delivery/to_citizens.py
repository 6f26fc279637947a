"""What the outbox sends a citizen: reminders, the meeting link, the feedback request, and
the news that the municipality cancelled. By Telegram, or by email when Telegram cannot
reach them."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden

from bot.delivery import mail, messenger
from bot.domain.model import Booking, Channel, Status
from bot.ptb.replies import call, harmless, message
from bot.render import cards, email, keyboards, notices, reminders
from bot.render.i18n import Citizen
from bot.render.keyboards import Keyboard
from bot.render.phrases import service_name
from bot.services.runtime import Services
from storage import bookings, outbox, users
from storage.outbox import Item

log = logging.getLogger(__name__)


FEEDBACK_USEFUL = timedelta(days=7)


async def _to_citizen(bot: Bot, services: Services, booking: Booking, who: Citizen,
                      html: str, markup: Keyboard | None, kind: str | None,
                      subject: str | None, now: datetime,
                      mail_html: str | None = None) -> str | None:
    """By Telegram; if the citizen blocked the bot, by email (when we have both), as
    `mail_html` says it when an email must say it otherwise (no buttons, no "here"). A
    message of a `kind` is remembered, so that later changes of the booking update it."""
    async with services.db.read() as conn:
        unreachable = await users.is_unreachable(conn, booking.user_id)
    if not unreachable:
        try:
            sent = await call(bot, "sendMessage", message(booking.user_id, html, markup))
        except Forbidden:
            async with services.db.write() as conn:
                await users.mark_unreachable(conn, booking.user_id, now)
        else:
            if kind:
                await _remember(services, booking, int(sent["message_id"]), kind)
            return None
    if subject and services.settings.SMTP_HOST and booking.details.email:
        await mail.send(services.settings, mail.build(
            services.settings, booking.details.email, subject, mail_html or html))
        return None
    return "the citizen cannot be reached"


async def _remember(services: Services, booking: Booking, message_id: int, kind: str) -> None:
    await messenger.shows(services, booking.id, booking.user_id, message_id, kind)


async def send_reminder(bot: Bot, services: Services, item: Item, booking: Booking,
                        now: datetime) -> str | None:
    if not booking.is_active:
        return "the booking is no longer active"
    if now >= booking.start:
        return "the appointment has already begun"
    async with services.db.read() as conn:
        if await outbox.later_due(conn, item, now):
            return "a later reminder is due as well"
    who = await messenger.reader(services, booking.user_id)
    service = services.catalog.service(booking.service_id)
    minutes = _lead(item, booking, now)
    html = reminders.reminder(who.t, service, booking, who.zone, minutes)
    subject = who.t._("Reminder: %(service)s") % {
        "service": service_name(who.t, service, booking.service_id)}
    mail_html = reminders.reminder(who.t, service, booking, who.zone, minutes,
                                   in_telegram=False)
    return await _to_citizen(bot, services, booking, who, html,
                             keyboards.reminder_actions(who.t, booking),
                             messenger.reminder_kind(minutes), subject, now, mail_html)


def _lead(item: Item, booking: Booking, now: datetime) -> int:
    """Minutes until the start, as the reminder says it: the planned offset when on time,
    otherwise what is really left (in whole hours when that is long)."""
    if now - item.due_at < timedelta(minutes=15):
        return int(item.payload.get("minutes", 60))
    left = max(1, int((booking.start - now).total_seconds() // 60))
    return left // 60 * 60 if left >= 120 else left


async def send_link(bot: Bot, services: Services, item: Item, booking: Booking,
                    now: datetime) -> str | None:
    if not booking.is_active or booking.channel is not Channel.VIDEO:
        return "the booking is no longer an active video call"
    if now >= booking.end or not booking.meeting_url:
        return "the call is over"
    who = await messenger.reader(services, booking.user_id)
    service = services.catalog.service(booking.service_id)
    html = reminders.meeting_link(who.t, service, booking, who.zone)
    mail_html = reminders.meeting_link(who.t, service, booking, who.zone, in_telegram=False)
    subject = who.t._("Join the meeting")
    return await _to_citizen(bot, services, booking, who, html,
                             keyboards.join(who.t, booking.meeting_url), "link", subject, now,
                             mail_html)


async def send_feedback(bot: Bot, services: Services, item: Item, booking: Booking,
                        now: datetime) -> str | None:
    if booking.status not in (Status.BOOKED, Status.COMPLETED):
        return "the appointment did not take place"
    if now > booking.end + FEEDBACK_USEFUL:
        return "too long after the appointment"
    who = await messenger.reader(services, booking.user_id)
    service = services.catalog.service(booking.service_id)
    html = reminders.feedback_question(who.t, service, booking)
    return await _to_citizen(bot, services, booking, who, html,
                             keyboards.ratings(booking.reference), None, None, now)


async def send_citizen_cancelled(bot: Bot, services: Services, item: Item,
                                 booking: Booking, now: datetime) -> str | None:
    """Tell the citizen, politely, that the municipality cancelled; offer a new booking."""
    who = await messenger.reader(services, booking.user_id)
    service = services.catalog.service(booking.service_id)
    async with services.db.read() as conn:
        last = await bookings.last_event(conn, booking.id)
    closure = (last or {}).get("data", {}).get("by") == "closure"
    html = notices.citizen_cancelled(who.t, service, booking, who.zone, closure)
    subject = email.subject(who.t, "cancelled", service, booking, who.zone)
    return await _to_citizen(bot, services, booking, who, html,
                             keyboards.book_again(who.t, booking.group_id), None, subject, now)


async def send_citizen_moved(bot: Bot, services: Services, item: Item, booking: Booking,
                             now: datetime) -> str | None:
    """Tell the citizen the department moved their appointment: the new time, the old one,
    and the buttons to change or cancel it still."""
    if not booking.is_active:
        return "the booking is no longer active"
    who = await messenger.reader(services, booking.user_id)
    service = services.catalog.service(booking.service_id)
    async with services.db.read() as conn:
        last = await bookings.last_event(conn, booking.id)
    html = notices.citizen_moved(who.t, service, booking, who.zone, last)
    subject = email.subject(who.t, "rescheduled", service, booking, who.zone)
    return await _to_citizen(bot, services, booking, who, html,
                             keyboards.booking_actions(who.t, booking), "confirmation",
                             subject, now)


async def send_confirmation(bot: Bot, services: Services, item: Item, booking: Booking,
                            now: datetime) -> str | None:
    """The confirmation (the change, the cancellation) in the message the citizen made it
    from: the handler showed it at once; this shows it again, which changes nothing if that
    worked, and tells the citizen if it did not (a crash, a failed call)."""
    if booking.sequence != item.payload.get("sequence"):
        return "the booking changed since; the newer messages tell it"
    if await _unreachable(services, booking):
        return "the citizen cannot be reached by Telegram"
    who = await messenger.reader(services, booking.user_id)
    service = services.catalog.service(booking.service_id)
    if service is None:
        return "the service is no longer in the catalog"
    text, markup = cards.outcome(who.t, service, booking, who.zone)
    message_id = int(item.payload.get("message_id", 0))
    try:
        await call(bot, "editMessageText", message(booking.user_id, text, markup)
                   | {"message_id": message_id})
    except BadRequest as error:
        if harmless(error) and "not found" not in str(error).lower():
            return None
        if "not found" not in str(error).lower():
            raise
        sent = await call(bot, "sendMessage", message(booking.user_id, text, markup))
        await _remember(services, booking, int(sent["message_id"]), "confirmation")
    return None


async def send_invitation(bot: Bot, services: Services, item: Item, booking: Booking,
                          now: datetime) -> str | None:
    """The .ics for the citizen's calendar: the appointment, its change or cancellation."""
    if await _unreachable(services, booking):
        return "the citizen cannot be reached by Telegram; email carries the invitation"
    service = services.catalog.service(booking.service_id)
    if service is None:
        return "the service is no longer in the catalog"
    who = await messenger.reader(services, booking.user_id)
    method = "CANCEL" if item.payload.get("method") == "CANCEL" else "REQUEST"
    await messenger.send_invitation(bot, services, who, booking, service, booking.user_id,
                                    method=method)
    return None


async def send_refresh(bot: Bot, services: Services, item: Item, booking: Booking,
                       now: datetime) -> str | None:
    """Every earlier message about the booking shows it as it now stands."""
    if await _unreachable(services, booking):
        return "the citizen cannot be reached by Telegram"
    skip = frozenset(int(m) for m in item.payload.get("skip", []) if isinstance(m, int))
    kinds = item.payload.get("kinds")
    await messenger.refresh(bot, services, booking, skip=skip,
                            note=None if item.payload.get("note", True) else "",
                            kinds=frozenset(kinds) if isinstance(kinds, list) else None,
                            as_sent=item.payload.get("as_sent") is True)
    return None


async def _unreachable(services: Services, booking: Booking) -> bool:
    async with services.db.read() as conn:
        return await users.is_unreachable(conn, booking.user_id)

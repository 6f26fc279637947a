"""What the outbox sends a department's staff chat: each booking's notice, kept up to date,
and the day's agenda."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from telegram import Bot
from telegram.error import BadRequest

from bot.delivery import messenger
from bot.domain.model import Booking, Status
from bot.domain.scope import Scope
from bot.ptb.replies import call, message
from bot.render import keyboards, notices, reports
from bot.services import planning
from bot.services.reports import agenda
from bot.services.runtime import Services
from storage import agendas, bookings, messages, outbox
from storage.outbox import Item

DIGEST_USEFUL = timedelta(hours=4)


async def send_staff_notice(bot: Bot, services: Services, item: Item, booking: Booking,
                            now: datetime) -> str | None:
    """Post the booking's notice in its staff chat, or edit the one posted before. The
    notice shows the booking as read here, in one snapshot with the newest notice request
    pending: requests up to it are served; one a later change makes stays to be sent."""
    if item.chat_id is None:
        return "no staff chat"
    async with services.db.read() as conn:
        booking = await bookings.get_booking(conn, booking.id) or booking
        last = await bookings.last_event(conn, booking.id)
        earlier = [m for c, m, kind in await messages.messages_of(conn, booking.id)
                   if c == item.chat_id and kind == "staff"]
        up_to = await outbox.newest_pending(conn, booking.id, planning.STAFF_NOTICE)
    await _notice(bot, services, item.chat_id, booking, last, earlier)
    async with services.db.write() as conn:
        await outbox.finish_like(conn, booking.id, planning.STAFF_NOTICE, now, up_to)
    return None


async def _notice(bot: Bot, services: Services, chat_id: int, booking: Booking,
                  last: dict[str, Any] | None, earlier: list[int]) -> None:
    service = services.catalog.service(booking.service_id)
    t = notices.staff_translator(service.group if service else None)
    zone = services.settings.zone
    text = notices.notice(t, service, booking, zone, last)
    markup = keyboards.staff_actions(t, booking) if booking.is_active else None
    if earlier:
        try:
            await call(bot, "editMessageText", message(chat_id, text, markup)
                       | {"message_id": earlier[-1]})
            return
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return
            if "not found" not in str(error).lower():
                raise  # deleted notices are posted again; other refusals are errors
    sent = await call(bot, "sendMessage", message(chat_id, text, markup))
    await messenger.shows(services, booking.id, chat_id, int(sent["message_id"]), "staff")


async def send_digest(bot: Bot, services: Services, item: Item, now: datetime) -> str | None:
    """The day's agenda in a department's staff chat, the message later changes edit;
    nothing on a day with no bookings, unless staff asked for it (/today)."""
    if item.chat_id is None:
        return "no staff chat"
    if now > item.due_at + DIGEST_USEFUL:
        return "too late for today's agenda"
    day = item.due_at.astimezone(services.settings.zone).date()
    text = await _day_agenda(services, item.chat_id, day, empty=item.payload.get("asked") is True)
    if text is None:
        return "no longer a staff chat"
    if not text:
        return "no bookings today"
    sent = await call(bot, "sendMessage", message(item.chat_id, text, None))
    async with services.db.write() as conn:
        await agendas.remember(conn, item.chat_id, day, int(sent["message_id"]))
    return None


async def send_today(bot: Bot, services: Services, item: Item, now: datetime) -> str | None:
    """Edit today's agenda message after a change of one of its bookings."""
    if item.chat_id is None:
        return "no staff chat"
    day = now.astimezone(services.settings.zone).date()
    async with services.db.read() as conn:
        message_id = await agendas.message_of(conn, item.chat_id, day)
    if message_id is None:
        return "no agenda message today"
    text = await _day_agenda(services, item.chat_id, day, empty=True)
    if not text:
        return "no longer a staff chat"
    try:
        await call(bot, "editMessageText", message(item.chat_id, text, None)
                   | {"message_id": message_id})
    except BadRequest as error:
        if "not modified" in str(error).lower():
            return None
        if "not found" not in str(error).lower():
            raise
        async with services.db.write() as conn:
            await agendas.forget(conn, item.chat_id, day)
        return "the agenda message was deleted"
    return None


async def _day_agenda(services: Services, chat_id: int, day: date,
                      empty: bool = False) -> str | None:
    """The day's agenda of the chat's department, in one message: the bookings not
    cancelled, each with its outcome once recorded ("" if none and not `empty`; None if
    the chat is no staff chat)."""
    found = services.catalog.group_of_chat(chat_id)
    if found is None:
        return None
    municipality, group = found
    t = notices.staff_translator(group)
    zone = services.settings.zone
    async with services.db.read() as conn:
        sections = await agenda(conn, services.catalog, Scope((municipality,), group), day,
                                zone, t.locale)
    sections = [(g, [entry for entry in items if entry[0].status is not Status.CANCELLED])
                for g, items in sections]
    if not empty and not any(items for _, items in sections):
        return ""
    return reports.day_agenda(t, day, sections, zone)

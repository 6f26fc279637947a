"""Sending what the outbox says is due: one repeating job, restart-safe, within limits.

Each item is marked sent in the database right after Telegram accepted it, so after a
restart nothing is sent twice and nothing due is lost. Staff chats are groups, which
Telegram limits to about 20 messages a minute: beyond that, items wait their turn.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot import keyboards, messenger, staff_texts
from bot.context import Services, load_citizen
from bot.domain import Booking
from bot.i18n import Translator
from bot.outbox import CITIZEN_CANCELLED, STAFF_NOTICE
from storage import bookings as store
from storage import outbox
from storage.outbox import Item

log = logging.getLogger(__name__)
GROUP_LIMIT = 20  # messages a minute in one group chat
MAX_ATTEMPTS = 5
BATCH = 50

Sender = Callable[[Bot, Services, Item, Booking], Awaitable[None]]


async def dispatch(bot: Bot, services: Services) -> int:
    """Send what is due now; returns how many items were sent."""
    now = services.clock()
    async with services.db.read() as conn:
        items = await outbox.due(conn, now, BATCH)
    sent = 0
    budget: dict[int, int] = {}
    for item in items:
        if item.chat_id is not None and item.chat_id < 0:
            if item.chat_id not in budget:
                async with services.db.read() as conn:
                    recent = await outbox.sent_since(conn, item.chat_id, outbox.window(now))
                budget[item.chat_id] = GROUP_LIMIT - recent
            if budget[item.chat_id] <= 0:
                continue  # the group's minute is used up: it waits, it is not dropped
            budget[item.chat_id] -= 1
        if await _send(bot, services, item, now):
            sent += 1
    return sent


async def _send(bot: Bot, services: Services, item: Item, now: datetime) -> bool:
    async with services.db.read() as conn:
        booking = await store.get_booking(conn, item.booking_id) if item.booking_id else None
    sender = SENDERS.get(item.kind)
    if sender is None or booking is None:
        await _finish(services, item, outbox.DROPPED, now, "nothing to send")
        return False
    try:
        await sender(bot, services, item, booking)
    except RetryAfter as error:
        delay = error.retry_after if isinstance(error.retry_after, int) else int(
            error.retry_after.total_seconds())
        await _postpone(services, item, now + timedelta(seconds=delay), str(error), False)
        return False
    except (Forbidden, BadRequest) as error:
        await _finish(services, item, outbox.FAILED, now, str(error))
        return False
    except TelegramError as error:  # network trouble or Telegram's 5xx: try again later
        if item.attempts + 1 >= MAX_ATTEMPTS:
            await _finish(services, item, outbox.FAILED, now, str(error))
        else:
            backoff = timedelta(seconds=30 * 2 ** item.attempts)
            await _postpone(services, item, now + backoff, str(error), True)
        return False
    async with services.db.write() as conn:
        await outbox.finish(conn, item.id, outbox.SENT, now)
        if item.kind == STAFF_NOTICE:
            await outbox.finish_like(conn, booking.id, STAFF_NOTICE, now)
    return True


async def _finish(services: Services, item: Item, status: str, now: datetime,
                  error: str) -> None:
    log.warning("outbox item %s (%s) %s: %s", item.id, item.kind, status, error)
    async with services.db.write() as conn:
        await outbox.finish(conn, item.id, status, now, error)


async def _postpone(services: Services, item: Item, until: datetime, error: str,
                    count: bool) -> None:
    async with services.db.write() as conn:
        await outbox.postpone(conn, item.id, until, error, count)


async def send_staff_notice(bot: Bot, services: Services, item: Item, booking: Booking) -> None:
    """Post the booking's notice in its staff chat, or edit the one posted before."""
    assert item.chat_id is not None
    service = services.catalog.service(booking.service_id)
    t = Translator(service.group.staff_locale if service else "el")
    zone = services.settings.zone
    async with services.db.read() as conn:
        last = await store.last_event(conn, booking.id)
        earlier = [m for c, m, kind in await store.messages_of(conn, booking.id)
                   if c == item.chat_id and kind == "staff"]
    text = staff_texts.notice(t, service, booking, zone, last)
    markup = keyboards.staff_actions(t, booking) if booking.is_active else None
    if earlier:
        try:
            await bot.edit_message_text(text, item.chat_id, earlier[-1], reply_markup=markup)
            return
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return
            if "not found" not in str(error).lower():
                raise  # deleted notices are posted again; other refusals are errors
    message = await bot.send_message(item.chat_id, text, reply_markup=markup)
    async with services.db.write() as conn:
        await store.remember_message(conn, booking.id, item.chat_id, message.message_id,
                                     "staff")


async def send_citizen_cancelled(bot: Bot, services: Services, item: Item,
                                 booking: Booking) -> None:
    """Tell the citizen, politely, that the municipality cancelled; offer a new booking."""
    assert item.chat_id is not None
    who = await load_citizen(services, booking.user_id, None)
    service = services.catalog.service(booking.service_id)
    async with services.db.read() as conn:
        last = await store.last_event(conn, booking.id)
    closure = (last or {}).get("data", {}).get("by") == "closure"
    text = staff_texts.citizen_cancelled(who.t, service, booking, who.zone, closure)
    await bot.send_message(item.chat_id, text,
                           reply_markup=keyboards.book_again(who.t, booking.group_id))
    await messenger.refresh(bot, services, booking)
    if service is not None:
        await messenger.send_invitation(bot, services, who, booking, service, item.chat_id,
                                        method="CANCEL")


SENDERS: dict[str, Sender] = {
    STAFF_NOTICE: send_staff_notice,
    CITIZEN_CANCELLED: send_citizen_cancelled,
}

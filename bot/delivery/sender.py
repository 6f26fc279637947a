"""Sending what the outbox says is due: one repeating job, restart-safe, within limits.

Each item is marked sent in the database right after Telegram (or the mail server)
accepted it, so after a restart nothing due is lost and nothing sent is sent again. What
came due while the bot was down is sent late only while it is still useful. Staff chats
are groups, which Telegram limits to about 20 messages a minute: beyond that, items wait.
A citizen who blocked the bot is marked unreachable and gets email instead, if we can.
The senders of each kind are in to_citizens, to_staff and emails.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import BadRequest, RetryAfter, TelegramError

from bot.delivery import mail
from bot.delivery.emails import send_email
from bot.delivery.to_citizens import (
    send_citizen_cancelled,
    send_confirmation,
    send_feedback,
    send_invitation,
    send_link,
    send_refresh,
    send_reminder,
)
from bot.delivery.to_staff import send_digest, send_staff_notice
from bot.domain.model import Booking
from bot.services import planning
from bot.services.runtime import Services
from storage import bookings, outbox
from storage.outbox import Item

log = logging.getLogger(__name__)
GROUP_LIMIT = 20  # messages a minute in one group chat
MAX_ATTEMPTS = 5
BATCH = 50
ROUNDS = 10  # batches a run may fetch

# A sender returns None when it sent the item, or why it dropped it.
BookingSender = Callable[[Bot, Services, Item, Booking, datetime], Awaitable[str | None]]
ChatSender = Callable[[Bot, Services, Item, datetime], Awaitable[str | None]]


async def dispatch(bot: Bot, services: Services) -> int:
    """Send what is due now; returns how many items were sent.

    A group whose minute is used up waits (nothing is dropped), and its queue does not
    hold up anyone else's: the next batch is fetched without it.
    """
    now = services.clock()
    await planning.plan_digests(services, now)
    sent = 0
    budget: dict[int, int] = {}
    for _ in range(ROUNDS):
        full = {chat for chat, left in budget.items() if left <= 0}
        async with services.db.read() as conn:
            items = await outbox.due(conn, now, BATCH, exclude_chats=full)
        tried = 0
        for item in items:
            group = item.chat_id if item.chat_id is not None and item.chat_id < 0 else None
            if group is not None:
                if group not in budget:
                    async with services.db.read() as conn:
                        recent = await outbox.sent_since(conn, group, outbox.window(now))
                    budget[group] = GROUP_LIMIT - recent
                if budget[group] <= 0:
                    continue
            tried += 1
            if await _send(bot, services, item, now):
                sent += 1
                if group is not None:
                    budget[group] -= 1
        if tried == 0 or len(items) < BATCH:
            break
    return sent


async def _send(bot: Bot, services: Services, item: Item, now: datetime) -> bool:
    async with services.db.read() as conn:
        booking = await bookings.get_booking(conn, item.booking_id) if item.booking_id else None
    to_chat, about_booking = CHAT_SENDERS.get(item.kind), BOOKING_SENDERS.get(item.kind)
    if to_chat is not None:
        sending = to_chat(bot, services, item, now)
    elif about_booking is not None and booking is not None:
        sending = about_booking(bot, services, item, booking, now)
    else:
        await _finish(services, item, outbox.DROPPED, now, "nothing to send")
        return False
    try:
        dropped = await sending
    except RetryAfter as error:  # Telegram asks us to wait: we do, without counting a try
        delay = error.retry_after if isinstance(error.retry_after, int) else int(
            error.retry_after.total_seconds())
        await _postpone(services, item, now + timedelta(seconds=delay), str(error), False)
        return False
    except BadRequest as error:  # will not get better by trying again
        await _finish(services, item, outbox.FAILED, now, str(error))
        return False
    except (TelegramError, mail.MailError) as error:  # network, 5xx, mail server: later
        if item.attempts + 1 >= MAX_ATTEMPTS:
            await _finish(services, item, outbox.FAILED, now, str(error))
        else:
            backoff = timedelta(seconds=30 * 2 ** item.attempts)
            await _postpone(services, item, now + backoff, str(error), True)
        return False
    except Exception as error:  # a bug or bad data: record it, never block the queue
        log.exception("outbox item %s (%s) could not be sent", item.id, item.kind)
        await _finish(services, item, outbox.FAILED, now, f"{type(error).__name__}: {error}")
        return False
    if dropped:
        await _finish(services, item, outbox.DROPPED, now, dropped)
        return False
    async with services.db.write() as conn:
        await outbox.finish(conn, item.id, outbox.SENT, now)
        if item.kind == planning.STAFF_NOTICE and booking is not None:
            await outbox.finish_like(conn, booking.id, planning.STAFF_NOTICE, now)
    return True


async def _finish(services: Services, item: Item, status: str, now: datetime,
                  error: str) -> None:
    log.info("outbox item %s (%s) %s: %s", item.id, item.kind, status, error)
    async with services.db.write() as conn:
        await outbox.finish(conn, item.id, status, now, error)


async def _postpone(services: Services, item: Item, until: datetime, error: str,
                    count: bool) -> None:
    log.warning("outbox item %s (%s) postponed: %s", item.id, item.kind, error)
    async with services.db.write() as conn:
        await outbox.postpone(conn, item.id, until, error, count)


async def run_plan(bot: Bot, services: Services, item: Item, booking: Booking,
                   now: datetime) -> str | None:
    """A change of the booking: plan its reminders, link, feedback and emails anew."""
    try:
        changed_at = datetime.fromisoformat(str(item.payload.get("at")))
    except ValueError:
        changed_at = item.due_at
    async with services.db.write() as conn:
        await planning.replan(conn, booking, str(item.payload.get("change", "")), changed_at,
                              services.settings, now)
    return None


BOOKING_SENDERS: dict[str, BookingSender] = {
    planning.PLAN: run_plan,
    planning.CONFIRMATION: send_confirmation,
    planning.INVITATION: send_invitation,
    planning.REFRESH: send_refresh,
    planning.STAFF_NOTICE: send_staff_notice,
    planning.CITIZEN_CANCELLED: send_citizen_cancelled,
    planning.REMINDER: send_reminder,
    planning.LINK: send_link,
    planning.FEEDBACK: send_feedback,
    planning.EMAIL: send_email,
}
CHAT_SENDERS: dict[str, ChatSender] = {planning.DIGEST: send_digest}

"""Sending what the outbox says is due, at Telegram's pace, restart-safe, on any instance.

A sender claims what may go now (storage/outbox.claim: the pace of all instances
together, a group chat's 20 a minute, one message at a time to a chat, nothing to a chat
Telegram asked us to wait for), sends the claimed items concurrently, and marks each one
done the moment Telegram (or the mail server) accepted it. A claim is a lease: the items
of a sender that died are claimed again when it runs out.

What that guarantees: an item is sent at least once; twice only if the process dies (or
Telegram's answer is lost) between Telegram accepting it and the database recording it,
a window of one write (bench/outbox.py measures it). Edits (staff notices, the booking
shown again) are harmless to repeat. The feedback request and the day's agenda, where a
duplicate is worse than a loss, are sent at most once: an answer that never came (a
timeout) drops them. What came due while the bot was down is sent late only while it is
still useful. A citizen who blocked the bot is marked unreachable and gets email instead.
The senders of each kind are in to_citizens, to_staff and emails.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import BadRequest, RetryAfter, TelegramError, TimedOut

from bot.delivery import mail
from bot.delivery.emails import send_email
from bot.delivery.messenger import OFFERED, SHOWN, Offered, Shown
from bot.delivery.offers import run_offer_expiry, send_at_limit, send_offer, send_offer_ended
from bot.delivery.redact import run_wipe, send_redaction
from bot.delivery.to_citizens import (
    send_citizen_cancelled,
    send_citizen_moved,
    send_confirmation,
    send_feedback,
    send_invitation,
    send_link,
    send_refresh,
    send_reminder,
)
from bot.delivery.to_staff import send_digest, send_staff_notice, send_today
from bot.domain.model import Booking
from bot.domain.privacy import failure, redact
from bot.ptb.replies import retry_after
from bot.services import offering, planning
from bot.services.runtime import Services
from storage import bookings, messages, outbox, waitlist
from storage.db import Database
from storage.outbox import Item, Limits

log = logging.getLogger(__name__)
GROUP_LIMIT = 20  # messages a minute in one group chat
MAX_ATTEMPTS = 5
BATCH = 50  # items one pass claims at most
STOP_GRACE = 15.0  # seconds the pass in hand may take to finish when the bot stops
# A duplicate is worse than a loss:
AT_MOST_ONCE = (planning.FEEDBACK, planning.DIGEST, offering.OFFER)
CLAIMER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

# A sender returns None when it sent the item, or why it dropped it.
BookingSender = Callable[[Bot, Services, Item, Booking, datetime], Awaitable[str | None]]
ChatSender = Callable[[Bot, Services, Item, datetime], Awaitable[str | None]]


def limits(services: Services) -> Limits:
    settings = services.settings
    return Limits(pace=settings.OUTBOX_PACE, group=GROUP_LIMIT,
                  spacing=timedelta(seconds=settings.OUTBOX_CHAT_SPACING),
                  lease=timedelta(seconds=settings.OUTBOX_LEASE))


async def dispatch(bot: Bot, services: Services, most: int | None = None) -> int:
    """One pass: claim what may be sent now and send it; returns how many were sent."""
    now = services.clock()
    async with services.db.write() as conn:
        items = await outbox.claim(conn, now, limits(services), CLAIMER, most or BATCH)
    if not items:
        return 0
    sent = await asyncio.gather(*(_send(bot, services, item, now) for item in items))
    return sum(sent)


class Sender:
    """The outbox's sending loop: a pass whenever woken (a change was committed) or every
    `interval` seconds; passes in a row while there is more to send than one pass takes.
    Wake-ups while a pass runs coalesce into one more pass."""

    def __init__(self, bot: Bot, services: Services, interval: float) -> None:
        self.bot, self.services, self.interval = bot, services, interval
        self._woken = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._woken.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="outbox")

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Let the pass in hand finish and its sends be recorded (what Telegram accepted is
        then never sent again by another instance), then give back the claims left."""
        if self._task is not None:
            self._stopping.set()
            self._woken.set()
            try:
                await asyncio.wait_for(asyncio.shield(self._task), grace)
            except TimeoutError:
                self._task.cancel()
                await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await _recorder(self.services.db).drain()
        async with self.services.db.write() as conn:
            await outbox.release(conn, CLAIMER)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            self._woken.clear()
            began = loop.time()
            try:
                sent = await dispatch(self.bot, self.services)
            except Exception as error:  # the database went away for a moment: try again later
                log.error("the outbox could not be sent: %s", failure(error))
                sent = 0
            if sent >= BATCH:
                continue
            if sent:  # the pace may have held some back: look again when its second is over
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), max(
                        0.05, min(1.0, self.interval) - (loop.time() - began)))
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), self.interval)


async def _send(bot: Bot, services: Services, item: Item, now: datetime) -> bool:
    shown: list[Shown] = []
    offered: list[Offered] = []
    # This task's own: items are sent side by side.
    token, offers_token = SHOWN.set(shown), OFFERED.set(offered)
    try:
        status, error = await _attempt(bot, services, item, now)
    finally:
        SHOWN.reset(token)
        OFFERED.reset(offers_token)
    if status is None:  # postponed
        return False
    if status != outbox.SENT:
        log.info("outbox item %s (%s) %s: %s", item.id, item.kind, status, error)
    await record(services, Done(item.id, status, now, error, shown, offered))
    return status == outbox.SENT


@dataclass(frozen=True)
class Done:
    item_id: int
    status: str
    at: datetime
    error: str
    shown: list[Shown]
    offered: list[Offered] = field(default_factory=list)


class _Recorder:
    """Group commit of sent items: an item's being done, and the messages its send showed a
    booking (or an offer) in, are written the moment after Telegram's answer, together with
    those of every other send answered meanwhile — one write for a burst, not one write
    each, so the window in which a crash would send a message again stays one write long."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: list[tuple[Done, asyncio.Future[None]]] = []
        self._writing: asyncio.Task[None] | None = None

    async def record(self, db: Database, done: Done) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop: nothing of an old one carries over
            self._loop, self._waiting, self._writing = loop, [], None
        finished = loop.create_future()
        self._waiting.append((done, finished))
        if self._writing is None or self._writing.done():
            self._writing = loop.create_task(self._write(db))
        await asyncio.shield(finished)  # a send cancelled meanwhile leaves the batch whole

    async def drain(self) -> None:
        """Until what is being written is written (before this instance lets go)."""
        if self._writing is not None and self._loop is asyncio.get_running_loop():
            await asyncio.gather(asyncio.shield(self._writing), return_exceptions=True)

    async def _write(self, db: Database) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            error: BaseException | None = None
            try:
                async with db.write() as conn:
                    for done, _ in batch:
                        await outbox.finish(conn, done.item_id, done.status, done.at,
                                            done.error)
                        for booking_id, chat_id, message_id, kind in done.shown:
                            await messages.remember_message(conn, booking_id, chat_id,
                                                            message_id, kind)
                        for offer_id, message_id in done.offered:
                            await waitlist.offer_shown(conn, offer_id, message_id)
            except BaseException as failed:  # each waiting send learns it, as if it wrote alone
                error = failed
                if not isinstance(failed, Exception):
                    raise
            finally:
                for _, finished in batch:
                    _settle(finished, error)


def _settle(finished: asyncio.Future[None], error: BaseException | None) -> None:
    if finished.done():
        return
    if error is None:
        finished.set_result(None)
    elif isinstance(error, Exception):
        finished.set_exception(error)
    else:
        finished.cancel()


_recorders: weakref.WeakKeyDictionary[Database, _Recorder] = weakref.WeakKeyDictionary()


def _recorder(db: Database) -> _Recorder:
    if (recorder := _recorders.get(db)) is None:
        recorder = _recorders[db] = _Recorder()
    return recorder


async def record(services: Services, done: Done) -> None:
    """Record a send as done (returns once written; raises if the write failed)."""
    await _recorder(services.db).record(services.db, done)


async def _attempt(bot: Bot, services: Services, item: Item,
                   now: datetime) -> tuple[str | None, str]:
    """Send the item: (its status, why) once it is done with; (None, "") if postponed."""
    async with services.db.look() as conn:
        booking = await bookings.get_booking(conn, item.booking_id) if item.booking_id else None
    to_chat, about_booking = CHAT_SENDERS.get(item.kind), BOOKING_SENDERS.get(item.kind)
    if to_chat is not None:
        sending = to_chat(bot, services, item, now)
    elif about_booking is not None and booking is not None:
        sending = about_booking(bot, services, item, booking, now)
    else:
        return outbox.DROPPED, "nothing to send"
    try:
        dropped = await sending
    except RetryAfter as error:  # Telegram asks us to wait: this chat waits, alone
        until = now + timedelta(seconds=retry_after(error))
        async with services.db.write() as conn:
            if item.chat_id is not None:
                await outbox.throttle(conn, item.chat_id, until)
            await outbox.postpone(conn, item.id, until, str(error), False)
        return None, ""
    except (BadRequest, mail.MailRefused) as error:  # will not get better by trying again
        return outbox.FAILED, redact(str(error), booking)
    except TimedOut as error:
        if item.kind in AT_MOST_ONCE:  # it may have arrived: better lost than doubled
            return outbox.DROPPED, f"no answer: {error}"
        return await _retry(services, item, now, redact(str(error), booking))
    except (TelegramError, mail.MailError) as error:  # network, 5xx, mail server: later
        return await _retry(services, item, now, redact(str(error), booking))
    except Exception as error:  # a bug or bad data: record it, never block the queue
        log.error("outbox item %s (%s) could not be sent: %s", item.id, item.kind,
                  failure(error, booking))
        return outbox.FAILED, redact(f"{type(error).__name__}: {error}", booking)
    if dropped:
        return outbox.DROPPED, dropped
    return outbox.SENT, ""


async def _retry(services: Services, item: Item, now: datetime,
                 error: str) -> tuple[str | None, str]:
    if item.attempts + 1 >= MAX_ATTEMPTS:
        return outbox.FAILED, error
    log.warning("outbox item %s (%s) postponed: %s", item.id, item.kind, error)
    backoff = timedelta(seconds=30 * 2 ** item.attempts)
    async with services.db.write() as conn:
        await outbox.postpone(conn, item.id, now + backoff, error, True)
    return None, ""


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
    planning.CITIZEN_MOVED: send_citizen_moved,
    planning.REMINDER: send_reminder,
    planning.LINK: send_link,
    planning.FEEDBACK: send_feedback,
    planning.EMAIL: send_email,
    planning.REDACT: send_redaction,
}
CHAT_SENDERS: dict[str, ChatSender] = {planning.DIGEST: send_digest, planning.WIPE: run_wipe,
                                        planning.TODAY: send_today, offering.OFFER: send_offer,
                                        offering.OFFER_EXPIRY: run_offer_expiry,
                                        offering.AT_LIMIT: send_at_limit,
                                        offering.OFFER_ENDED: send_offer_ended}

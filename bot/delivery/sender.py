"""Sending what the outbox says is due: one repeating job, restart-safe, within limits.

Each item is marked sent in the database right after Telegram (or the mail server)
accepted it, so after a restart nothing due is lost and nothing sent is sent again. What
came due while the bot was down is sent late only while it is still useful. Staff chats
are groups, which Telegram limits to about 20 messages a minute: beyond that, items wait.
A citizen who blocked the bot is marked unreachable and gets email instead, if we can.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.delivery import mail, messenger
from bot.domain.model import Booking, Channel, Status
from bot.domain.scope import Scope
from bot.ptb.context import Citizen, Services, load_citizen
from bot.render import keyboards, texts
from bot.render import reminders as later
from bot.render import staff as staff_texts
from bot.render.i18n import Translator
from bot.services import planning as plan
from bot.services import reports
from bot.services.availability import midnight
from storage import bookings as store
from storage import outbox, users
from storage.outbox import Item

log = logging.getLogger(__name__)
GROUP_LIMIT = 20  # messages a minute in one group chat
MAX_ATTEMPTS = 5
BATCH = 50
ROUNDS = 10  # batches a run may fetch
DIGEST_USEFUL = timedelta(hours=4)
FEEDBACK_USEFUL = timedelta(days=7)

Outcome = str | None  # None: sent; a text: dropped, and why
Sender = Callable[[Bot, Services, Item, Booking | None, datetime], Awaitable[Outcome]]


async def dispatch(bot: Bot, services: Services) -> int:
    """Send what is due now; returns how many items were sent.

    A group whose minute is used up waits (nothing is dropped), and its queue does not
    hold up anyone else's: the next batch is fetched without it.
    """
    now = services.clock()
    await plan_digests(services, now)
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
        booking = await store.get_booking(conn, item.booking_id) if item.booking_id else None
    sender = SENDERS.get(item.kind)
    if sender is None or (booking is None and item.kind != plan.DIGEST):
        await _finish(services, item, outbox.DROPPED, now, "nothing to send")
        return False
    try:
        dropped = await sender(bot, services, item, booking, now)
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
        if item.kind == plan.STAFF_NOTICE and booking is not None:
            await outbox.finish_like(conn, booking.id, plan.STAFF_NOTICE, now)
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


# ---- to citizens ---------------------------------------------------------------------

async def _to_citizen(bot: Bot, services: Services, booking: Booking, who: Citizen,
                      html: str, markup: InlineKeyboardMarkup | None, kind: str | None,
                      subject: str | None, now: datetime) -> Outcome:
    """By Telegram; if the citizen blocked the bot, by email (when we have both). A message
    of a `kind` is remembered, so that later changes of the booking update it."""
    async with services.db.read() as conn:
        unreachable = await users.is_unreachable(conn, booking.user_id)
    if not unreachable:
        try:
            message = await bot.send_message(booking.user_id, html, reply_markup=markup)
        except Forbidden:
            async with services.db.write() as conn:
                await users.mark_unreachable(conn, booking.user_id, now)
        else:
            if kind:
                await _remember(services, booking, message.message_id, kind)
            return None
    if subject and services.settings.SMTP_HOST and booking.details.email:
        await mail.send(services.settings, mail.build(
            services.settings, booking.details.email, subject, html))
        return None
    return "the citizen cannot be reached"


async def _remember(services: Services, booking: Booking, message_id: int, kind: str) -> None:
    async with services.db.write() as conn:
        await store.remember_message(conn, booking.id, booking.user_id, message_id, kind)


async def send_reminder(bot: Bot, services: Services, item: Item, booking: Booking | None,
                        now: datetime) -> Outcome:
    assert booking is not None
    if not booking.is_active:
        return "the booking is no longer active"
    if now >= booking.start:
        return "the appointment has already begun"
    async with services.db.read() as conn:
        if await outbox.later_due(conn, item, now):
            return "a later reminder is due as well"
    who = await load_citizen(services, booking.user_id, None)
    service = services.catalog.service(booking.service_id)
    html = later.reminder(who.t, service, booking, who.zone, _lead(item, booking, now))
    subject = who.t._("Reminder: %(service)s") % {
        "service": service.service.name.get(who.locale) if service else booking.service_id}
    return await _to_citizen(bot, services, booking, who, html,
                             keyboards.reminder_actions(who.t, booking), "reminder", subject,
                             now)


def _lead(item: Item, booking: Booking, now: datetime) -> int:
    """Minutes until the start, as the reminder says it: the planned offset when on time,
    otherwise what is really left (in whole hours when that is long)."""
    if now - item.due_at < timedelta(minutes=15):
        return int(item.payload.get("minutes", 60))
    left = max(1, int((booking.start - now).total_seconds() // 60))
    return left // 60 * 60 if left >= 120 else left


async def send_link(bot: Bot, services: Services, item: Item, booking: Booking | None,
                    now: datetime) -> Outcome:
    assert booking is not None
    if not booking.is_active or booking.channel is not Channel.VIDEO:
        return "the booking is no longer an active video call"
    if now >= booking.end or not booking.meeting_url:
        return "the call is over"
    who = await load_citizen(services, booking.user_id, None)
    service = services.catalog.service(booking.service_id)
    html = later.meeting_link(who.t, service, booking, who.zone)
    html_with_url = html + "\n\n" + texts.esc(booking.meeting_url)
    subject = who.t._("Join the meeting")
    async with services.db.read() as conn:
        unreachable = await users.is_unreachable(conn, booking.user_id)
    return await _to_citizen(bot, services, booking, who,
                             html_with_url if unreachable else html,
                             keyboards.join(who.t, booking.meeting_url), "link", subject, now)


async def send_feedback(bot: Bot, services: Services, item: Item, booking: Booking | None,
                        now: datetime) -> Outcome:
    assert booking is not None
    if booking.status not in (Status.BOOKED, Status.COMPLETED):
        return "the appointment did not take place"
    if now > booking.end + FEEDBACK_USEFUL:
        return "too long after the appointment"
    who = await load_citizen(services, booking.user_id, None)
    service = services.catalog.service(booking.service_id)
    html = later.feedback_question(who.t, service, booking)
    return await _to_citizen(bot, services, booking, who, html,
                             keyboards.ratings(booking.reference), None, None, now)


async def send_citizen_cancelled(bot: Bot, services: Services, item: Item,
                                 booking: Booking | None, now: datetime) -> Outcome:
    """Tell the citizen, politely, that the municipality cancelled; offer a new booking."""
    assert booking is not None
    who = await load_citizen(services, booking.user_id, None)
    service = services.catalog.service(booking.service_id)
    async with services.db.read() as conn:
        last = await store.last_event(conn, booking.id)
    closure = (last or {}).get("data", {}).get("by") == "closure"
    html = staff_texts.citizen_cancelled(who.t, service, booking, who.zone, closure)
    subject = later.email_subject(who.t, "cancelled", service, booking, who.zone)
    outcome = await _to_citizen(bot, services, booking, who, html,
                                keyboards.book_again(who.t, booking.group_id), None,
                                subject, now)
    async with services.db.read() as conn:
        reachable = not await users.is_unreachable(conn, booking.user_id)
    if outcome is None and reachable:
        try:  # the notice went out: a failure here must not send it again
            await messenger.refresh(bot, services, booking)
            if service is not None:
                await messenger.send_invitation(bot, services, who, booking, service,
                                                booking.user_id, method="CANCEL")
        except TelegramError as error:
            log.warning("after telling %s of the cancellation: %s", booking.reference, error)
    return outcome


async def send_email(bot: Bot, services: Services, item: Item, booking: Booking | None,
                     now: datetime) -> Outcome:
    """Confirmation, change or cancellation with its invitation, to the citizen or to the
    third participant of a video call."""
    assert booking is not None
    settings = services.settings
    change, recipient = str(item.payload.get("change")), item.payload.get("to")
    if not settings.SMTP_HOST:
        return "email is not configured"
    who = await load_citizen(services, booking.user_id, None)
    service = services.catalog.service(booking.service_id)
    if service is None or change not in plan.EMAILED_CHANGES:
        return "nothing to send"
    async with services.db.read() as conn:
        if await outbox.superseded(conn, item):
            return "the booking changed again; the newer email tells it"
    method = "CANCEL" if change == "cancelled" else "REQUEST"
    ics = messenger.invitation_for(services, who, booking, service, method)
    if recipient == "third":
        address = booking.details.third_party_email
        subject = later.third_party_subject(who.t, service, change)
        html = later.third_party_body(who.t, service, booking, who.zone, change)
    else:
        address = booking.details.email
        subject = later.email_subject(who.t, change, service, booking, who.zone)
        html = (texts.booking_card(who.t, service, booking, who.zone) if change == "cancelled"
                else (texts.rescheduled if change == "rescheduled" else texts.confirmation)(
                    who.t, service, booking, who.zone))
        if booking.meeting_url and change != "cancelled":
            html += "\n\n" + texts.esc(who.t._("Join the meeting: %(url)s")
                                       % {"url": booking.meeting_url})
    if not address:
        return "no address"
    suffix = "-cancel" if method == "CANCEL" else ""
    await mail.send(settings, mail.build(settings, address, subject, html, ics, method,
                                         f"rantevou-{booking.reference}{suffix}.ics"))
    return None


async def run_plan(bot: Bot, services: Services, item: Item, booking: Booking | None,
                   now: datetime) -> Outcome:
    assert booking is not None
    try:
        changed_at = datetime.fromisoformat(str(item.payload.get("at")))
    except ValueError:
        changed_at = item.due_at
    async with services.db.write() as conn:
        await plan.replan(conn, booking, str(item.payload.get("change", "")), changed_at,
                          services.settings, now)
    return None


# ---- to staff ------------------------------------------------------------------------

async def send_staff_notice(bot: Bot, services: Services, item: Item, booking: Booking | None,
                            now: datetime) -> Outcome:
    """Post the booking's notice in its staff chat, or edit the one posted before."""
    assert booking is not None and item.chat_id is not None
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
            return None
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return None
            if "not found" not in str(error).lower():
                raise  # deleted notices are posted again; other refusals are errors
    message = await bot.send_message(item.chat_id, text, reply_markup=markup)
    async with services.db.write() as conn:
        await store.remember_message(conn, booking.id, item.chat_id, message.message_id,
                                     "staff")
    return None


async def plan_digests(services: Services, now: datetime) -> None:
    """Make sure each staff chat has today's digest planned, at DIGEST_TIME."""
    zone = services.settings.zone
    today = now.astimezone(zone).date()
    start, end = midnight(today, zone), midnight(today + timedelta(days=1), zone)
    due = datetime.combine(today, services.settings.DIGEST_TIME, tzinfo=zone)
    chats = {g.staff_chat_id: g.id for m in services.catalog.municipalities for g in m.groups
             if g.staff_chat_id}
    async with services.db.read() as conn:
        planned = await outbox.chats_with(conn, plan.DIGEST, start, end)
    missing = {chat: group for chat, group in chats.items() if chat not in planned}
    if not missing:
        return
    async with services.db.write() as conn:
        for chat, group_id in missing.items():
            await outbox.add(conn, plan.DIGEST, due, now, chat_id=chat,
                             payload={"day": today.isoformat(), "group": group_id})


async def send_digest(bot: Bot, services: Services, item: Item, booking: Booking | None,
                      now: datetime) -> Outcome:
    """The day's agenda in a department's staff chat; nothing on a day with no bookings."""
    assert item.chat_id is not None
    if now > item.due_at + DIGEST_USEFUL:
        return "too late for today's agenda"
    found = services.catalog.group_of_chat(item.chat_id)
    if found is None:
        return "no longer a staff chat"
    municipality, group = found
    t = Translator(group.staff_locale)
    zone = services.settings.zone
    day = item.due_at.astimezone(zone).date()
    sections = await reports.agenda(services.db, services.catalog,
                                    Scope((municipality,), group), day, zone, t.locale)
    sections = [(g, [entry for entry in items if entry[0].is_active])
                for g, items in sections]
    if not any(items for _, items in sections):
        return "no bookings today"
    for part in texts.chunks(staff_texts.agenda(t, day, sections, zone, digest=True)):
        await bot.send_message(item.chat_id, part)
    return None


SENDERS: dict[str, Sender] = {
    plan.PLAN: run_plan,
    plan.STAFF_NOTICE: send_staff_notice,
    plan.CITIZEN_CANCELLED: send_citizen_cancelled,
    plan.REMINDER: send_reminder,
    plan.LINK: send_link,
    plan.FEEDBACK: send_feedback,
    plan.EMAIL: send_email,
    plan.DIGEST: send_digest,
}

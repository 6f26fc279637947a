"""The departments' staff chats: the buttons under each booking's notice, and keeping the
bot out of groups that are not a staff chat."""

from __future__ import annotations

from datetime import UTC, date, datetime

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.domain.model import Booking, Status
from bot.domain.rules import NotAllowed, NotBookable, SlotTaken
from bot.ptb.context import Context
from bot.ptb.handlers import (
    ReplyToPrompt,
    answer,
    chat_id,
    chat_of,
    kick_dispatch,
    message_of,
    pressed_message,
    prompt_reply,
    query_of,
    say,
    staff_t,
    stale,
    user_of,
)
from bot.render import callbacks, cards, flow, html, keyboards, notices, phrases
from bot.services import availability, booking, lookups

GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP, ChatType.CHANNEL)
OUTCOMES = {"sd": Status.COMPLETED, "sn": Status.NO_SHOW}


STAFF_BUTTONS = ("sd", "sn", "sx", "sm", "smb", "smd", "smt", "cl", "cn")
MOVE_DAYS = 9  # days offered to move a booking to, three rows of three


async def keep_out_of_other_groups(update: Update, ctx: Context) -> None:
    """Any update from a group that is not a configured staff chat: leave it, do nothing.
    In a staff chat, only staff and admin buttons count: a citizen's button (forged, or
    forwarded) does not start a booking there."""
    chat = update.effective_chat
    if chat is None or chat.type not in GROUPS:
        return
    if ctx.services.catalog.group_of_chat(chat.id) is None:
        ctx.reply.leave()  # already gone, or not allowed to leave: nothing more to do
        raise ApplicationHandlerStop
    query = update.callback_query
    button = callbacks.parse(query.data) if query else None
    if query and (button is None or button.step not in STAFF_BUTTONS):
        answer(ctx, notices.not_this_chat(staff_t(ctx, chat.id)), alert=True)
        raise ApplicationHandlerStop


async def _booking_here(update: Update, ctx: Context, reference: str) -> Booking | None:
    """The booking, if this chat is its department's staff chat; otherwise say no."""
    chat = chat_of(update)
    t = staff_t(ctx, chat.id)
    found = await lookups.by_reference(ctx.conn, reference)
    service = ctx.services.catalog.service(found.service_id) if found else None
    if found is None or service is None or service.group.staff_chat_id != chat.id:
        answer(ctx, notices.not_this_chat(t), alert=True)
        return None
    return found


async def outcome_pressed(update: Update, ctx: Context) -> None:
    """Completed / No-show."""
    query = query_of(update)
    button = callbacks.parse(query.data)
    if button is None:
        return await stale(update, ctx)
    if await _booking_here(update, ctx, button.arg) is None:
        return
    t = staff_t(ctx, chat_id(update))
    services = ctx.services
    try:
        await booking.set_outcome(await ctx.writer(), services.catalog, button.arg,
                                  OUTCOMES[button.step], query.from_user.id, ctx.now())
    except NotAllowed as refusal:
        answer(ctx, phrases.refusal(t, refusal.reason, None), alert=True)
        return
    answer(ctx)
    kick_dispatch(ctx)


async def cancel_pressed(update: Update, ctx: Context) -> None:
    """Cancel: the reason is asked first, as a reply to a prompt in the staff chat."""
    button = callbacks.parse(query_of(update).data)
    if button is None:
        return await stale(update, ctx)
    found = await _booking_here(update, ctx, button.arg)
    if not found:
        return
    t = staff_t(ctx, chat_id(update))
    if not found.is_active:
        answer(ctx, phrases.refusal(t, NotAllowed.NOT_ACTIVE, None), alert=True)
        return
    answer(ctx)
    say(ctx, notices.reason_prompt(t, found.reference), keyboards.force_reply())


async def reason_replied(update: Update, ctx: Context) -> None:
    message = message_of(update)
    t = staff_t(ctx, message.chat.id)
    replied = await prompt_reply(update, ctx, t)
    found = replied and await _booking_here(update, ctx, replied[0])
    if not replied or not found:
        return
    try:
        await booking.cancel(await ctx.writer(), ctx.services.catalog, found.reference,
                             user_of(update).id, ctx.now(), replied[1], by_staff=True,
                             zone=ctx.services.settings.zone)
    except NotAllowed as refusal:
        say(ctx, html.esc(phrases.refusal(t, refusal.reason, None)))
        return
    kick_dispatch(ctx)


async def move_pressed(update: Update, ctx: Context) -> None:
    """«Change time» and its steps: the days with free times, a day's times, the move."""
    button = callbacks.parse(query_of(update).data)
    if button is None:
        return await stale(update, ctx)
    reference, _, choice = button.arg.partition("/")
    found = await _booking_here(update, ctx, reference)
    if not found:
        return
    t, zone, now = staff_t(ctx, chat_id(update)), ctx.services.settings.zone, ctx.now()
    service = ctx.services.catalog.service(found.service_id)
    if not found.is_active or service is None:
        answer(ctx, phrases.refusal(t, NotAllowed.NOT_ACTIVE, None), alert=True)
        return
    if button.step == "smt":
        return await _move(update, ctx, found, int(choice))
    try:
        day = date.fromisoformat(choice) if choice else None
    except ValueError:  # shaped like a date, but none (forged)
        return await stale(update, ctx)
    slots = await availability.times_to_move(ctx.conn, service, zone, found, day, now)
    answer(ctx, None if slots else notices.no_free_times(t), alert=not slots)
    if not slots and day is None:
        return
    if day is not None:
        text = notices.move_times(t, found, day)
        markup = keyboards.move_times(t, reference, slots, zone)
    else:
        days = sorted({slot.start.astimezone(zone).date() for slot in slots})[:MOVE_DAYS]
        text = notices.move_days(t, found, phrases.service_name(t, service, found.service_id),
                                 zone)
        markup = keyboards.move_days(t, reference, days)
    if button.step == "sm":  # from the notice: the picker is a message of its own
        say(ctx, text, markup)
    else:
        ctx.reply.edit(pressed_message(update), text, markup)


async def _move(update: Update, ctx: Context, found: Booking, minutes: int) -> None:
    t, zone = staff_t(ctx, chat_id(update)), ctx.services.settings.zone
    try:
        moved = await booking.move_by_staff(
            await ctx.writer(), ctx.services.catalog, zone, found.reference,
            datetime.fromtimestamp(minutes * 60, UTC), user_of(update).id, ctx.now())
    except (NotBookable, SlotTaken):
        answer(ctx, flow.time_not_offered(t), alert=True)
        return
    except NotAllowed as refusal:
        answer(ctx, phrases.refusal(t, refusal.reason, None), alert=True)
        return
    answer(ctx)
    ctx.reply.edit(pressed_message(update), notices.moved(t, moved, zone))
    kick_dispatch(ctx)


def guard() -> TypeHandler[Update, Context, None]:
    return TypeHandler(Update, keep_out_of_other_groups)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    in_groups = filters.ChatType.GROUPS
    return [
        CallbackQueryHandler(outcome_pressed, pattern=callbacks.pattern("sd", "sn")),
        CallbackQueryHandler(cancel_pressed, pattern=callbacks.pattern("sx")),
        CallbackQueryHandler(move_pressed, pattern=callbacks.pattern("sm", "smb", "smd", "smt")),
        MessageHandler(in_groups & filters.TEXT & ReplyToPrompt(cards.REASON_MARK),
                       reason_replied),
    ]

"""The citizen's own bookings: /mybookings, earlier bookings, and cancelling one."""

from __future__ import annotations

from telegram import CallbackQuery, ForceReply, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.delivery import messenger
from bot.domain.model import Booking
from bot.domain.rules import NotAllowed
from bot.ptb.context import Context
from bot.ptb.handlers import (
    ReplyToPrompt,
    answer,
    chat_id,
    citizen,
    kick_dispatch,
    prompt_reply,
    query_of,
    refuse,
)
from bot.render import callbacks, cards, html, keyboards, reminders
from bot.render.callbacks import Button
from bot.render.i18n import Citizen
from bot.services import booking, feedback, lookups

PRIVATE = filters.ChatType.PRIVATE



async def my_bookings(update: Update, ctx: Context) -> None:
    """A header, then one card per upcoming booking with its actions."""
    who = await citizen(update, ctx)
    if update.callback_query:
        await answer(update.callback_query)
    services = ctx.services
    found = await lookups.upcoming_bookings(services.db, who.user_id, ctx.now())
    chat = chat_id(update)
    header = cards.my_bookings_header(who.t, len(found), who.zone, ctx.now())
    await ctx.bot.send_message(chat, header, reply_markup=keyboards.my_bookings(who.t))
    for item in found:
        service = services.catalog.service(item.service_id)
        card = cards.booking_card(who.t, service, item, who.zone)
        sent = await ctx.bot.send_message(
            chat, card, reply_markup=keyboards.booking_actions(who.t, item, card=True))
        await lookups.remember_message(services.db, item, chat, sent.message_id, "card")


async def earlier_bookings(update: Update, ctx: Context) -> None:
    who = await citizen(update, ctx)
    if update.callback_query:
        await answer(update.callback_query)
    found = await lookups.past_bookings(ctx.services.db, who.user_id, ctx.now())
    items = [(b, ctx.services.catalog.service(b.service_id)) for b in found]
    await ctx.bot.send_message(chat_id(update), cards.past_list(who.t, items, who.zone))


async def _changeable(update: Update, ctx: Context, who: Citizen,
                      reference: str) -> Booking | None:
    """The citizen's own booking if they may still change it; otherwise say why not."""
    services = ctx.services
    try:
        return await booking.changeable(services.db, services.catalog, reference,
                                        who.user_id, ctx.now())
    except NotAllowed as refusal:
        await refuse(update, ctx, who, refusal)
        return None


async def _pressed(update: Update, ctx: Context) -> tuple[CallbackQuery, Citizen,
                                                          Button | None]:
    """The query, who pressed, and the button's data (None if it does not parse)."""
    query = query_of(update)
    return query, await citizen(update, ctx), callbacks.parse(query.data)


async def _pressed_on_changeable(update: Update,
                                 ctx: Context) -> tuple[Citizen, Booking] | None:
    """The citizen and the booking a button names, if they may still change it (the query
    is answered); otherwise None, after saying why not."""
    query, who, button = await _pressed(update, ctx)
    current = button and await _changeable(update, ctx, who, button.arg)
    if not current:
        return None
    await answer(query)
    return who, current


async def ask_cancel(update: Update, ctx: Context) -> None:
    """«Cancel booking»: are you sure? Yes, yes with a reason, or keep it."""
    if not (pressed := await _pressed_on_changeable(update, ctx)):
        return
    who, current = pressed
    service = ctx.services.catalog.service(current.service_id)
    await ctx.bot.send_message(
        chat_id(update), cards.cancel_question(who.t, service, current, who.zone),
        reply_markup=keyboards.cancel_question(who.t, current))


async def ask_reason(update: Update, ctx: Context) -> None:
    """«Yes, with a reason»: the reason is typed as a reply to the prompt."""
    if not (pressed := await _pressed_on_changeable(update, ctx)):
        return
    who, current = pressed
    await ctx.bot.send_message(
        chat_id(update), cards.reason_prompt(who.t, current.reference),
        reply_markup=ForceReply(input_field_placeholder=who.t._("Reason")[:64]))


async def reason_typed(update: Update, ctx: Context) -> None:
    who = await citizen(update, ctx)
    if replied := await prompt_reply(update, ctx, who.t):
        await _cancel(update, ctx, who, *replied)


async def yes_cancel(update: Update, ctx: Context) -> None:
    _, who, button = await _pressed(update, ctx)
    if button is not None:
        await _cancel(update, ctx, who, button.arg, "")


async def keep(update: Update, ctx: Context) -> None:
    query = query_of(update)
    who = await citizen(update, ctx)
    await answer(query)
    await query.edit_message_text(html.esc(cards.kept_booking(who.t)))


async def _cancel(update: Update, ctx: Context, who: Citizen, reference: str,
                  reason: str) -> None:
    services = ctx.services
    try:
        cancelled = await booking.cancel(services.db, services.catalog, reference,
                                         who.user_id, ctx.now(), reason)
    except NotAllowed as refusal:
        return await refuse(update, ctx, who, refusal)
    service = services.catalog.service(cancelled.service_id)
    chat = chat_id(update)
    card = cards.booking_card(who.t, service, cancelled, who.zone, cards.cancel_done(who.t))
    again = keyboards.book_again(who.t, cancelled.group_id)
    query = update.callback_query
    if query and query.message:
        await answer(query)
        await query.edit_message_text(card, reply_markup=again)
    else:
        await ctx.bot.send_message(chat, card, reply_markup=again)
    kick_dispatch(ctx)
    await messenger.after_cancel(ctx.bot, services, who, cancelled, service)


async def will_attend(update: Update, ctx: Context) -> None:
    """«I'll be there», from a reminder: recorded and shown to staff."""
    query, who, button = await _pressed(update, ctx)
    if button is None:
        return
    services = ctx.services
    try:
        confirmed = await booking.confirm_attendance(services.db, services.catalog,
                                                     button.arg, who.user_id, ctx.now())
    except NotAllowed as refusal:
        return await refuse(update, ctx, who, refusal)
    await answer(query, reminders.attendance_thanks(who.t))
    # The reminders now say so, and offer no «I'll be there» any more.
    await messenger.refresh(ctx.bot, services, confirmed, note="",
                            kinds=frozenset({"reminder"}))
    kick_dispatch(ctx)


async def rated(update: Update, ctx: Context) -> None:
    query, who, button = await _pressed(update, ctx)
    if button is None:
        return
    reference, _, stars = button.arg.partition("/")
    try:
        await feedback.rate(ctx.services.db, reference, who.user_id, int(stars), ctx.now())
    except NotAllowed as refusal:
        return await refuse(update, ctx, who, refusal)
    await answer(query)
    await query.edit_message_text(reminders.feedback_thanks(who.t, int(stars)), reply_markup=None)
    await ctx.bot.send_message(chat_id(update), reminders.comment_prompt(who.t, reference),
                               reply_markup=ForceReply(
                                   input_field_placeholder=who.t._("Comment")[:64]))


async def comment_typed(update: Update, ctx: Context) -> None:
    who = await citizen(update, ctx)
    replied = await prompt_reply(update, ctx, who.t)
    if replied is None:
        return
    reference, text = replied
    if await feedback.comment(ctx.services.db, reference, who.user_id, text, ctx.now()):
        await ctx.bot.send_message(chat_id(update), reminders.comment_thanks(who.t))


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [
        CommandHandler("mybookings", my_bookings, filters=PRIVATE),
        CallbackQueryHandler(my_bookings, pattern=callbacks.pattern("my")),
        CallbackQueryHandler(earlier_bookings, pattern=callbacks.pattern("past")),
        CallbackQueryHandler(ask_cancel, pattern=callbacks.pattern("cx")),
        CallbackQueryHandler(ask_reason, pattern=callbacks.pattern("cr")),
        CallbackQueryHandler(yes_cancel, pattern=callbacks.pattern("cy")),
        CallbackQueryHandler(keep, pattern=callbacks.pattern("ck")),
        MessageHandler(PRIVATE & filters.TEXT & ReplyToPrompt(cards.REASON_MARK), reason_typed),
        CallbackQueryHandler(will_attend, pattern=callbacks.pattern("at")),
        CallbackQueryHandler(rated, pattern=callbacks.pattern("fb")),
        MessageHandler(PRIVATE & filters.TEXT & ReplyToPrompt(reminders.FEEDBACK_MARK),
                       comment_typed),
    ]

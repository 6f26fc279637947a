"""The citizen's own bookings: /mybookings, earlier bookings, cancelling one, «I'll be
there», ratings."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain.model import Booking
from bot.domain.rules import NotAllowed
from bot.ptb.context import Context
from bot.ptb.handlers import (
    ReplyToPrompt,
    answer,
    citizen,
    kick_dispatch,
    pressed_button,
    pressed_message,
    prompt_reply,
    refuse,
    say,
    stale,
)
from bot.render import callbacks, cards, html, keyboards, reminders, waiting
from bot.render.callbacks import Button
from bot.render.i18n import Citizen
from bot.services import booking, feedback, lookups, waitlist

PRIVATE = filters.ChatType.PRIVATE


async def my_bookings(update: Update, ctx: Context) -> None:
    """A header, then one card per upcoming booking with its actions."""
    who = await citizen(update, ctx)
    answer(ctx)
    services = ctx.services
    found = await lookups.upcoming_bookings(ctx.conn, who.user_id, ctx.now())
    header = cards.my_bookings_header(who.t, len(found), who.zone, ctx.now())
    say(ctx, header, keyboards.my_bookings(who.t))
    for item in found:
        service = services.catalog.service(item.service_id)
        card = cards.booking_card(who.t, service, item, who.zone)
        ctx.reply.send(card, keyboards.booking_actions(who.t, item, card=True),
                       sent=ctx.reply.remember(item.id, "card"))
    for entry in await waitlist.entries(ctx.conn, who.user_id):
        service = services.catalog.service(entry["service_id"])
        ctx.reply.send(waiting.entry_line(who.t, service, entry),
                       keyboards.leave_waitlist(who.t, entry["id"]))


async def earlier_bookings(update: Update, ctx: Context) -> None:
    who = await citizen(update, ctx)
    answer(ctx)
    found = await lookups.past_bookings(ctx.conn, who.user_id, ctx.now())
    items = [(b, ctx.services.catalog.service(b.service_id)) for b in found]
    say(ctx, cards.past_list(who.t, items, who.zone))


async def _changeable(update: Update, ctx: Context) -> tuple[Citizen, Button, Booking] | None:
    """Who pressed, the button, and the booking it names if they may still change it (the
    press is answered); otherwise None, after saying why not (forged data: stale)."""
    who, button = await pressed_button(update, ctx)
    if button is None:
        await stale(update, ctx)
        return None
    try:
        current = await booking.changeable(ctx.conn, ctx.services.catalog, button.arg,
                                           who.user_id, ctx.now())
    except NotAllowed as refusal:
        refuse(update, ctx, who, refusal)
        return None
    answer(ctx)
    return who, button, current


async def ask_cancel(update: Update, ctx: Context) -> None:
    """«Cancel booking»: are you sure? Yes, yes with a reason, or keep it."""
    if not (found := await _changeable(update, ctx)):
        return
    who, _, current = found
    service = ctx.services.catalog.service(current.service_id)
    say(ctx, cards.cancel_question(who.t, service, current, who.zone),
        keyboards.cancel_question(who.t, current))


async def ask_reason(update: Update, ctx: Context) -> None:
    """«Yes, with a reason»: the reason is typed as a reply to the prompt."""
    if not (found := await _changeable(update, ctx)):
        return
    who, _, current = found
    say(ctx, cards.reason_prompt(who.t, current.reference),
        keyboards.force_reply(who.t._("Reason")))


async def reason_typed(update: Update, ctx: Context) -> None:
    who = await citizen(update, ctx)
    if replied := await prompt_reply(update, ctx, who.t):
        await _cancel(update, ctx, who, *replied)


async def yes_cancel(update: Update, ctx: Context) -> None:
    who, button = await pressed_button(update, ctx)
    if button is None:
        return await stale(update, ctx)
    await _cancel(update, ctx, who, button.arg, "")


async def keep(update: Update, ctx: Context) -> None:
    """«No, keep it»: only for the citizen's own booking, in the question that asked."""
    who, button = await pressed_button(update, ctx)
    found = await lookups.by_reference(ctx.conn, button.arg) if button else None
    if found is None or found.user_id != who.user_id or not pressed_message(update):
        return await stale(update, ctx)
    answer(ctx)
    if pressed := pressed_message(update):
        ctx.reply.edit(pressed, html.esc(cards.kept_booking(who.t)), or_send=False)


async def _cancel(update: Update, ctx: Context, who: Citizen, reference: str,
                  reason: str) -> None:
    services = ctx.services
    shown_in = pressed_message(update)
    try:
        cancelled = await booking.cancel(await ctx.writer(), services.catalog, reference,
                                         who.user_id, ctx.now(), reason, shown_in=shown_in,
                                         zone=services.settings.zone)
    except NotAllowed as refusal:
        return refuse(update, ctx, who, refusal)
    answer(ctx)
    service = services.catalog.service(cancelled.service_id)
    card, again = cards.outcome(who.t, service, cancelled, who.zone)
    if shown_in:  # the outbox shows it there again unless this edit arrives
        ctx.reply.edit(shown_in, card, again, sent=ctx.reply.confirmed(cancelled.id))
    else:
        say(ctx, card, again)
    kick_dispatch(ctx)  # earlier messages, the cancelled invitation, staff: from the outbox


async def will_attend(update: Update, ctx: Context) -> None:
    """«I'll be there», from a reminder: recorded and shown to staff."""
    who, button = await pressed_button(update, ctx)
    if button is None:
        return await stale(update, ctx)
    try:
        await booking.confirm_attendance(await ctx.writer(), ctx.services.catalog, button.arg,
                                         who.user_id, ctx.now())
    except NotAllowed as refusal:
        return refuse(update, ctx, who, refusal)
    answer(ctx, reminders.attendance_thanks(who.t))
    kick_dispatch(ctx)


async def rated(update: Update, ctx: Context) -> None:
    who, button = await pressed_button(update, ctx)
    if button is None:
        return await stale(update, ctx)
    reference, _, stars = button.arg.partition("/")
    try:
        await feedback.rate(await ctx.writer(), reference, who.user_id, int(stars), ctx.now())
    except NotAllowed as refusal:
        return refuse(update, ctx, who, refusal)
    answer(ctx)
    if pressed := pressed_message(update):
        ctx.reply.edit(pressed, reminders.feedback_thanks(who.t, int(stars)), or_send=False)
    say(ctx, reminders.comment_prompt(who.t, reference),
        keyboards.force_reply(who.t._("Comment")))


async def comment_typed(update: Update, ctx: Context) -> None:
    who = await citizen(update, ctx)
    replied = await prompt_reply(update, ctx, who.t)
    if replied is None:
        return
    reference, text = replied
    if await feedback.comment(await ctx.writer(), reference, who.user_id, text, ctx.now()):
        say(ctx, reminders.comment_thanks(who.t))


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

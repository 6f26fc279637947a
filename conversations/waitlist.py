"""The waitlist from the citizen's side: joining it from a full calendar or day, an offer's
«Book», «Change details» and «No, thank you», leaving it from /mybookings."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.domain.draft import Draft, Step
from bot.domain.meeting import new_meeting_url
from bot.domain.model import Channel
from bot.domain.rules import BookingError, NotAllowed, NotBookable
from bot.ptb.context import Context
from bot.ptb.handlers import (
    State,
    answer,
    kick_dispatch,
    load_draft,
    on_button,
    pressed_button,
    pressed_message,
    refuse,
    say,
    stale,
)
from bot.render import callbacks, cards, waiting
from bot.render.callbacks import Button
from bot.render.i18n import Citizen
from bot.services import waitlist
from conversations.screens import go, parse_date, service_of


async def join_pressed(update: Update, ctx: Context) -> None:
    """«Tell me if a seat frees up»: on the waitlist of the flow's service and channel (a
    button of the flow's screen: one of an earlier screen is stale)."""
    who, button = await pressed_button(update, ctx)
    draft = load_draft(ctx)
    service = service_of(ctx, draft)
    fresh = button is not None and button.revision == ctx.turn.revision
    if not fresh or button is None or service is None or not draft.channel:
        return await stale(update, ctx)
    chosen, _, part = button.arg.partition("/")
    day = parse_date(chosen) if chosen else None
    try:
        joined = await waitlist.join(await ctx.writer(), ctx.services.catalog, who.user_id,
                                     service.id, draft.channel, day, part, who.locale,
                                     ctx.now())
    except NotBookable:
        return await stale(update, ctx)
    text = waiting.joined(who.t, service, day, part) if joined else waiting.already_waiting(
        who.t)
    answer(ctx, None if joined else text, alert=not joined)
    say(ctx, text)


def _gone(ctx: Context, who: Citizen, reason: str) -> None:
    text = waiting.gone(who.t, reason)
    answer(ctx, text[:200], alert=True)
    say(ctx, text)
    kick_dispatch(ctx)  # an offer found run out ended now: its seat goes to the next in line


async def book_pressed(update: Update, ctx: Context) -> None:
    """«Book» on an offer: the held seat booked with the details the offer showed."""
    who, button = await pressed_button(update, ctx)
    if button is None:
        return await stale(update, ctx)
    offer_id, _, reviewed = button.arg.partition("/")
    services, shown_in = ctx.services, pressed_message(update)
    conn = await ctx.writer()
    offer = await waitlist.offer_of(conn, int(offer_id))
    video = offer is not None and offer.channel is Channel.VIDEO
    meeting = new_meeting_url(services.settings.meeting_template) if video else ""
    try:
        made = await waitlist.accept(conn, services.catalog, services.settings.zone,
                                     who.user_id, int(offer_id), reviewed, ctx.now(), meeting,
                                     shown_in)
    except waitlist.OfferGone as refusal:
        return _gone(ctx, who, refusal.reason)
    except waitlist.NotReviewed as unseen:
        return _review_again(ctx, who, unseen, shown_in)
    except NotAllowed as refusal:
        return refuse(update, ctx, who, refusal)
    except BookingError:
        return _gone(ctx, who, waitlist.OfferGone.ENDED)
    answer(ctx)
    kick_dispatch(ctx)
    text, markup = cards.outcome(who.t, services.catalog.service(made.service_id), made,
                                 who.zone)
    if shown_in:
        ctx.reply.edit(shown_in, text, markup, sent=ctx.reply.confirmed(made.id))
    else:
        say(ctx, text, markup)
    return None


def _review_again(ctx: Context, who: Citizen, unseen: waitlist.NotReviewed,
                  shown_in: int) -> None:
    """The offer shown again as it now stands, in its own message: nothing was booked."""
    answer(ctx, waiting.review_again(who.t), alert=True)
    text, markup = waiting.offer(who.t, unseen.service, unseen.offer, who.zone,
                                 unseen.details)
    if shown_in:
        ctx.reply.edit(shown_in, text, markup)
    else:
        say(ctx, text, markup)


@on_button("wc", fresh_only=False, answers=True)
async def change_pressed(update: Update, ctx: Context, who: Citizen, draft: Draft,
                         button: Button) -> State:
    """«Change details» on an offer, and «Book» on one to a citizen without earlier details:
    the booking flow's details steps for the held time, then its declaration, summary and
    «Book» (an entry point of the flow)."""
    services = ctx.services
    try:
        held = await waitlist.flow_draft(await ctx.writer(), services.catalog,
                                         services.settings.zone, who.user_id, int(button.arg),
                                         who.zone, ctx.now())
    except waitlist.OfferGone as refusal:
        _gone(ctx, who, refusal.reason)
        return None
    answer(ctx)
    return await go(update, ctx, who, held, Step.NAME)


async def decline_pressed(update: Update, ctx: Context) -> None:
    """«No, thank you»: the seat goes to the next in line."""
    who, button = await pressed_button(update, ctx)
    if button is None:
        return await stale(update, ctx)
    services = ctx.services
    try:
        offer = await waitlist.decline(await ctx.writer(), services.catalog,
                                       services.settings.zone, who.user_id, int(button.arg),
                                       ctx.now())
    except waitlist.OfferGone as refusal:
        return _gone(ctx, who, refusal.reason)
    answer(ctx)
    kick_dispatch(ctx)
    text = waiting.declined(who.t, services.catalog.service(offer.service_id), offer, who.zone)
    if shown_in := pressed_message(update):
        ctx.reply.edit(shown_in, text, None)
    else:
        say(ctx, text)
    return None


async def leave_pressed(update: Update, ctx: Context) -> None:
    """«Leave the waiting list», from /mybookings."""
    who, button = await pressed_button(update, ctx)
    if button is None:
        return await stale(update, ctx)
    services = ctx.services
    if not await waitlist.leave(await ctx.writer(), services.catalog, services.settings.zone,
                                who.user_id, int(button.arg), ctx.now()):
        text = waiting.not_waiting(who.t)
        answer(ctx, text, alert=True)
        return None
    answer(ctx)
    if shown_in := pressed_message(update):
        ctx.reply.edit(shown_in, waiting.left(who.t), None)
    else:
        say(ctx, waiting.left(who.t))
    kick_dispatch(ctx)  # an offer of a seat held for them goes to the next in line
    return None


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [
        CallbackQueryHandler(join_pressed, pattern=callbacks.pattern("wj")),
        CallbackQueryHandler(book_pressed, pattern=callbacks.pattern("wy")),
        CallbackQueryHandler(decline_pressed, pattern=callbacks.pattern("wn")),
        CallbackQueryHandler(leave_pressed, pattern=callbacks.pattern("wl")),
    ]

"""The booking flow's summary: changing any part of it, and booking."""

from __future__ import annotations

from datetime import datetime

from telegram import Update

from bot.domain.draft import Draft, Step, missing
from bot.domain.meeting import new_meeting_url
from bot.domain.model import Booking, BookingRequest, Channel
from bot.domain.rules import BookingError, NotAllowed, SlotTaken
from bot.ptb.context import Context
from bot.ptb.conversation import END
from bot.ptb.handlers import (
    State,
    answer,
    kick_dispatch,
    on_button,
    present,
    pressed_message,
    say,
    stale,
)
from bot.render import cards, flow, html, keyboards, phrases
from bot.render.callbacks import Button
from bot.render.i18n import Citizen
from bot.services import booking, lookups
from conversations.screens import details_of, go, service_of

EDITABLE = {"channel", "day", "name", "email", "phone", "address", "notes", "requirements",
            "third_party"}


@on_button("edit")
async def edit_chosen(update: Update, ctx: Context, who: Citizen, draft: Draft,
                      button: Button) -> State:
    if button.arg not in EDITABLE:
        return None
    step = Step(button.arg)
    draft.edit_from = step.value
    if step is Step.DAY and draft.start_at:
        draft.month = draft.start_at.astimezone(who.zone).strftime("%Y-%m")
    return await go(update, ctx, who, draft, step)


@on_button("book", fresh_only=False, answers=True)
async def book_pressed(update: Update, ctx: Context, who: Citizen, draft: Draft,
                       button: Button) -> State:
    """«Book» (or «Confirm the change») on the summary. A draft is booked once: pressed
    again — a second tap, after a restart, after an error — it shows what it made."""
    turn = ctx.turn
    made = await lookups.booking_of_draft(ctx.conn, button.arg)
    if made is not None and made.user_id == who.user_id:
        answer(ctx)
        _show_again(update, ctx, who, made)
        return END if turn.step is not None and draft.id == button.arg else None
    if turn.step != Step.SUMMARY or draft.id != button.arg or button.revision != turn.revision:
        await stale(update, ctx)
        return None
    answer(ctx)
    return await _book(update, ctx, who, draft)


async def _book(update: Update, ctx: Context, who: Citizen, draft: Draft) -> State:
    lacking = missing(draft)
    service = service_of(ctx, draft)
    start = draft.start_at
    if lacking is not None or service is None or start is None:
        return await go(update, ctx, who, draft, lacking or Step.SERVICE)
    services = ctx.services
    request = BookingRequest(
        user_id=who.user_id, service_id=service.id, channel=Channel(draft.channel),
        start=start, details=details_of(draft),
        consent_at=datetime.fromisoformat(draft.consent_at), locale=who.locale,
        timezone=who.zone.key, draft_id=draft.id,
    )
    video = request.channel is Channel.VIDEO
    meeting = new_meeting_url(services.settings.meeting_template) if video else ""
    zone = services.settings.zone
    shown_in = pressed_message(update)
    conn = await ctx.writer()
    try:
        if draft.rebook:
            made = await booking.reschedule(conn, services.catalog, zone, draft.rebook, request,
                                            ctx.now(), meeting, shown_in)
        else:
            made = await booking.book(conn, services.catalog, zone, request, ctx.now(), meeting,
                                      shown_in)
    except NotAllowed as refusal:
        present(update, ctx, html.esc(phrases.refusal(who.t, refusal.reason, service)),
                keyboards.my_bookings(who.t))
        return END
    except BookingError as refusal:
        # Everything else is still valid: a new time leads straight back to the summary.
        draft.start, draft.edit_from = "", Step.TIME.value
        notice = (flow.slot_taken if isinstance(refusal, SlotTaken)
                  else flow.time_not_offered)(who.t)
        return await go(update, ctx, who, draft, Step.TIME, notice)
    # The outbox shows it again, sends the invitation and brings earlier messages up to
    # date: written with the booking, so a crash from here on delays them, never loses them.
    kick_dispatch(ctx)
    text, markup = cards.outcome(who.t, service, made, who.zone)
    present(update, ctx, text, markup, sent=ctx.reply.confirmed(made.id))
    return END


def _show_again(update: Update, ctx: Context, who: Citizen, made: Booking) -> None:
    """What a draft already made, in the message it was made from."""
    service = ctx.services.catalog.service(made.service_id)
    text, markup = cards.outcome(who.t, service, made, who.zone)
    if pressed := pressed_message(update):
        ctx.reply.edit(pressed, text, markup)
    else:
        say(ctx, text, markup)

"""The booking flow's summary: changing any part of it, and booking."""

from __future__ import annotations

from datetime import datetime

from telegram import Update
from telegram.ext import ConversationHandler

from bot.delivery import messenger
from bot.domain.catalog import ResolvedService
from bot.domain.draft import Draft, Step, missing
from bot.domain.meeting import new_meeting_url
from bot.domain.model import Booking, BookingRequest, Channel
from bot.domain.rules import BookingError, NotAllowed, SlotTaken
from bot.ptb.context import Context
from bot.ptb.handlers import State, chat_of, drop_draft, kick_dispatch, on_button, present
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


@on_button("book")
async def book_pressed(update: Update, ctx: Context, who: Citizen, draft: Draft,
                       button: Button) -> State:
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
        timezone=who.zone.key,
    )
    video = request.channel is Channel.VIDEO
    meeting = new_meeting_url(services.settings.meeting_template) if video else ""
    zone = services.settings.zone
    try:
        if draft.rebook:
            made = await booking.reschedule(services.db, services.catalog, zone, draft.rebook,
                                            request, ctx.now(), meeting)
        else:
            made = await booking.book(services.db, services.catalog, zone, request,
                                      ctx.now(), meeting)
    except NotAllowed as refusal:
        drop_draft(ctx)
        await present(update, ctx, draft, html.esc(phrases.refusal(who.t, refusal.reason,
                                                                   service)),
                      keyboards.my_bookings(who.t))
        return ConversationHandler.END
    except BookingError as refusal:
        # Everything else is still valid: a new time leads straight back to the summary.
        draft.start, draft.edit_from = "", Step.TIME.value
        notice = (flow.slot_taken if isinstance(refusal, SlotTaken)
                  else flow.time_not_offered)(who.t)
        return await go(update, ctx, who, draft, Step.TIME, notice)
    drop_draft(ctx)
    await confirm(update, ctx, who, draft, service, made, rescheduled=bool(draft.rebook))
    return ConversationHandler.END


async def confirm(update: Update, ctx: Context, who: Citizen, draft: Draft,
                  service: ResolvedService, made: Booking, rescheduled: bool) -> None:
    """The confirmation in place of the summary, the invitation, and every earlier message
    about the booking brought up to date."""
    services = ctx.services
    render = cards.rescheduled if rescheduled else cards.confirmation
    await present(update, ctx, draft, render(who.t, service, made, who.zone),
                  keyboards.booking_actions(who.t, made))
    chat = chat_of(update)
    await lookups.remember_message(services.db, made, chat.id, draft.message_id,
                                   "confirmation")
    if rescheduled:
        await messenger.refresh(ctx.bot, services, made, skip=frozenset({draft.message_id}))
    kick_dispatch(ctx)
    await messenger.send_invitation(ctx.bot, services, who, made, service, chat.id)

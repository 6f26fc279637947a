"""The booking flow, step by step, as the seed's manual walks it on the web.

municipality → group → service → channel → day → time → name → email → phone → address →
notes → requirements → (video) third person → declaration → summary → Book.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.domain.draft import (
    TEXT_STEPS,
    Draft,
    Step,
    for_group,
    for_reschedule,
    from_link,
    new_draft,
    previous_step,
)
from bot.domain.rules import NotAllowed
from bot.ptb.context import Context
from bot.ptb.conversation import Conversation
from bot.ptb.handlers import (
    State,
    answer,
    citizen,
    load_draft,
    on_button,
    refuse,
    stale,
)
from bot.render import flow
from bot.render.callbacks import Button
from bot.render.i18n import Citizen
from bot.services import booking
from conversations import choose, details, summary, waitlist
from conversations.screens import cancel, go, leave

PRIVATE = filters.ChatType.PRIVATE


# ---- entering the flow ---------------------------------------------------------------


async def start(update: Update, ctx: Context) -> State:
    """/start, optionally with a deep link (m_<municipality>, g_<group>, s_<service>)."""
    who = await citizen(update, ctx)
    draft, step, notice = new_draft(), Step.MUNICIPALITY, ""
    if ctx.args:
        linked = from_link(ctx.args[0], ctx.services.catalog)
        if linked:
            draft, step = linked
        else:
            notice = flow.invalid_link(who.t)
    return await go(update, ctx, who, draft, step, notice)


@on_button("new", fresh_only=False)
async def new_booking(update: Update, ctx: Context, who: Citizen, draft: Draft,
                      button: Button) -> State:
    fresh, step = for_group(ctx.services.catalog, button.arg)
    return await go(update, ctx, who, fresh, step)


@on_button("rs", fresh_only=False, answers=True)
async def reschedule_pressed(update: Update, ctx: Context, who: Citizen, draft: Draft,
                             button: Button) -> State:
    """Reschedule, from any message about the booking: the calendar of the same service."""
    services = ctx.services
    try:
        current = await booking.changeable(ctx.conn, services.catalog, button.arg,
                                           who.user_id, ctx.now())
    except NotAllowed as refusal:
        refuse(update, ctx, who, refusal)
        return None
    service = services.catalog.service(current.service_id)
    if service is None:
        refuse(update, ctx, who, NotAllowed(NotAllowed.NOT_ACTIVE))
        return None
    answer(ctx)
    fresh = for_reschedule(current, len(service.service.channels))
    fresh.month = current.start.astimezone(who.zone).strftime("%Y-%m")
    return await go(update, ctx, who, fresh, Step.DAY)



# ---- back, cancel, and what does not belong -------------------------------------------


@on_button("back")
async def back_pressed(update: Update, ctx: Context, who: Citizen, draft: Draft,
                       button: Button) -> State:
    if button.arg not in {s.value for s in Step}:
        return None
    step = previous_step(draft, Step(button.arg))
    if draft.rebook and step in (Step.MUNICIPALITY, Step.GROUP, Step.SERVICE):
        return await leave(update, ctx, who, draft)  # out of rescheduling: kept as is
    return await go(update, ctx, who, draft, step)


@on_button("cancel")
async def cancel_pressed(update: Update, ctx: Context, who: Citizen, draft: Draft,
                         button: Button) -> State:
    return await leave(update, ctx, who, draft)


def hint(step: Step) -> MessageHandler[Context, State]:
    """Anything typed or sent where the step wants something else: a hint, then the step."""

    async def wrong(update: Update, ctx: Context) -> State:
        who = await citizen(update, ctx)
        draft = load_draft(ctx)
        wants_text = step in TEXT_STEPS
        notice = flow.type_text(who.t) if wants_text else flow.use_buttons(who.t)
        return await go(update, ctx, who, draft, step, notice)

    return MessageHandler(filters.ALL & ~filters.COMMAND, wrong)


def _states() -> dict[str, list[BaseHandler[Update, Context, object]]]:
    common: list[BaseHandler[Update, Context, object]] = [back_pressed, cancel_pressed,
                                                          choose.inert_pressed]
    buttons: dict[Step, list[Any]] = {
        Step.MUNICIPALITY: [choose.municipality_chosen],
        Step.GROUP: [choose.group_chosen],
        Step.SERVICE: [choose.service_chosen],
        Step.CHANNEL: [choose.channel_chosen],
        Step.DAY: [choose.month_chosen, choose.day_chosen],
        Step.TIME: [choose.time_chosen],
        Step.THIRD_PARTY: [details.third_party_answered],
        Step.CONSENT: [details.declaration_accepted],
        Step.SUMMARY: [summary.edit_chosen],
    }
    states: dict[str, list[BaseHandler[Update, Context, object]]] = {}
    for step in Step:
        handlers: list[Any] = [*buttons.get(step, []), *common]
        if step is Step.PHONE:
            handlers.append(MessageHandler(filters.CONTACT, details.contact_shared))
        if step in TEXT_STEPS:
            handlers += [details.kept, details.text_handler(step)]
        handlers.append(hint(step))
        states[step.value] = handlers
    return states


def conversation() -> Conversation:
    """The booking flow: its step read from the chat's row with every update."""
    return Conversation(
        entry_points=[
            CommandHandler("start", start, filters=PRIVATE),
            new_booking,
            reschedule_pressed,
            waitlist.change_pressed,  # an offer's time, booked in the flow
            summary.book_pressed,  # also after the flow ended: confirming twice is once
        ],
        states=_states(),
        fallbacks=[
            CommandHandler("cancel", cancel, filters=PRIVATE),
            CallbackQueryHandler(stale),
        ],
    )

"""The booking flow's first half: where, what, how and when (municipality to time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telegram import Update

from bot.domain.draft import Draft, Step, next_step
from bot.domain.model import Channel
from bot.ptb.context import Context
from bot.ptb.handlers import State, on_button
from bot.render import flow, phrases
from bot.render.callbacks import Button
from bot.render.i18n import Citizen
from bot.services import booking
from conversations.screens import MAX_AHEAD, go, parse_date, service_of, slots_of


@on_button("m")
async def municipality_chosen(update: Update, ctx: Context, who: Citizen, draft: Draft,
                              button: Button) -> State:
    if button.arg != draft.municipality:
        draft.municipality, draft.group, draft.service = button.arg, "", ""
    return await go(update, ctx, who, draft, Step.GROUP)


@on_button("g")
async def group_chosen(update: Update, ctx: Context, who: Citizen, draft: Draft,
                       button: Button) -> State:
    if button.arg != draft.group:
        draft.group, draft.service = button.arg, ""
    return await go(update, ctx, who, draft, Step.SERVICE)


@on_button("s")
async def service_chosen(update: Update, ctx: Context, who: Citizen, draft: Draft,
                         button: Button) -> State:
    service = ctx.services.catalog.service(button.arg)
    if service is None or service.group.id != draft.group:
        return await go(update, ctx, who, draft, Step.SERVICE)
    problem = await booking.limit_problem(ctx.conn, service, who.user_id, ctx.now())
    if problem:
        notice = phrases.refusal(who.t, problem.reason, service)
        return await go(update, ctx, who, draft, Step.SERVICE, notice)
    draft.choose_service(service.id, [c.value for c in service.service.channels])
    return await go(update, ctx, who, draft, next_step(draft, Step.SERVICE))


@on_button("c")
async def channel_chosen(update: Update, ctx: Context, who: Citizen, draft: Draft,
                         button: Button) -> State:
    service = service_of(ctx, draft)
    if service is None or Channel(button.arg) not in service.service.channels:
        return await go(update, ctx, who, draft, Step.CHANNEL)
    draft.channel = button.arg
    return await go(update, ctx, who, draft, next_step(draft, Step.CHANNEL))


@on_button("mo")
async def month_chosen(update: Update, ctx: Context, who: Citizen, draft: Draft,
                       button: Button) -> State:
    month = parse_date(button.arg + "-01")
    if month and abs(month - ctx.now().date()) <= MAX_AHEAD:  # the view keeps it in range
        draft.month = button.arg
    return await go(update, ctx, who, draft, Step.DAY)


@on_button("d")
async def day_chosen(update: Update, ctx: Context, who: Citizen, draft: Draft,
                     button: Button) -> State:
    day = parse_date(button.arg)
    today = ctx.now().astimezone(who.zone).date()
    # A real day can only be within the horizon; anything else is forged: no such day.
    sensible = day is not None and today - timedelta(days=1) <= day <= today + MAX_AHEAD
    draft.day = button.arg if sensible else ""
    return await go(update, ctx, who, draft, Step.TIME)


@on_button("t")
async def time_chosen(update: Update, ctx: Context, who: Citizen, draft: Draft,
                      button: Button) -> State:
    service, day = service_of(ctx, draft), parse_date(draft.day)
    if service is None or day is None:
        return await go(update, ctx, who, draft, Step.DAY)
    start = datetime.fromtimestamp(int(button.arg) * 60, UTC)
    free = await slots_of(ctx, who, draft, service, day)
    if all(slot.start != start for slot in free):
        return await go(update, ctx, who, draft, Step.TIME, flow.slot_taken(who.t))
    draft.start = start.isoformat()
    return await go(update, ctx, who, draft, next_step(draft, Step.TIME))


@on_button("x", fresh_only=False)
async def inert_pressed(update: Update, ctx: Context, who: Citizen, draft: Draft,
                        button: Button) -> State:
    return None

"""The screen of each step of the booking flow, from the draft; showing it; leaving."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from telegram import Update
from telegram.ext import ConversationHandler

from bot.domain import validation
from bot.domain.catalog import ResolvedService
from bot.domain.draft import OPTIONAL_STEPS, TEXT_STEPS, Draft, Step, new_draft_id
from bot.domain.model import Channel, Details, Slot
from bot.ptb.context import Context
from bot.ptb.handlers import (
    State,
    citizen,
    drop_draft,
    keep_draft,
    load_draft,
    present,
    say,
    strip_buttons,
)
from bot.ptb.replies import Markup
from bot.render import cards, flow, html, keyboards
from bot.render.i18n import Citizen
from bot.services import availability

MAX_AHEAD = timedelta(days=400)  # beyond any catalog's horizon (at most 366 days)


def service_of(ctx: Context, draft: Draft) -> ResolvedService | None:
    service = ctx.services.catalog.service(draft.service)
    if service is None or service.group.id != draft.group:
        return None
    return service


async def screen(ctx: Context, who: Citizen, draft: Draft,
                 step: Step) -> tuple[Step, str, Markup]:
    """The text and keyboard of a step; a step whose earlier answers are gone (the catalog
    changed, say) falls back to the step that asks for them."""
    t, catalog = who.t, ctx.services.catalog
    municipality = catalog.municipality(draft.municipality)
    if step is Step.MUNICIPALITY or municipality is None:
        return Step.MUNICIPALITY, flow.choose_municipality(t), keyboards.municipalities(
            t, catalog.municipalities)
    group = next((g for g in municipality.groups if g.id == draft.group), None)
    if step is Step.GROUP or group is None:
        return Step.GROUP, flow.choose_group(t, municipality), keyboards.groups(t, municipality)
    service = service_of(ctx, draft)
    if step is Step.SERVICE or service is None:
        path = (municipality.name.get(t.locale), group.name.get(t.locale))
        return Step.SERVICE, flow.choose_service(t, path), keyboards.services(t, group)
    channel = Channel(draft.channel) if draft.channel in set(service.service.channels) else None
    if step is Step.CHANNEL or channel is None:
        return Step.CHANNEL, flow.choose_channel(t, service), keyboards.channels(t, service)
    if step is Step.DAY or not draft.day:
        return await _day_screen(ctx, who, draft, service, channel)
    if step is Step.TIME or draft.start_at is None:
        return await _time_screen(ctx, who, draft, service, channel)
    return _detail_screen(who, draft, step, service, channel)


async def _day_screen(ctx: Context, who: Citizen, draft: Draft, service: ResolvedService,
                      channel: Channel) -> tuple[Step, str, Markup]:
    month = parse_date(draft.month + "-01") if draft.month else None
    view = await availability.month_view(ctx.conn, service, ctx.services.settings.zone,
                                         who.zone, month, ctx.now(), draft.rebook_id or None,
                                         await _held(ctx, who, draft, service))
    waitable = availability.ever_bookable(service, ctx.services.settings.zone, ctx.now())
    if view is None:
        rows = keyboards.join_waitlist(who.t) if waitable else []
        nav = keyboards.markup([*rows, keyboards.nav_row(who.t, Step.DAY.value)])
        return Step.DAY, flow.no_free_days(who.t, service), nav
    draft.month = view.month.strftime("%Y-%m")
    at = view.first_slot.start if view.first_slot else ctx.now()
    text = flow.choose_day(who.t, service, channel, who.zone, at)
    if draft.rebook:
        text = html.esc(flow.reschedule_intro(who.t)) + "\n\n" + text
    keyboard = keyboards.calendar(who.t, view.month, set(view.free_days), view.previous,
                                  view.following)
    if not view.free_days and not draft.rebook and waitable:
        keyboard = keyboards.with_rows(keyboard, keyboards.join_waitlist(who.t))
    return Step.DAY, text, keyboard


async def _time_screen(ctx: Context, who: Citizen, draft: Draft, service: ResolvedService,
                       channel: Channel) -> tuple[Step, str, Markup]:
    day = parse_date(draft.day)
    free = await slots_of(ctx, who, draft, service, day) if day else []
    if not free or day is None:
        draft.day = ""
        step, text, markup = await _day_screen(ctx, who, draft, service, channel)
        if day is not None and not draft.rebook and isinstance(markup, dict):
            markup = keyboards.with_rows(markup, keyboards.join_waitlist(who.t, day.isoformat()))
        return step, html.with_notice(flow.day_full(who.t), text), markup
    text = flow.choose_time(who.t, service, day, who.zone, free[0].start)
    return Step.TIME, text, keyboards.times(who.t, free, who.zone)


def _detail_screen(who: Citizen, draft: Draft, step: Step, service: ResolvedService,
                   channel: Channel) -> tuple[Step, str, Markup]:
    t = who.t
    if step is Step.PHONE:
        return step, flow.prompt(t, "phone", draft.phone), keyboards.phone(
            t, validation.display_phone(draft.phone) if draft.phone else "")
    if step in TEXT_STEPS:
        current = draft.value(step)
        return step, flow.prompt(t, step.value, current), keyboards.text_step(
            t, step.value, current, step in OPTIONAL_STEPS)
    if step is Step.THIRD_PARTY:
        return step, flow.third_party(t), keyboards.yes_no(t, step.value)
    if step is Step.CONSENT:
        return step, flow.consent(t, service.municipality), keyboards.consent(t)
    start = draft.start_at
    if start is None:  # screen() asks for the time before any later step
        raise ValueError("the summary of a draft without a time")
    end = start + timedelta(minutes=service.service.duration)
    several = len(service.service.channels) > 1
    draft.id = draft.id or new_draft_id()  # a draft begun before drafts had one
    previous = parse_moment(draft.previous)
    if draft.rebook and previous:
        text = flow.change_summary(t, service, channel, start, end, details_of(draft),
                                   who.zone, previous)
        return Step.SUMMARY, text, keyboards.summary(t, draft.id, channel, several, change=True)
    text = flow.summary(t, service, channel, start, end, details_of(draft), who.zone)
    return Step.SUMMARY, text, keyboards.summary(t, draft.id, channel, several)


def details_of(draft: Draft) -> Details:
    return Details(
        name=draft.name, email=draft.email, phone=draft.phone, address=draft.address,
        notes=draft.notes, requirements=draft.requirements,
        third_party_email=draft.third_email if draft.is_video and draft.third_party else "",
    )


def parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


async def slots_of(ctx: Context, who: Citizen, draft: Draft, service: ResolvedService,
                   day: date) -> list[Slot]:
    return await availability.day_slots(ctx.conn, service, ctx.services.settings.zone,
                                        who.zone, day, ctx.now(), draft.rebook_id or None,
                                        await _held(ctx, who, draft, service))


async def _held(ctx: Context, who: Citizen, draft: Draft,
                service: ResolvedService) -> Slot | None:
    """The time a waitlist offer holds for the citizen, when the draft is of one."""
    if not draft.offer:
        return None
    return await availability.held_for(ctx.conn, service, draft.offer, who.user_id, ctx.now())


async def go(update: Update, ctx: Context, who: Citizen, draft: Draft, step: Step,
             notice: str = "") -> State:
    """Show `step` (or the earliest step the draft still lacks before it) and enter it."""
    step, text, markup = await screen(ctx, who, draft, step)
    present(update, ctx, html.with_notice(notice, text), markup)
    keep_draft(ctx, draft)
    return step.value


def left_text(t_who: Citizen, draft: Draft) -> str:
    """What leaving the flow means: nothing booked, or the old booking kept as it was."""
    return html.esc(cards.kept_booking(t_who.t)) if draft.rebook else flow.cancelled(t_who.t)


async def leave(update: Update, ctx: Context, who: Citizen, draft: Draft) -> State:
    drop_draft(ctx)
    present(update, ctx, left_text(who, draft), None)
    return ConversationHandler.END


async def cancel(update: Update, ctx: Context) -> State:
    """/cancel anywhere in the flow (and the typed Cancel of the phone step)."""
    who = await citizen(update, ctx)
    draft = load_draft(ctx)
    strip_buttons(ctx, ctx.turn.message_id)
    drop_draft(ctx)
    say(ctx, left_text(who, draft), keyboards.remove())
    return ConversationHandler.END


async def resume(update: Update, ctx: Context) -> None:
    """Show the chat's flow where it stands (an update processed before came again: what
    was answered to it may never have arrived)."""
    turn = ctx.turn
    if turn.step is None or not update.effective_user:
        return
    who = await citizen(update, ctx)
    step = Step(turn.step) if turn.step in set(Step) else Step.MUNICIPALITY
    turn.step = str(await go(update, ctx, who, load_draft(ctx), step))

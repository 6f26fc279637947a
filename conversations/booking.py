"""The booking flow, step by step, as the seed's manual walks it on the web.

municipality → group → service → channel → day → time → name → email → phone → address →
notes → requirements → (video) third person → declaration → summary → Book.
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.delivery import messenger
from bot.domain import validation
from bot.domain.catalog import ResolvedService
from bot.domain.draft import (
    OPTIONAL_STEPS,
    TEXT_STEPS,
    Draft,
    Step,
    for_group,
    for_reschedule,
    from_link,
    missing,
    next_step,
    previous_step,
)
from bot.domain.meeting import new_meeting_url
from bot.domain.model import Booking, Channel
from bot.ptb.context import Citizen, Context
from bot.render import keyboards, texts
from bot.render.callbacks import Button
from bot.services import booking
from conversations.flow import (
    State,
    answer,
    citizen,
    drop_draft,
    keep_draft,
    kick_dispatch,
    load_draft,
    on_button,
    present,
    strip_buttons,
)
from conversations.screens import details_of, parse_date, screen, service_of, slots_of

NAME = "booking"
PRIVATE = filters.ChatType.PRIVATE
MAX_AHEAD = timedelta(days=400)  # beyond any catalog's horizon (at most 366 days)
EDITABLE = {"channel", "day", "name", "email", "phone", "address", "notes", "requirements",
            "third_party"}


# ---- showing a step -------------------------------------------------------------------


async def go(update: Update, ctx: Context, who: Citizen, draft: Draft, step: Step,
             notice: str = "") -> State:
    """Show `step` (or the earliest step the draft still lacks before it) and enter it."""
    step, text, markup = await screen(ctx, who, draft, step)
    await present(update, ctx, draft, texts.with_notice(notice, text), markup)
    keep_draft(ctx, draft)
    return step.value


# ---- entering the flow ---------------------------------------------------------------


async def start(update: Update, ctx: Context) -> State:
    """/start, optionally with a deep link (m_<municipality>, g_<group>, s_<service>)."""
    who = await citizen(update, ctx)
    old = load_draft(ctx)
    chat = update.effective_chat
    assert chat is not None
    await strip_buttons(ctx, chat.id, old.message_id)
    draft, step, notice = Draft(), Step.MUNICIPALITY, ""
    if ctx.args:
        linked = from_link(ctx.args[0], ctx.services.catalog)
        if linked:
            draft, step = linked
        else:
            notice = texts.invalid_link(who.t)
    return await go(update, ctx, who, draft, step, notice)


@on_button("new", fresh_only=False)
async def new_booking(update: Update, ctx: Context, who: Citizen, draft: Draft,
                      button: Button) -> State:
    chat = update.effective_chat
    assert chat is not None
    await strip_buttons(ctx, chat.id, draft.message_id)
    fresh, step = for_group(ctx.services.catalog, button.arg)
    return await go(update, ctx, who, fresh, step)


@on_button("rs", fresh_only=False, answers=True)
async def reschedule_pressed(update: Update, ctx: Context, who: Citizen, draft: Draft,
                             button: Button) -> State:
    """Reschedule, from any message about the booking: the calendar of the same service."""
    services = ctx.services
    try:
        current = await booking.changeable(services.db, services.catalog, button.arg,
                                           who.user_id, ctx.now())
    except booking.NotAllowed as refusal:
        await refuse(update, ctx, who, refusal)
        return None
    service = services.catalog.service(current.service_id)
    if service is None:
        await refuse(update, ctx, who, booking.NotAllowed(booking.NotAllowed.NOT_ACTIVE))
        return None
    assert update.callback_query is not None
    await answer(update.callback_query)
    chat = update.effective_chat
    assert chat is not None
    await strip_buttons(ctx, chat.id, draft.message_id)
    fresh = for_reschedule(current, len(service.service.channels))
    fresh.month = current.start.astimezone(who.zone).strftime("%Y-%m")
    return await go(update, ctx, who, fresh, Step.DAY)


async def refuse(update: Update, ctx: Context, who: Citizen,
                 refusal: booking.NotAllowed) -> None:
    """Say why an action on a booking is refused, and what the citizen can do instead."""
    text = texts.refusal(who.t, refusal.reason, refusal.service)
    if update.callback_query:
        await answer(update.callback_query, text[:200], alert=True)
    chat = update.effective_chat
    assert chat is not None
    await ctx.bot.send_message(chat.id, texts.esc(text))


# ---- choosing where, what and how ---------------------------------------------------


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
    problem = await booking.limit_problem(ctx.services.db, service, who.user_id, ctx.now())
    if problem:
        notice = texts.refusal(who.t, problem.reason, service)
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


# ---- choosing when ------------------------------------------------------------------


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
        return await go(update, ctx, who, draft, Step.TIME, texts.slot_taken(who.t))
    draft.start = start.isoformat()
    return await go(update, ctx, who, draft, next_step(draft, Step.TIME))


@on_button("x", fresh_only=False)
async def inert_pressed(update: Update, ctx: Context, who: Citizen, draft: Draft,
                        button: Button) -> State:
    return None


# ---- details ------------------------------------------------------------------------


@on_button("keep")
async def kept(update: Update, ctx: Context, who: Citizen, draft: Draft,
               button: Button) -> State:
    step = Step(button.arg) if button.arg in {s.value for s in TEXT_STEPS} else None
    if step is None:
        return None
    if step not in OPTIONAL_STEPS and not draft.value(step):
        return await go(update, ctx, who, draft, step)
    return await go(update, ctx, who, draft, next_step(draft, step))


def text_handler(step: Step) -> MessageHandler[Context, State]:
    """A typed answer for a text step: validated; a wrong one is explained, step again."""
    check = {
        Step.NAME: validation.full_name,
        Step.EMAIL: validation.email,
        Step.PHONE: validation.phone,
        Step.THIRD_EMAIL: validation.email,
    }.get(step, validation.free_text)

    async def typed(update: Update, ctx: Context) -> State:
        who = await citizen(update, ctx)
        draft = load_draft(ctx)
        message = update.effective_message
        assert message is not None and message.text is not None
        text = message.text
        if step is Step.PHONE:
            if text == who.t._(keyboards.BACK):
                return await _leave_phone(update, ctx, who, draft, previous_step(draft, step))
            if text == who.t._(keyboards.CANCEL):
                return await cancel(update, ctx)
        try:
            value = check(text)
        except validation.InvalidInput as problem:
            return await go(update, ctx, who, draft, step, who.t._(problem.reason))
        draft.set_value(step, value)
        if step is Step.PHONE:
            return await _leave_phone(update, ctx, who, draft, next_step(draft, step))
        return await go(update, ctx, who, draft, next_step(draft, step))

    return MessageHandler(filters.TEXT & ~filters.COMMAND, typed)


async def contact_shared(update: Update, ctx: Context) -> State:
    """Telegram's contact sharing: only the sender's own number is taken."""
    who = await citizen(update, ctx)
    draft = load_draft(ctx)
    message = update.effective_message
    assert message is not None and message.contact is not None
    contact = message.contact
    if contact.user_id != who.user_id:
        return await go(update, ctx, who, draft, Step.PHONE, texts.not_own_contact(who.t))
    try:
        draft.phone = validation.phone(_with_plus(contact.phone_number))
    except validation.InvalidInput as problem:
        return await go(update, ctx, who, draft, Step.PHONE, who.t._(problem.reason))
    return await _leave_phone(update, ctx, who, draft, next_step(draft, Step.PHONE))


def _with_plus(number: str) -> str:
    """Telegram sends contact numbers in international form, sometimes without the +."""
    number = number.strip()
    return number if number.startswith("+") else "+" + number


async def _leave_phone(update: Update, ctx: Context, who: Citizen, draft: Draft,
                       step: Step) -> State:
    """Take the phone keyboard away (it is not an inline one), then show the next step."""
    chat = update.effective_chat
    assert chat is not None
    await strip_buttons(ctx, chat.id, draft.message_id)
    text = texts.saved_phone(who.t, draft.phone) if draft.phone else texts.esc(who.t._("OK."))
    await ctx.bot.send_message(chat.id, text, reply_markup=ReplyKeyboardRemove())
    draft.message_id = 0
    return await go(update, ctx, who, draft, step)


@on_button("yn")
async def third_party_answered(update: Update, ctx: Context, who: Citizen, draft: Draft,
                               button: Button) -> State:
    draft.third_party = button.arg == "y"
    if not draft.third_party:
        draft.third_email = ""
    return await go(update, ctx, who, draft, next_step(draft, Step.THIRD_PARTY))


@on_button("ok")
async def declaration_accepted(update: Update, ctx: Context, who: Citizen, draft: Draft,
                               button: Button) -> State:
    draft.consent_at = ctx.now().isoformat()
    return await go(update, ctx, who, draft, next_step(draft, Step.CONSENT))


# ---- summary and booking ------------------------------------------------------------


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
    request = booking.BookingRequest(
        user_id=who.user_id, service_id=service.id, channel=Channel(draft.channel),
        start=start, details=details_of(draft),
        consent_at=datetime.fromisoformat(draft.consent_at), locale=who.locale,
        timezone=who.zone.key,
    )
    meeting = new_meeting_url(services.settings) if request.channel is Channel.VIDEO else ""
    zone = services.settings.zone
    try:
        if draft.rebook:
            made = await booking.reschedule(services.db, services.catalog, zone, draft.rebook,
                                            request, ctx.now(), meeting)
        else:
            made = await booking.book(services.db, services.catalog, zone, request,
                                      ctx.now(), meeting)
    except booking.NotAllowed as refusal:
        drop_draft(ctx)
        await present(update, ctx, draft, texts.esc(texts.refusal(who.t, refusal.reason,
                                                                   service)),
                      keyboards.my_bookings(who.t))
        return ConversationHandler.END
    except booking.BookingError as refusal:
        # Everything else is still valid: a new time leads straight back to the summary.
        draft.start, draft.edit_from = "", Step.TIME.value
        notice = (texts.slot_taken if isinstance(refusal, booking.SlotTaken)
                  else texts.time_not_offered)(who.t)
        return await go(update, ctx, who, draft, Step.TIME, notice)
    drop_draft(ctx)
    await confirm(update, ctx, who, draft, service, made, rescheduled=bool(draft.rebook))
    return ConversationHandler.END


async def confirm(update: Update, ctx: Context, who: Citizen, draft: Draft,
                  service: ResolvedService, made: Booking, rescheduled: bool) -> None:
    """The confirmation in place of the summary, the invitation, and every earlier message
    about the booking brought up to date."""
    services = ctx.services
    render = texts.rescheduled if rescheduled else texts.confirmation
    await present(update, ctx, draft, render(who.t, service, made, who.zone),
                  keyboards.booking_actions(who.t, made))
    chat = update.effective_chat
    assert chat is not None
    await booking.remember_message(services.db, made, chat.id, draft.message_id,
                                   "confirmation")
    if rescheduled:
        await messenger.refresh(ctx.bot, services, made, skip=frozenset({draft.message_id}))
    kick_dispatch(ctx)
    await messenger.send_invitation(ctx.bot, services, who, made, service, chat.id)


# ---- back, cancel, and what does not belong -------------------------------------------


@on_button("back")
async def back_pressed(update: Update, ctx: Context, who: Citizen, draft: Draft,
                       button: Button) -> State:
    if button.arg not in {s.value for s in Step}:
        return None
    step = previous_step(draft, Step(button.arg))
    if draft.rebook and step in (Step.MUNICIPALITY, Step.GROUP, Step.SERVICE):
        return await _leave(update, ctx, who, draft)  # out of rescheduling: kept as is
    return await go(update, ctx, who, draft, step)


def _left(t_who: Citizen, draft: Draft) -> str:
    """What leaving the flow means: nothing booked, or the old booking kept as it was."""
    return texts.esc(texts.kept_booking(t_who.t)) if draft.rebook else texts.cancelled(t_who.t)


async def _leave(update: Update, ctx: Context, who: Citizen, draft: Draft) -> State:
    drop_draft(ctx)
    await present(update, ctx, draft, _left(who, draft), None)
    return ConversationHandler.END


@on_button("cancel")
async def cancel_pressed(update: Update, ctx: Context, who: Citizen, draft: Draft,
                         button: Button) -> State:
    return await _leave(update, ctx, who, draft)


async def cancel(update: Update, ctx: Context) -> State:
    """/cancel anywhere in the flow (and the typed Cancel of the phone step)."""
    who = await citizen(update, ctx)
    draft = load_draft(ctx)
    chat = update.effective_chat
    assert chat is not None
    await strip_buttons(ctx, chat.id, draft.message_id)
    drop_draft(ctx)
    await ctx.bot.send_message(chat.id, _left(who, draft), reply_markup=ReplyKeyboardRemove())
    return ConversationHandler.END


def hint(step: Step) -> MessageHandler[Context, State]:
    """Anything typed or sent where the step wants something else: a hint, then the step."""

    async def wrong(update: Update, ctx: Context) -> State:
        who = await citizen(update, ctx)
        draft = load_draft(ctx)
        wants_text = step in TEXT_STEPS
        notice = texts.type_text(who.t) if wants_text else texts.use_buttons(who.t)
        return await go(update, ctx, who, draft, step, notice)

    return MessageHandler(filters.ALL & ~filters.COMMAND, wrong)


async def stale(update: Update, ctx: Context) -> None:
    """A button of another step (or data that does not parse): say so, change nothing."""
    query = update.callback_query
    assert query is not None
    who = await citizen(update, ctx)
    await query.answer(texts.stale_button(who.t), show_alert=True)


def _states() -> dict[object, list[BaseHandler[Update, Context, object]]]:
    common: list[BaseHandler[Update, Context, object]] = [back_pressed, cancel_pressed,
                                                         inert_pressed]
    buttons: dict[Step, list[Any]] = {
        Step.MUNICIPALITY: [municipality_chosen],
        Step.GROUP: [group_chosen],
        Step.SERVICE: [service_chosen],
        Step.CHANNEL: [channel_chosen],
        Step.DAY: [month_chosen, day_chosen],
        Step.TIME: [time_chosen],
        Step.THIRD_PARTY: [third_party_answered],
        Step.CONSENT: [declaration_accepted],
        Step.SUMMARY: [edit_chosen, book_pressed],
    }
    states: dict[object, list[BaseHandler[Update, Context, object]]] = {}
    for step in Step:
        handlers: list[Any] = [*buttons.get(step, []), *common]
        if step is Step.PHONE:
            handlers.append(MessageHandler(filters.CONTACT, contact_shared))
        if step in TEXT_STEPS:
            handlers += [kept, text_handler(step)]
        handlers.append(hint(step))
        states[step.value] = handlers
    return states


def conversation() -> ConversationHandler[Context]:
    # The flow is per chat and user with button states, so PTB warns that callback queries
    # are not tracked per message. Each step has its own button prefix and the flow checks
    # the message id, so that is expected (see ARCHITECTURE.md): silence just that warning.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*'per_message=False'",
                                category=PTBUserWarning)
        return _conversation()


def _conversation() -> ConversationHandler[Context]:
    return ConversationHandler(
        entry_points=[
            CommandHandler("start", start, filters=PRIVATE),
            new_booking,
            reschedule_pressed,
        ],
        states=_states(),
        fallbacks=[
            CommandHandler("cancel", cancel, filters=PRIVATE),
            CallbackQueryHandler(stale),
        ],
        name=NAME,
        persistent=True,
        allow_reentry=True,
        per_message=False,
    )

"""The booking flow's second half: the citizen's details and the declaration."""

from __future__ import annotations

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.domain import validation
from bot.domain.draft import OPTIONAL_STEPS, TEXT_STEPS, Draft, Step, next_step, previous_step
from bot.ptb.context import Context
from bot.ptb.handlers import (
    State,
    UnexpectedUpdate,
    citizen,
    load_draft,
    message_of,
    on_button,
    say,
    strip_buttons,
    text_of,
)
from bot.render import flow, html, keyboards
from bot.render.callbacks import Button
from bot.render.i18n import Citizen
from conversations.screens import cancel, go


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
        text = text_of(update)
        if step is Step.PHONE:
            if text == who.t._(keyboards.BACK):
                return await _leave_phone(update, ctx, who, draft, previous_step(draft, step))
            if text == who.t._(keyboards.CANCEL):
                return await cancel(update, ctx)
        try:
            value = check(text)
        except validation.InvalidInput as problem:
            notice = who.t._(problem.reason)
            return await go(update, ctx, who, draft, step, notice)
        draft.set_value(step, value)
        if step is Step.PHONE:
            return await _leave_phone(update, ctx, who, draft, next_step(draft, step))
        return await go(update, ctx, who, draft, next_step(draft, step))

    return MessageHandler(filters.TEXT & ~filters.COMMAND, typed)


async def contact_shared(update: Update, ctx: Context) -> State:
    """Telegram's contact sharing: only the sender's own number is taken."""
    who = await citizen(update, ctx)
    draft = load_draft(ctx)
    contact = message_of(update).contact
    if contact is None:
        raise UnexpectedUpdate("a contact handler got a message without a contact")
    if contact.user_id != who.user_id:
        return await go(update, ctx, who, draft, Step.PHONE, flow.not_own_contact(who.t))
    try:
        draft.phone = validation.phone(_with_plus(contact.phone_number))
    except validation.InvalidInput as problem:
        notice = who.t._(problem.reason)
        return await go(update, ctx, who, draft, Step.PHONE, notice)
    return await _leave_phone(update, ctx, who, draft, next_step(draft, Step.PHONE))


def _with_plus(number: str) -> str:
    """Telegram sends contact numbers in international form, sometimes without the +."""
    number = number.strip()
    return number if number.startswith("+") else "+" + number


async def _leave_phone(update: Update, ctx: Context, who: Citizen, draft: Draft,
                       step: Step) -> State:
    """Take the phone keyboard away (it is not an inline one), then show the next step."""
    strip_buttons(ctx, ctx.turn.message_id)
    text = flow.saved_phone(who.t, draft.phone) if draft.phone else html.esc(who.t._("OK."))
    say(ctx, text, keyboards.remove())
    ctx.turn.message_id = 0
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

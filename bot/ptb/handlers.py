"""What every handler shares: who is talking, where, the draft, showing a step, answering a
button, refusing politely."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import (
    CallbackQuery,
    Chat,
    Message,
    Update,
    User,
)
from telegram.ext import CallbackQueryHandler, filters

from bot.domain import validation
from bot.domain.draft import Draft
from bot.domain.rules import NotAllowed
from bot.ptb.context import Context
from bot.ptb.replies import Markup, Sent
from bot.ptb.turn import Turn, carry
from bot.render import callbacks, common, html, notices, phrases
from bot.render.callbacks import Button
from bot.render.i18n import Citizen, Translator

log = logging.getLogger(__name__)


class UnexpectedUpdate(Exception):
    """A handler got an update of a kind it was not registered for (a wiring bug)."""


def chat_of(update: Update) -> Chat:
    if update.effective_chat is None:
        raise UnexpectedUpdate(f"update {update.update_id} has no chat")
    return update.effective_chat


def chat_id(update: Update) -> int:
    return chat_of(update).id


def query_of(update: Update) -> CallbackQuery:
    if update.callback_query is None:
        raise UnexpectedUpdate(f"update {update.update_id} is not a button press")
    return update.callback_query


def message_of(update: Update) -> Message:
    if update.effective_message is None:
        raise UnexpectedUpdate(f"update {update.update_id} has no message")
    return update.effective_message


def text_of(update: Update) -> str:
    text = message_of(update).text
    if text is None:
        raise UnexpectedUpdate(f"update {update.update_id} has no text")
    return text


def user_of(update: Update) -> User:
    if update.effective_user is None:
        raise UnexpectedUpdate(f"update {update.update_id} has no user")
    return update.effective_user


async def citizen(update: Update, ctx: Context) -> Citizen:
    user = user_of(update)
    return await ctx.citizen(user.id, user.language_code)


def load_draft(ctx: Context) -> Draft:
    return ctx.turn.draft


def keep_draft(ctx: Context, draft: Draft) -> None:
    ctx.turn.draft = draft


def drop_draft(ctx: Context) -> None:
    ctx.turn.draft = Draft()


def strip_buttons(ctx: Context, message_id: int) -> None:
    """Remove the keyboard of an earlier message so its buttons cannot be pressed again."""
    ctx.reply.strip(message_id)


def present(update: Update, ctx: Context, text: str, markup: Markup,
            sent: Sent | None = None) -> None:
    """Show a step of the flow: in the flow's own message when one of its buttons was
    pressed, otherwise in a new message (and the old one loses its buttons). The screen
    gets a new revision, which its buttons carry."""
    turn = ctx.turn
    query = update.callback_query
    pressed = pressed_message(update)
    button = callbacks.parse(query.data) if query else None
    ours = bool(pressed) and (pressed == turn.message_id
                              or (button is not None and button.revision == turn.revision))
    turn.revision = (turn.revision + 1) % callbacks.REVISIONS
    stamped = markup if _stamped(markup, turn.revision) else stamp(markup, turn.revision)
    callbacks.NEXT_SCREEN.set((turn.revision + 1) % callbacks.REVISIONS)
    if ours and (markup is None or "inline_keyboard" in markup):
        ctx.reply.edit(pressed, text, stamped, sent=sent)
        turn.message_id = pressed
        return
    ctx.reply.strip(turn.message_id)
    ctx.reply.send(text, stamped, sent=_learn(turn, sent))
    turn.message_id = 0


def _learn(turn: Turn, also: Sent | None) -> Sent:
    """Once sent, the flow's new message is the one its next turn edits (or strips)."""
    revision = turn.revision

    def learned(chat_id: int, message_id: int) -> None:
        carry(chat_id, revision, message_id)
        if also is not None:
            also(chat_id, message_id)

    return learned


def _stamped(markup: Markup, revision: int) -> bool:
    """Whether the flow's buttons were built carrying the screen's revision already."""
    for row in (markup or {}).get("inline_keyboard", []):
        for key in row:
            button = callbacks.parse(key.get("callback_data"))
            if button is not None and button.step in callbacks.FLOW_STEPS:
                return button.revision == revision
    return True


def stamp(markup: Markup, revision: int) -> Markup:
    """The flow's buttons, carrying the revision of the screen they are shown on."""
    if markup is None or "inline_keyboard" not in markup:
        return markup
    rows = []
    for row in markup["inline_keyboard"]:
        stamped = []
        for key in row:
            button = callbacks.parse(key.get("callback_data"))
            if button is not None and button.step in callbacks.FLOW_STEPS:
                key = {**key, "callback_data": callbacks.encode(button.step, button.arg,
                                                                revision)}
            stamped.append(key)
        rows.append(stamped)
    return {**markup, "inline_keyboard": rows}


def pressed_message(update: Update) -> int:
    """The message whose button was pressed, to show the outcome in (0 for anything else).
    Only if the button is one that message really shows: forged data (a modified client
    can send any) never rewrites a message about something else."""
    query = update.callback_query
    message = query.message if query else None
    if query is None or not isinstance(message, Message) or message.reply_markup is None:
        return 0
    keys = (key for row in message.reply_markup.inline_keyboard for key in row)
    return message.message_id if any(key.callback_data == query.data for key in keys) else 0


async def pressed_button(update: Update, ctx: Context) -> tuple[Citizen, Button | None]:
    """Who pressed, and the button's data (None if it does not parse: forged or old)."""
    return await citizen(update, ctx), callbacks.parse(query_of(update).data)


def answer(ctx: Context, text: str | None = None, alert: bool = False) -> None:
    ctx.reply.answer(text, alert)


def say(ctx: Context, text: str, markup: Markup = None) -> None:
    ctx.reply.send(text, markup)


State = str | int | None
"""A conversation state: a step's name, ConversationHandler.END, or None to stay."""
ButtonCallback = Callable[[Update, Context, Citizen, Draft, Button], Awaitable[State]]


def on_button(*steps: str, fresh_only: bool = True,
              answers: bool = False) -> Callable[[ButtonCallback], Any]:
    """A CallbackQueryHandler for buttons of these steps.

    The data is parsed and validated; a button of any screen but the flow's current one
    is answered as stale and changes nothing. The callback returns the next conversation
    state (None keeps the current one) and changes the turn's draft as it goes on.
    The query is answered first, unless the callback `answers` it itself (to show an alert).
    """

    def wrap(callback: ButtonCallback) -> CallbackQueryHandler[Context, State]:
        async def handle(update: Update, ctx: Context) -> State:
            query = query_of(update)
            who = await citizen(update, ctx)
            button = callbacks.parse(query.data)
            if button is None or (fresh_only and button.revision != ctx.turn.revision):
                answer(ctx, common.stale_button(who.t), alert=True)
                return None
            if not answers:
                answer(ctx)
            return await callback(update, ctx, who, load_draft(ctx), button)

        return CallbackQueryHandler(handle, pattern=callbacks.pattern(*steps))

    return wrap


class ReplyToPrompt(filters.MessageFilter):
    """A text that answers one of the bot's prompts: they alone start with their mark (✍️
    for a reason, 💬 for a comment) and name a booking."""

    def __init__(self, mark: str) -> None:
        super().__init__()
        self.mark = mark

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return bool(
            replied is not None and replied.from_user is not None and replied.from_user.is_bot
            and replied.text and replied.text.startswith(self.mark)
            and callbacks.find_reference(replied.text)
        )


async def prompt_reply(update: Update, ctx: Context, t: Translator) -> tuple[str, str] | None:
    """The booking a reply to one of our prompts names, and the reply's text, checked; None
    after telling the sender what is wrong with the text."""
    message = message_of(update)
    replied = message.reply_to_message
    reference = callbacks.find_reference(replied.text or "") if replied else None
    if reference is None:
        raise UnexpectedUpdate("a reply that ReplyToPrompt should not have let through")
    try:
        return reference, validation.free_text(text_of(update))
    except validation.InvalidInput as problem:
        say(ctx, html.esc(t._(problem.reason)))
        return None


def kick_dispatch(ctx: Context) -> None:
    """Have the outbox sent as soon as the update's transaction has committed."""
    ctx.turn.wake_outbox = True


def refuse(update: Update, ctx: Context, who: Citizen, refusal: NotAllowed) -> None:
    """Say why an action on a booking is refused, and what the citizen can do instead."""
    text = phrases.refusal(who.t, refusal.reason, refusal.service)
    answer(ctx, text[:200], alert=True)
    say(ctx, html.esc(text))


async def stale(update: Update, ctx: Context) -> None:
    """A button nobody is waiting for (an old message, or forged data): say so, change
    nothing."""
    who = await citizen(update, ctx)
    answer(ctx, common.stale_button(who.t), alert=True)


def staff_t(ctx: Context, chat: int) -> Translator:
    """The language of a department's staff chat."""
    found = ctx.services.catalog.group_of_chat(chat)
    return notices.staff_translator(found[1] if found else None)

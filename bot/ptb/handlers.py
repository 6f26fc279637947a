"""What every handler shares: who is talking, where, the draft, showing a step, answering a
button, refusing politely."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
    User,
)
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackQueryHandler, filters

from bot.delivery.jobs import dispatch_job
from bot.domain import validation
from bot.domain.draft import Draft
from bot.domain.rules import NotAllowed
from bot.ptb.context import Context
from bot.render import callbacks, common, html, notices, phrases
from bot.render.callbacks import Button
from bot.render.i18n import Citizen, Translator

log = logging.getLogger(__name__)
DRAFT = "draft"
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


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
    return Draft.from_dict((ctx.user_data or {}).get(DRAFT))


def keep_draft(ctx: Context, draft: Draft) -> None:
    if ctx.user_data is not None:
        draft.touched = ctx.now().isoformat()
        ctx.user_data[DRAFT] = draft.to_dict()


def drop_draft(ctx: Context) -> None:
    if ctx.user_data is not None:
        ctx.user_data.pop(DRAFT, None)


def harmless(error: TelegramError) -> bool:
    """Telegram errors that only mean the screen is already as we want it."""
    text = str(error).lower()
    return "message is not modified" in text or "query is too old" in text


async def strip_buttons(ctx: Context, chat_id: int, message_id: int) -> None:
    """Remove the keyboard of an earlier message so its buttons cannot be pressed again."""
    if not message_id:
        return
    with suppress(TelegramError):  # deleted, too old or already bare: nothing to strip
        await ctx.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)


async def present(
    update: Update, ctx: Context, draft: Draft, text: str, markup: Markup
) -> Message | None:
    """Show a step: edit the flow's message when one of its buttons was pressed, otherwise
    send a new message (and take the buttons off the old one)."""
    query = update.callback_query
    chat = chat_of(update)
    inline = markup is None or isinstance(markup, InlineKeyboardMarkup)
    if inline and query and query.message and query.message.message_id == draft.message_id:
        try:
            await query.edit_message_text(text, reply_markup=markup)  # type: ignore[arg-type]
        except BadRequest as error:
            if not harmless(error):
                raise
        return None
    await strip_buttons(ctx, chat.id, draft.message_id)
    message = await ctx.bot.send_message(chat.id, text, reply_markup=markup)
    draft.message_id = message.message_id
    return message


async def answer(query: CallbackQuery, text: str | None = None, alert: bool = False) -> None:
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as error:
        if not harmless(error):
            raise


State = str | int | None
"""A conversation state: a step's name, ConversationHandler.END, or None to stay."""
ButtonCallback = Callable[[Update, Context, Citizen, Draft, Button], Awaitable[State]]


def on_button(*steps: str, fresh_only: bool = True,
              answers: bool = False) -> Callable[[ButtonCallback], Any]:
    """A CallbackQueryHandler for buttons of these steps.

    The data is parsed and validated; a button from any message other than the flow's
    current one is answered as stale and changes nothing. The callback returns the next
    conversation state (None keeps the current one) and saves the draft it goes on with.
    The query is answered first, unless the callback `answers` it itself (to show an alert).
    """

    def wrap(callback: ButtonCallback) -> CallbackQueryHandler[Context, State]:
        async def handle(update: Update, ctx: Context) -> State:
            query = query_of(update)
            who = await citizen(update, ctx)
            button = callbacks.parse(query.data)
            draft = load_draft(ctx)
            current = query.message.message_id if query.message else None
            if button is None or (fresh_only and current != draft.message_id):
                await answer(query, common.stale_button(who.t), alert=True)
                return None
            if not answers:
                await answer(query)
            return await callback(update, ctx, who, draft, button)

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
        await message.reply_text(html.esc(t._(problem.reason)))
        return None


def kick_dispatch(ctx: Context) -> None:
    """Have the outbox sent now rather than at the job's next turn (when the job runs)."""
    if ctx.job_queue is not None and ctx.job_queue.scheduler.running:
        ctx.job_queue.run_once(dispatch_job, 0, name="dispatch-now")


async def refuse(update: Update, ctx: Context, who: Citizen, refusal: NotAllowed) -> None:
    """Say why an action on a booking is refused, and what the citizen can do instead."""
    text = phrases.refusal(who.t, refusal.reason, refusal.service)
    if update.callback_query:
        await answer(update.callback_query, text[:200], alert=True)
    await ctx.bot.send_message(chat_id(update), html.esc(text))


async def stale(update: Update, ctx: Context) -> None:
    """A button nobody is waiting for (an old message, or forged data): say so, change
    nothing."""
    who = await citizen(update, ctx)
    await answer(query_of(update), common.stale_button(who.t), alert=True)


def staff_t(ctx: Context, chat: int) -> Translator:
    """The language of a department's staff chat."""
    found = ctx.services.catalog.group_of_chat(chat)
    return notices.staff_translator(found[1] if found else None)

"""Commands that work anywhere: /help, /language, /timezone; errors; stray input."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo, available_timezones

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.ptb.context import Context
from bot.ptb.handlers import answer, chat_id, citizen, query_of, stale, user_of
from bot.render import callbacks, common, keyboards
from bot.services import preferences

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE
_ZONES = {name.lower(): name for name in available_timezones()}


async def help_command(update: Update, ctx: Context) -> None:
    who = await citizen(update, ctx)
    await ctx.bot.send_message(chat_id(update), common.help_text(who.t))


async def language_command(update: Update, ctx: Context) -> None:
    who = await citizen(update, ctx)
    await ctx.bot.send_message(chat_id(update), common.choose_language(who.t),
                               reply_markup=keyboards.languages())


async def language_chosen(update: Update, ctx: Context) -> None:
    query = query_of(update)
    button = callbacks.parse(query.data)
    if button is None:
        return await stale(update, ctx)
    await _save_prefs(update, ctx, locale=button.arg)
    who = await citizen(update, ctx)
    await answer(query)
    await query.edit_message_text(common.language_set(who.t))


async def timezone_command(update: Update, ctx: Context) -> None:
    """/timezone shows the zone and common choices; /timezone Area/City sets it."""
    who = await citizen(update, ctx)
    if ctx.args:
        name = _ZONES.get(" ".join(ctx.args).strip().lower())
        if name is None:
            await ctx.bot.send_message(chat_id(update), common.unknown_timezone(who.t, ctx.args[0]))
            return
        await _save_prefs(update, ctx, timezone=name)
        await ctx.bot.send_message(chat_id(update), common.timezone_set(who.t, ZoneInfo(name),
                                                                        ctx.now()))
        return
    await ctx.bot.send_message(chat_id(update), common.timezone_menu(who.t, who.zone, ctx.now()),
                               reply_markup=keyboards.timezones(who.t, ctx.now()))


async def timezone_chosen(update: Update, ctx: Context) -> None:
    query = query_of(update)
    button = callbacks.parse(query.data)
    name = _ZONES.get(button.arg.lower()) if button else None
    if name is None:
        return await stale(update, ctx)
    await _save_prefs(update, ctx, timezone=name)
    who = await citizen(update, ctx)
    await answer(query)
    await query.edit_message_text(common.timezone_set(who.t, ZoneInfo(name), ctx.now()))


async def _save_prefs(update: Update, ctx: Context, *, locale: str | None = None,
                      timezone: str | None = None) -> None:
    await preferences.save(ctx.services, user_of(update).id, locale=locale, timezone=timezone)
    ctx.forget_citizen()


async def stray(update: Update, ctx: Context) -> None:
    """A message outside any conversation: say what the bot does."""
    who = await citizen(update, ctx)
    await ctx.bot.send_message(chat_id(update), common.help_text(who.t),
                               reply_markup=keyboards.book_button(who.t))


async def flush_persistence(update: object, ctx: Context) -> None:
    """Write conversation states and drafts after every update, not once a minute. (PTB
    marks the user's data for saving only after all handler groups: mark it here.)"""
    if isinstance(update, Update) and update.effective_user:
        ctx.application.mark_data_for_update_persistence(user_ids=[update.effective_user.id])
    await ctx.application.update_persistence()


async def on_error(update: object, ctx: Context) -> None:
    log.error("update failed", exc_info=ctx.error)
    if not isinstance(update, Update) or update.effective_user is None:
        return
    chat = update.effective_chat
    if chat is None or chat.type != chat.PRIVATE:
        return
    try:
        who = await citizen(update, ctx)
        await ctx.bot.send_message(chat.id, common.error(who.t))
    except (TelegramError, RuntimeError):
        log.exception("could not tell the citizen about the error")



def before_flows() -> list[BaseHandler[Update, Context, None]]:
    """Handlers that take precedence over any conversation step."""
    return [
        CommandHandler("help", help_command, filters=PRIVATE),
        CommandHandler("language", language_command, filters=PRIVATE),
        CommandHandler("timezone", timezone_command, filters=PRIVATE),
        CallbackQueryHandler(language_chosen, pattern=callbacks.pattern("lang")),
        CallbackQueryHandler(timezone_chosen, pattern=callbacks.pattern("tz")),
    ]


def after_flows() -> list[BaseHandler[Update, Context, None]]:
    """Handlers for what no conversation took."""
    return [
        CallbackQueryHandler(stale),
        MessageHandler(PRIVATE & ~filters.COMMAND, stray),
        CommandHandler("cancel", stray, filters=PRIVATE),
    ]


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(TypeHandler(Update, flush_persistence), group=99)
    application.add_error_handler(on_error)

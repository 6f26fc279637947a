"""Commands that work anywhere: /help, /language, /timezone; errors; stray input."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo, available_timezones

from telegram import Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.domain.privacy import failure
from bot.ptb.context import Context
from bot.ptb.handlers import answer, citizen, pressed_message, query_of, say, stale, user_of
from bot.ptb.replies import Replies
from bot.ptb.turn import CURRENT
from bot.render import callbacks, common, keyboards
from bot.render.i18n import Translator
from bot.services import preferences

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE
_ZONES = {name.lower(): name for name in available_timezones()}


async def help_command(update: Update, ctx: Context) -> None:
    who = await citizen(update, ctx)
    say(ctx, common.help_text(who.t))


async def language_command(update: Update, ctx: Context) -> None:
    who = await citizen(update, ctx)
    say(ctx, common.choose_language(who.t), keyboards.languages())


async def language_chosen(update: Update, ctx: Context) -> None:
    button = callbacks.parse(query_of(update).data)
    if button is None:
        return await stale(update, ctx)
    await _save_prefs(update, ctx, locale=button.arg)
    who = await citizen(update, ctx)
    answer(ctx)
    _show(update, ctx, common.language_set(who.t))


async def timezone_command(update: Update, ctx: Context) -> None:
    """/timezone shows the zone and common choices; /timezone Area/City sets it."""
    who = await citizen(update, ctx)
    if ctx.args:
        name = _ZONES.get(" ".join(ctx.args).strip().lower())
        if name is None:
            say(ctx, common.unknown_timezone(who.t, ctx.args[0]))
            return
        await _save_prefs(update, ctx, timezone=name)
        say(ctx, common.timezone_set(who.t, ZoneInfo(name), ctx.now()))
        return
    say(ctx, common.timezone_menu(who.t, who.zone, ctx.now()),
        keyboards.timezones(who.t, ctx.now()))


async def timezone_chosen(update: Update, ctx: Context) -> None:
    button = callbacks.parse(query_of(update).data)
    name = _ZONES.get(button.arg.lower()) if button else None
    if name is None:
        return await stale(update, ctx)
    await _save_prefs(update, ctx, timezone=name)
    who = await citizen(update, ctx)
    answer(ctx)
    _show(update, ctx, common.timezone_set(who.t, ZoneInfo(name), ctx.now()))


def _show(update: Update, ctx: Context, text: str) -> None:
    """In the message whose button was pressed (a second press changes nothing)."""
    if pressed := pressed_message(update):
        ctx.reply.edit(pressed, text)
    else:
        say(ctx, text)


async def _save_prefs(update: Update, ctx: Context, *, locale: str | None = None,
                      timezone: str | None = None) -> None:
    await preferences.save(await ctx.writer(), user_of(update).id, ctx.now(), locale=locale,
                           timezone=timezone)
    ctx.forget_citizen()


async def stray(update: Update, ctx: Context) -> None:
    """A message outside any conversation: say what the bot does."""
    who = await citizen(update, ctx)
    say(ctx, common.help_text(who.t), keyboards.book_button(who.t))


async def on_error(update: object, ctx: Context) -> None:
    """A handler failed: nothing it changed is kept, and the citizen hears that something
    went wrong (true: the transaction is rolled back, so no booking exists because of it)."""
    if ctx.error is not None:
        log.error("update failed: %s", failure(ctx.error))
    turn = CURRENT.get()
    if turn is None:
        return
    turn.fail()
    tell_failure(update, turn.replies, ctx.services.settings.DEFAULT_LOCALE)


def tell_failure(update: object, replies: Replies, default_locale: str) -> None:
    """Say, in a private chat, that something went wrong and to try again (the press is
    answered in any chat)."""
    replies.answer()
    if not isinstance(update, Update) or update.effective_user is None:
        return
    chat = update.effective_chat
    if chat is None or chat.type != chat.PRIVATE:
        return
    locale = preferences.pick_locale(update.effective_user.language_code, default_locale)
    replies.send(common.error(Translator(locale)))


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
    application.add_error_handler(on_error)

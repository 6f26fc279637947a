"""The citizen's rights: /mydata (everything held about them, as files), /forgetme
(erase it all, after a confirmation)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.ptb.context import Context
from bot.ptb.handlers import (
    answer,
    chat_of,
    citizen,
    kick_dispatch,
    pressed_button,
    pressed_message,
    say,
)
from bot.render import callbacks, keyboards, privacy
from bot.services.privacy import forget, held, upcoming_count

PRIVATE = filters.ChatType.PRIVATE


async def my_data(update: Update, ctx: Context) -> None:
    """A readable text in the citizen's language and the same as JSON."""
    who = await citizen(update, ctx)
    found = await held(ctx.conn, who.user_id, ctx.now())
    text = privacy.data_text(who.t, ctx.services.catalog, found, who.zone)
    ctx.reply.document(text, "rantevou-my-data.txt", privacy.data_caption(who.t))
    ctx.reply.document(privacy.data_json(found), "rantevou-my-data.json")


async def forget_me(update: Update, ctx: Context) -> None:
    """Say what erasing everything means, and ask."""
    who = await citizen(update, ctx)
    upcoming = await upcoming_count(ctx.conn, who.user_id, ctx.now())
    say(ctx, privacy.forget_question(who.t, upcoming), keyboards.forget_question(who.t))


async def forget_answered(update: Update, ctx: Context) -> None:
    who, button = await pressed_button(update, ctx)
    answer(ctx)
    if button is None or chat_of(update).type != chat_of(update).PRIVATE:
        return
    if button.step == "fy":
        await forget(await ctx.writer(), ctx.services.catalog, ctx.services.settings.zone,
                     who.user_id, ctx.now())
        ctx.turn.forget()
        kick_dispatch(ctx)  # staff told of cancellations; messages redacted
        text = privacy.forgotten(who.t)
    else:
        text = privacy.not_forgotten(who.t)
    if pressed := pressed_message(update):
        ctx.reply.edit(pressed, text)
    else:
        say(ctx, text)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [
        CommandHandler("mydata", my_data, filters=PRIVATE),
        CommandHandler("forgetme", forget_me, filters=PRIVATE),
        CallbackQueryHandler(forget_answered, pattern=callbacks.pattern("fy", "fn")),
    ]

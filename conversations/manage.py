"""The citizen's own bookings: /mybookings."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import booking, callbacks, keyboards, texts
from bot.context import Context
from conversations.flow import answer, citizen


async def my_bookings(update: Update, ctx: Context) -> None:
    who = await citizen(update, ctx)
    if update.callback_query:
        await answer(update.callback_query)
    found = await booking.upcoming_bookings(ctx.services.db, who.user_id, ctx.now())
    catalog = ctx.services.catalog
    items = [(b, catalog.service(b.service_id)) for b in found]
    chat = update.effective_chat
    assert chat is not None
    await ctx.bot.send_message(chat.id, texts.my_bookings(who.t, items, who.zone),
                               reply_markup=keyboards.book_button(who.t))


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [
        CommandHandler("mybookings", my_bookings, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(my_bookings, pattern=callbacks.pattern("my")),
    ]

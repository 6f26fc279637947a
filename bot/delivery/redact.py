"""After an erasure: each Telegram message that showed the booking is edited to a line
with its reference (staff keep what became of the slot), and the database's files are
rid of the old values."""

from __future__ import annotations

from datetime import datetime

from telegram import Bot
from telegram.error import BadRequest, Forbidden

from bot.domain.model import Booking
from bot.ptb.replies import call, message
from bot.render import notices, privacy
from bot.render.i18n import Translator
from bot.services.runtime import Services
from storage import messages
from storage.outbox import Item


async def send_redaction(bot: Bot, services: Services, item: Item, booking: Booking,
                         now: datetime) -> str | None:
    message_id = int(item.payload.get("message_id", 0))
    if item.chat_id is None or not message_id:
        return "no message to edit"
    why = str(item.payload.get("why", ""))
    if item.payload.get("staff"):
        service = services.catalog.service(booking.service_id)
        t = notices.staff_translator(service.group if service else None)
        text = privacy.erased_notice(t, service, booking, services.settings.zone, why)
    else:
        text = privacy.erased_line(Translator(booking.locale), booking.reference)
    dropped = None
    try:
        await call(bot, "editMessageText", message(item.chat_id, text)
                   | {"message_id": message_id})
    except BadRequest as error:  # deleted, too old, already edited: nothing more to do
        if "not modified" not in str(error).lower():
            dropped = "the message cannot be edited"
    except Forbidden:
        dropped = "the chat is closed to the bot"
    async with services.db.write() as conn:
        await messages.forget_message(conn, booking.id, item.chat_id, message_id)
    return dropped


async def run_wipe(bot: Bot, services: Services, item: Item, now: datetime) -> str | None:
    await services.db.checkpoint()
    return None

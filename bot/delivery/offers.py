"""What the outbox does for the waitlist: sends an offer of a freed seat, ends it when its
hold runs out (the next in line is then offered it, in that same transaction), shows how
an offer ended in its message, and tells a citizen skipped at their limit of bookings why.
A citizen who blocked the bot is not tried again: marked unreachable, their offer is
withdrawn and its seat offered to the next in line at once."""

from __future__ import annotations

from datetime import datetime

from telegram import Bot
from telegram.error import BadRequest, Forbidden

from bot.delivery import messenger
from bot.domain.model import Offer
from bot.ptb.replies import call, message
from bot.render import cards, waiting
from bot.render.i18n import Citizen
from bot.render.keyboards import Keyboard
from bot.services import waitlist
from bot.services.runtime import Services
from storage import bookings, messages
from storage.outbox import Item


async def send_offer(bot: Bot, services: Services, item: Item, now: datetime) -> str | None:
    async with services.db.read() as conn:
        offer = await waitlist.offer_of(conn, int(item.payload.get("offer", 0)))
        is_open = offer is not None and await waitlist.is_open(conn, offer.id, now)
        details = await waitlist.last_details(conn, offer.user_id) if offer else None
    service = services.catalog.service(offer.service_id) if offer else None
    if offer is None or service is None or not is_open:
        return "the offer has ended"
    who = await messenger.reader(services, offer.user_id)
    text, markup = waiting.offer(who.t, service, offer, who.zone, details)
    try:
        sent = await call(bot, "sendMessage", message(offer.user_id, text, markup))
    except Forbidden:  # no retry makes it arrive: the seat goes on at once
        return await _unreachable(services, offer.user_id, now, offer.id)
    await messenger.shows_offer(services, offer.id, int(sent["message_id"]))
    return None


async def _unreachable(services: Services, user_id: int, now: datetime,
                       offer_id: int | None = None) -> str:
    async with services.db.write() as conn:
        await waitlist.unreachable(conn, services.catalog, services.settings.zone, user_id,
                                   now, offer_id)
    return "the citizen blocked the bot"


async def run_offer_expiry(bot: Bot, services: Services, item: Item,
                           now: datetime) -> str | None:
    async with services.db.write() as conn:
        ended = await waitlist.expire(conn, services.catalog, services.settings.zone,
                                      int(item.payload.get("offer", 0)), now)
    return None if ended else "the offer had ended already"


async def send_offer_ended(bot: Bot, services: Services, item: Item,
                           now: datetime) -> str | None:
    """The offer's message shows how it ended, without its buttons; one taken shows the
    booking it became, as a confirmation does (and is kept up to date with it)."""
    async with services.db.read() as conn:
        offer = await waitlist.offer_of(conn, int(item.payload.get("offer", 0)))
    # Read now: an offer that ended while its message was on its way has the id by now
    # (a chat's items go one after another). An erased citizen's offer is gone: the id it
    # had when it ended is in the item.
    message_id = (offer.message_id if offer else None) or item.payload.get("message_id")
    if item.chat_id is None or not isinstance(message_id, int):
        return "the offer was never shown"
    who = await messenger.reader(services, item.chat_id)
    if offer is not None and offer.booking_id is not None:
        return await _show_taken(bot, services, who, offer, message_id)
    service = services.catalog.service(offer.service_id) if offer else None
    text = waiting.offer_ended(who.t, service, offer, who.zone, str(item.payload.get("why")))
    return await _edit(bot, item.chat_id, message_id, text, None)


async def _show_taken(bot: Bot, services: Services, who: Citizen, offer: Offer,
                      message_id: int) -> str | None:
    async with services.db.read() as conn:
        made = await bookings.get_booking(conn, offer.booking_id or 0)
        shown = await messages.messages_of(conn, made.id) if made else []
    if made is None:
        return "the booking is gone"
    if any(shown_id == message_id for _, shown_id, _ in shown):
        return None  # taken from this very message: its confirmation shows it there
    text, markup = cards.outcome(who.t, services.catalog.service(made.service_id), made,
                                 who.zone)
    dropped = await _edit(bot, made.user_id, message_id, text, markup)
    if dropped is None:
        await messenger.shows(services, made.id, made.user_id, message_id, "confirmation")
    return dropped


async def _edit(bot: Bot, chat_id: int, message_id: int, text: str,
                markup: Keyboard | None) -> str | None:
    try:
        await call(bot, "editMessageText", message(chat_id, text, markup)
                   | {"message_id": message_id})
    except BadRequest as error:  # deleted, too old: nothing more to do
        if "not modified" not in str(error).lower():
            return "the message cannot be edited"
    except Forbidden:
        return "the chat is closed to the bot"
    return None


async def send_at_limit(bot: Bot, services: Services, item: Item, now: datetime) -> str | None:
    async with services.db.read() as conn:
        place = await waitlist.waiting_place(conn, int(item.payload.get("entry", 0)))
    service = services.catalog.service(place["service_id"]) if place else None
    if place is None or service is None:
        return "the citizen waits no more"
    who = await messenger.reader(services, place["user_id"])
    text = waiting.skipped_at_limit(who.t, service, str(item.payload.get("reason", "")))
    try:
        await call(bot, "sendMessage", message(place["user_id"], text))
    except Forbidden:
        return await _unreachable(services, place["user_id"], now)
    return None

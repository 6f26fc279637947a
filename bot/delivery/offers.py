"""What the outbox does for the waitlist: sends an offer of a freed seat, and ends it when
its hold runs out (the next in line is then offered it, in that same transaction); tells a
citizen skipped at their limit of bookings why."""

from __future__ import annotations

from datetime import datetime

from telegram import Bot

from bot.delivery import messenger
from bot.ptb.replies import call, message
from bot.render import keyboards, waiting
from bot.services import waitlist
from bot.services.runtime import Services
from storage.outbox import Item


async def send_offer(bot: Bot, services: Services, item: Item, now: datetime) -> str | None:
    async with services.db.read() as conn:
        offer = await waitlist.offer_of(conn, int(item.payload.get("offer", 0)))
        is_open = offer is not None and await waitlist.is_open(conn, offer.id, now)
    service = services.catalog.service(offer.service_id) if offer else None
    if offer is None or service is None or not is_open:
        return "the offer has ended"
    who = await messenger.reader(services, offer.user_id)
    text = waiting.offer(who.t, service, offer.channel, offer.start, offer.end,
                       offer.expires_at, who.zone)
    await call(bot, "sendMessage", message(offer.user_id, text,
                                           keyboards.offer(who.t, offer.id)))
    return None


async def run_offer_expiry(bot: Bot, services: Services, item: Item,
                           now: datetime) -> str | None:
    async with services.db.write() as conn:
        ended = await waitlist.expire(conn, services.catalog, services.settings.zone,
                                      int(item.payload.get("offer", 0)), now)
    return None if ended else "the offer had ended already"


async def send_at_limit(bot: Bot, services: Services, item: Item, now: datetime) -> str | None:
    async with services.db.read() as conn:
        place = await waitlist.waiting_place(conn, int(item.payload.get("entry", 0)))
    service = services.catalog.service(place["service_id"]) if place else None
    if place is None or service is None:
        return "the citizen waits no more"
    who = await messenger.reader(services, place["user_id"])
    text = waiting.skipped_at_limit(who.t, service, str(item.payload.get("reason", "")))
    await call(bot, "sendMessage", message(place["user_id"], text))
    return None

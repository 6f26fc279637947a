"""Email from the outbox: the confirmation, a change or a cancellation with its invitation,
to the citizen or to the third participant of a video call."""

from __future__ import annotations

from datetime import datetime

from telegram import Bot

from bot.delivery import mail, messenger
from bot.delivery.messenger import reader
from bot.domain.model import Booking
from bot.render import email
from bot.render.ics import filename
from bot.services import planning
from bot.services.runtime import Services
from storage import outbox
from storage.outbox import Item


async def send_email(bot: Bot, services: Services, item: Item, booking: Booking,
                     now: datetime) -> str | None:
    """Confirmation, change or cancellation with its invitation, to the citizen or to the
    third participant of a video call."""
    settings = services.settings
    change, recipient = str(item.payload.get("change")), item.payload.get("to")
    if not settings.SMTP_HOST:
        return "email is not configured"
    who = await reader(services, booking.user_id)
    service = services.catalog.service(booking.service_id)
    if service is None or change not in planning.EMAILED_CHANGES:
        return "nothing to send"
    async with services.db.read() as conn:
        if await outbox.superseded(conn, item):
            return "the booking changed again; the newer email tells it"
    method = "CANCEL" if change == "cancelled" else "REQUEST"
    ics = messenger.invitation_for(services, who, booking, service, method)
    if recipient == "third":
        address = booking.details.third_party_email
        subject = email.third_party_subject(who.t, service, change)
        html = email.third_party_body(who.t, service, booking, who.zone, change)
    else:
        address = booking.details.email
        subject = email.subject(who.t, change, service, booking, who.zone)
        html = email.citizen_body(who.t, change, service, booking, who.zone)
    if not address:
        return "no address"
    await mail.send(settings, mail.build(settings, address, subject, html, ics, method,
                                         filename(booking, method)))
    return None

"""What the bot sends a citizen about a booking: confirmations, invitations, and keeping
every earlier message about the booking up to date after a change."""

from __future__ import annotations

import logging

from telegram import Bot, InputFile, Message
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.domain.catalog import ResolvedService
from bot.domain.model import Booking
from bot.ptb.context import Citizen, Services, load_citizen
from bot.render import keyboards, texts
from bot.render.ics import Invitation, invitation
from bot.services import booking as rules

log = logging.getLogger(__name__)


def invitation_for(services: Services, who: Citizen, booking: Booking,
                   service: ResolvedService, method: str) -> bytes:
    t = who.t
    about = Invitation(
        title=texts.invitation_title(t, service),
        description=texts.invitation_description(t, service, booking),
        location=booking.meeting_url or (
            service.address.get(who.locale) if service.address else ""),
        organizer_name=service.municipality.name.get(who.locale),
        organizer_email=service.group.email or service.municipality.email,
    )
    return invitation(booking, about, services.settings.zone, services.clock(), method)


async def send_invitation(bot: Bot, services: Services, who: Citizen, booking: Booking,
                          service: ResolvedService, chat_id: int,
                          method: str = "REQUEST") -> Message:
    ics = invitation_for(services, who, booking, service, method)
    suffix = "-cancel" if method == "CANCEL" else ""
    return await bot.send_document(
        chat_id, InputFile(ics, filename=f"rantevou-{booking.reference}{suffix}.ics"),
        caption=texts.esc(texts.invitation_title(who.t, service)),
    )


async def refresh(bot: Bot, services: Services, booking: Booking,
                  skip: frozenset[int] = frozenset(), note: str | None = None,
                  kinds: frozenset[str] | None = None) -> None:
    """Show the booking as it now stands in every earlier message about it (or those of
    `kinds`); a booking that can no longer be changed loses its buttons. `note` defaults
    to «this booking changed»."""
    who = await load_citizen(services, booking.user_id, None)
    service = services.catalog.service(booking.service_id)
    if note is None:
        note = texts.changed_below(who.t) if booking.is_active else ""
    text = texts.booking_card(who.t, service, booking, who.zone, note)
    markup = keyboards.booking_actions(who.t, booking, card=True) if booking.is_active else None
    for chat_id, message_id, kind in await rules.messages_about(services.db, booking):
        if chat_id != booking.user_id or message_id in skip:
            continue  # the staff chat's notice is kept by bot.dispatch
        if kinds is not None and kind not in kinds:
            continue
        try:
            await bot.edit_message_text(text, chat_id, message_id, reply_markup=markup)
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                log.info("message %s of booking %s not refreshed: %s", message_id,
                         booking.reference, error)
        except Forbidden:
            return  # the citizen blocked the bot: nothing more to update
        except TelegramError as error:
            log.warning("message %s of booking %s not refreshed: %s", message_id,
                        booking.reference, error)

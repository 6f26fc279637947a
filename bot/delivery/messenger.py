"""What the bot sends a citizen about a booking: confirmations, invitations, and keeping
every earlier message about the booking up to date after a change."""

from __future__ import annotations

import logging
from contextvars import ContextVar

from telegram import Bot, InputFile, Message
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.domain.catalog import ResolvedService
from bot.domain.model import Booking
from bot.domain.privacy import redact
from bot.ptb.replies import call, message
from bot.render import cards, keyboards, reminders
from bot.render.html import esc
from bot.render.i18n import Citizen
from bot.render.ics import Invitation, filename, invitation
from bot.services import lookups, preferences, waitlist
from bot.services.runtime import Services
from storage import messages

log = logging.getLogger(__name__)
Shown = tuple[int, int, int, str]  # booking id, chat, message id, kind
Offered = tuple[int, int]  # offer id, message id
# The messages an outbox item's send showed a booking (or an offer) in: the sender writes
# them with the item's being done, in one transaction (a narrower window for a crash to
# double a send).
SHOWN: ContextVar[list[Shown] | None] = ContextVar("shown", default=None)
OFFERED: ContextVar[list[Offered] | None] = ContextVar("offered", default=None)


async def shows(services: Services, booking_id: int, chat_id: int, message_id: int,
                kind: str) -> None:
    """Note that a message sent shows the booking: later changes update it."""
    collected = SHOWN.get()
    if collected is not None:
        collected.append((booking_id, chat_id, message_id, kind))
        return
    async with services.db.write() as conn:
        await messages.remember_message(conn, booking_id, chat_id, message_id, kind)


async def shows_offer(services: Services, offer_id: int, message_id: int) -> None:
    """Note the message an offer was sent in: when the offer ends, it is edited."""
    collected = OFFERED.get()
    if collected is not None:
        collected.append((offer_id, message_id))
        return
    async with services.db.write() as conn:
        await waitlist.offer_sent(conn, offer_id, message_id)


async def reader(services: Services, user_id: int) -> Citizen:
    """The citizen a message is for, in their language and zone."""
    async with services.db.read() as conn:
        found = await preferences.stored(conn, services.settings, user_id)
    return Citizen(user_id, found.locale, found.zone)


def invitation_for(services: Services, who: Citizen, booking: Booking,
                   service: ResolvedService, method: str) -> bytes:
    t = who.t
    about = Invitation(
        title=cards.invitation_title(t, service),
        description=cards.invitation_description(t, service, booking),
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
    return await bot.send_document(
        chat_id, InputFile(ics, filename=filename(booking, method)),
        caption=esc(cards.invitation_title(who.t, service)),
    )


REMINDER = "reminder"


def reminder_kind(minutes: int) -> str:
    """A reminder's kind keeps its lead («in 3 minutes»), to be said again when updated."""
    return f"{REMINDER}:{minutes}"


async def refresh(bot: Bot, services: Services, booking: Booking,
                  skip: frozenset[int] = frozenset(), note: str | None = None,
                  kinds: frozenset[str] | None = None, as_sent: bool = False) -> None:
    """Show the booking as it now stands in every earlier message about it (or those of
    `kinds`); a booking that can no longer be changed loses its buttons. `note` defaults
    to «this booking changed». `as_sent`: the time did not change, so a reminder stays a
    reminder, with its heading."""
    who = await reader(services, booking.user_id)
    service = services.catalog.service(booking.service_id)
    if note is None:
        note = cards.changed_below(who.t) if booking.is_active else ""
    text = cards.booking_card(who.t, service, booking, who.zone, note)
    markup = keyboards.booking_actions(who.t, booking, card=True) if booking.is_active else None
    async with services.db.read() as conn:
        shown = await lookups.messages_about(conn, booking)
    for chat_id, message_id, kind in shown:
        if chat_id != booking.user_id or message_id in skip:
            continue  # the staff chat's notice is kept by to_staff
        base, _, lead = kind.partition(":")
        if kinds is not None and base not in kinds:
            continue
        shown_text, shown_markup = text, markup
        if as_sent and booking.is_active and base == REMINDER and lead.isdigit():
            shown_text = reminders.reminder(who.t, service, booking, who.zone, int(lead))
            shown_markup = keyboards.reminder_actions(who.t, booking)
        try:
            await call(bot, "editMessageText", message(chat_id, shown_text, shown_markup)
                       | {"message_id": message_id})
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                log.info("message %s of booking %s not refreshed: %s", message_id,
                         booking.reference, redact(str(error), booking))
        except Forbidden:
            return  # the citizen blocked the bot: nothing more to update
        except TelegramError as error:
            log.warning("message %s of booking %s not refreshed: %s", message_id,
                        booking.reference, redact(str(error), booking))


async def after_cancel(bot: Bot, services: Services, who: Citizen, booking: Booking,
                       service: ResolvedService | None) -> None:
    """Once the citizen knows of a cancellation: every earlier message about the booking
    shows it, and calendars are told to drop the event."""
    await refresh(bot, services, booking)
    if service is not None:
        await send_invitation(bot, services, who, booking, service, booking.user_id,
                              method="CANCEL")

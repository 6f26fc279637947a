"""The waitlist as the citizen reads it: joining, their places, an offer and its answers."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.catalog import ResolvedService
from bot.domain.model import Details, Offer
from bot.domain.wishes import AFTERNOON, MORNING
from bot.render import keyboards
from bot.render.formatting import clock, long_date
from bot.render.html import MESSAGE_ROOM, esc
from bot.render.i18n import Translator
from bot.render.keyboards import Keyboard
from bot.render.phrases import declaration, details_lines, how_line, service_name, when_lines


def joined(t: Translator, service: ResolvedService, day: date | None, part: str) -> str:
    name = service_name(t, service, service.id)
    if day is not None and part == MORNING:
        return esc(t._("You are on the waiting list of «%(service)s» for the morning (before "
                       "12:00) of %(date)s. If such a seat frees up, we will offer it to you "
                       "here.") % {"service": name, "date": long_date(day, t.locale)})
    if day is not None and part == AFTERNOON:
        return esc(t._("You are on the waiting list of «%(service)s» for the afternoon (from "
                       "12:00) of %(date)s. If such a seat frees up, we will offer it to you "
                       "here.") % {"service": name, "date": long_date(day, t.locale)})
    if day is not None:
        return esc(t._("You are on the waiting list of «%(service)s» for %(date)s. If a "
                       "seat frees up that day, we will offer it to you here.")
                   % {"service": name, "date": long_date(day, t.locale)})
    if part == MORNING:
        return esc(t._("You are on the waiting list of «%(service)s» for mornings (before "
                       "12:00). If such a seat frees up, we will offer it to you here.")
                   % {"service": name})
    if part == AFTERNOON:
        return esc(t._("You are on the waiting list of «%(service)s» for afternoons (from "
                       "12:00). If such a seat frees up, we will offer it to you here.")
                   % {"service": name})
    return esc(t._("You are on the waiting list of «%(service)s». If a seat frees up, we "
                   "will offer it to you here.") % {"service": name})


def already_waiting(t: Translator) -> str:
    return esc(t._("You are already on the waiting list of this service."))


def entry_line(t: Translator, service: ResolvedService | None, entry: dict[str, Any]) -> str:
    """One place on the waitlist, for /mybookings."""
    name = service_name(t, service, entry["service_id"])
    if entry["day"] is not None:
        return esc(t._("Waiting list: %(service)s, for %(date)s")
                   % {"service": name, "date": long_date(entry["day"], t.locale)})
    if entry["part"] == MORNING:
        return esc(t._("Waiting list: %(service)s, mornings") % {"service": name})
    if entry["part"] == AFTERNOON:
        return esc(t._("Waiting list: %(service)s, afternoons") % {"service": name})
    return esc(t._("Waiting list: %(service)s") % {"service": name})


def left(t: Translator) -> str:
    return esc(_left(t))


def _left(t: Translator) -> str:
    return t._("You have left the waiting list.")


def not_waiting(t: Translator) -> str:
    return esc(t._("You are no longer on this waiting list."))


def offer(t: Translator, service: ResolvedService, offer: Offer, zone: ZoneInfo,
          details: Details | None) -> tuple[str, Keyboard]:
    """An offer as its citizen reads it, and its buttons: the time held for them, until
    when, and what «Book» does. With the details of their last booking (`details`), it
    books with them, shown for review as the booking's summary shows them, and accepts the
    municipality's declaration, shown as the flow's declaration step shows it; without —
    or where both would not fit in a message (every field at its longest and a long
    declaration) — it asks for them in the booking flow, where each has its step."""
    text = _offer_text(t, service, offer, zone, details)
    if details is not None and len(text) > MESSAGE_ROOM:
        details, text = None, _offer_text(t, service, offer, zone, None)
    return text, keyboards.offer(t, offer.id, details)


def _offer_text(t: Translator, service: ResolvedService, offer: Offer, zone: ZoneInfo,
                details: Details | None) -> str:
    lines = ["🔔 <b>" + esc(t._("A seat has freed up for you.")) + "</b>", "",
             *_offered(t, service, offer, zone), "",
             esc(t._("The seat is held for you until %(time)s.")
                 % {"time": clock(offer.expires_at, zone)})]
    if details is None:
        return "\n".join([*lines, esc(t._(
            "By pressing «Book» you fill in your details and accept the declaration before "
            "completing the booking."))])
    return "\n".join([
        *lines, "", esc(t._("Your details, from your last booking:")),
        *details_lines(t, details, offer.channel), "",
        declaration(t, service.municipality), "",
        esc(t._("By pressing «Book» you confirm the details above, accept the declaration "
                "and complete the booking. To change your details first, press «Change "
                "details».")),
    ])


def _offered(t: Translator, service: ResolvedService, offer: Offer,
             zone: ZoneInfo) -> list[str]:
    return [esc(t._("Service: %(name)s") % {"name": service_name(t, service, service.id)}),
            how_line(t, offer.channel), *when_lines(t, offer.start, offer.end, zone)]


def offer_ended(t: Translator, service: ResolvedService | None, offer: Offer | None,
                zone: ZoneInfo, why: str) -> str:
    """The offer's message once the offer ended (it keeps no buttons): what it was, and
    why it can no longer be taken. An erased citizen's says only that it was withdrawn."""
    if why == "erased" or offer is None or service is None:
        return esc(t._("This offer has been withdrawn."))
    if why == "expired":
        heading = t._("This offer has expired.")
        note = t._("The seat was held for you until %(time)s. You keep your place on the "
                   "waiting list.") % {"time": clock(offer.expires_at, zone)}
    elif why == "declined":
        heading, note = t._("You declined this offer."), _declined(t)
    elif why == "left":
        heading, note = t._("This offer has been withdrawn."), _left(t)
    elif why == "closed":
        heading = t._("This offer has been withdrawn.")
        note = t._("That day has been closed. You keep your place on the waiting list.")
    else:
        heading, note = t._("This offer is no longer valid."), ""
    lines = ["<b>" + esc(heading) + "</b>", "", *_offered(t, service, offer, zone)]
    return "\n".join([*lines, "", esc(note)] if note else lines)


def gone(t: Translator, reason: str) -> str:
    """Why an offer can no longer be answered."""
    if reason == "expired":
        # Only what is true whoever else waits: nobody may, or the time may have passed.
        return esc(t._("This offer has expired: the time is no longer held for you."))
    if reason == "ended":
        return esc(t._("This offer is no longer valid."))
    return esc(t._("This offer is not available."))


def declined(t: Translator, service: ResolvedService | None, offer: Offer,
             zone: ZoneInfo) -> str:
    """The offer's message once the citizen said «No, thank you»."""
    return offer_ended(t, service, offer, zone, "declined")


def _declined(t: Translator) -> str:
    return t._("Thank you. The seat will be offered to the next citizen; you keep your place "
               "on the waiting list.")


def skipped_at_limit(t: Translator, service: ResolvedService, reason: str) -> str:
    """A seat the citizen waits for went past them: they hold the most upcoming bookings
    allowed (of the service, or with its municipality)."""
    name = service_name(t, service, service.id)
    if reason == "limit_total":
        n = service.municipality.max_active_total
        text = t.ngettext(
            "A seat of «%(service)s» has freed up, but we could not offer it to you: you "
            "already have %(n)d upcoming booking with this municipality and no more are "
            "allowed. If you cancel it with /mybookings, we can offer you the next seat that "
            "frees up. You keep your place on the waiting list.",
            "A seat of «%(service)s» has freed up, but we could not offer it to you: you "
            "already have %(n)d upcoming bookings with this municipality and no more are "
            "allowed. If you cancel one of them with /mybookings, we can offer you the next "
            "seat that frees up. You keep your place on the waiting list.", n)
    else:
        n = service.service.max_active
        text = t.ngettext(
            "A seat of «%(service)s» has freed up, but we could not offer it to you: you "
            "already have %(n)d upcoming booking of this service and no more are allowed. If "
            "you cancel it with /mybookings, we can offer you the next seat that frees up. "
            "You keep your place on the waiting list.",
            "A seat of «%(service)s» has freed up, but we could not offer it to you: you "
            "already have %(n)d upcoming bookings of this service and no more are allowed. "
            "If you cancel one of them with /mybookings, we can offer you the next seat that "
            "frees up. You keep your place on the waiting list.", n)
    return esc(text % {"service": name, "n": n})


def review_again(t: Translator) -> str:
    """«Book» pressed on an offer whose details are no longer those it would book with."""
    return t._("The details this offer would book with have changed. Please check the offer "
               "again.")

"""The citizen's side of the waitlist: joining, leaving, and answering an offer (take it
with one tap, with the details it showed; take it in the booking flow; decline it) and its
running out, each in one transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.catalog import Catalog, ResolvedService
from bot.domain.draft import Draft, for_offer
from bot.domain.model import Booking, BookingRequest, Channel, Details, Offer
from bot.domain.rules import BookingError, NotBookable
from bot.domain.wishes import PARTS
from bot.services import booking, offering
from storage import bookings, users, waitlist


class OfferGone(BookingError):
    """The offer is not this citizen's, or no longer open: `reason` says which."""

    NOT_FOUND = "not_found"  # no such offer, or another citizen's (forged)
    ENDED = "ended"  # declined, taken or withdrawn before
    EXPIRED = "expired"  # the hold ran out

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotReviewed(BookingError):
    """«Book» pressed on an offer whose message showed other details than it would book
    with now (the citizen booked since, or has no details left, or the message is older
    than the review): nothing is booked; the offer is to be shown again, as it stands."""

    def __init__(self, offer: Offer, service: ResolvedService, details: Details | None) -> None:
        super().__init__(str(offer.id))
        self.offer, self.service, self.details = offer, service, details


async def join(conn: AsyncConnection, catalog: Catalog, user_id: int, service_id: str,
               channel: str, day: date | None, part: str, locale: str, now: datetime) -> bool:
    """Join the service's waitlist; False if the citizen is already on it."""
    service = catalog.service(service_id)
    if service is None or channel not in service.service.channels or part not in PARTS:
        raise NotBookable(service_id)
    if await waitlist.waiting_entry(conn, user_id, service_id):
        return False
    await waitlist.add_entry(conn, user_id, service_id, channel, day, part, None, locale, now)
    return True


async def entries(conn: AsyncConnection, user_id: int) -> list[dict[str, Any]]:
    return await waitlist.entries_of(conn, user_id)


async def waiting_place(conn: AsyncConnection, entry_id: int) -> dict[str, Any] | None:
    """The place on the waitlist, while its citizen still waits."""
    found = await waitlist.entry(conn, entry_id)
    return found if found is not None and found["status"] == waitlist.WAITING else None


async def leave(conn: AsyncConnection, catalog: Catalog, zone: ZoneInfo, user_id: int,
                entry_id: int, now: datetime) -> bool:
    """Leave the waitlist; a seat offered meanwhile goes to the next in line. False if not
    on it."""
    found = await waitlist.entry(conn, entry_id)
    if found is None or found["user_id"] != user_id or found["status"] != waitlist.WAITING:
        return False
    await waitlist.set_entry(conn, entry_id, waitlist.LEFT, now)
    await _withdraw(conn, catalog, zone, await waitlist.open_offers_of(conn, user_id, entry_id),
                    now, offering.LEFT)
    return True


async def unreachable(conn: AsyncConnection, catalog: Catalog, zone: ZoneInfo, user_id: int,
                      now: datetime, offer_id: int | None = None) -> None:
    """Telegram refused a message to the citizen (they blocked the bot): nothing more is
    offered to them until they write to it again, when their places are back in line with
    their turn. The offer that could not be told them is withdrawn, its seat offered to the
    next in line now rather than held until its hold runs out."""
    await users.mark_unreachable(conn, user_id, now)
    row = await waitlist.offer(conn, offer_id) if offer_id is not None else None
    if row is not None and row["user_id"] == user_id:
        await _withdraw(conn, catalog, zone, [row], now, offering.UNREACHABLE)


async def forget(conn: AsyncConnection, catalog: Catalog, zone: ZoneInfo, user_id: int,
                 now: datetime) -> None:
    """/forgetme: the citizen's places go; a seat offered to them, to the next in line."""
    held = await waitlist.open_offers_of(conn, user_id)
    for row in held:  # their messages say only that they were withdrawn
        await offering.end_offer(conn, row["id"], waitlist.WITHDRAWN, now, offering.ERASED)
    # Their places go first, with the offers: the seats are then simply free, and offered
    # on as any freed seat is.
    await waitlist.remove_entries(conn, user_id)
    for row in held:
        await offering.offer_freed(conn, catalog, zone, row["service_id"], row["start_at"], now)


async def _withdraw(conn: AsyncConnection, catalog: Catalog, zone: ZoneInfo,
                    held: list[dict[str, Any]], now: datetime, why: str) -> None:
    """Withdraw these offers (`why`: the citizen no longer waits, or cannot be told) and
    offer their seats again."""
    for row in held:
        if await offering.end_offer(conn, row["id"], waitlist.WITHDRAWN, now, why):
            await offering.offer_freed(conn, catalog, zone, row["service_id"],
                                       row["start_at"], now)


async def offer_of(conn: AsyncConnection, offer_id: int) -> Offer | None:
    row = await waitlist.offer(conn, offer_id)
    return _offer(row) if row is not None else None


def _offer(row: dict[str, Any]) -> Offer:
    return Offer(row["id"], row["user_id"], row["service_id"], Channel(row["channel"]),
                 row["start_at"], row["end_at"], row["expires_at"], row["locale"],
                 row["message_id"], row["booking_id"])


async def offer_sent(conn: AsyncConnection, offer_id: int, message_id: int) -> None:
    """The offer's message, to be edited when the offer ends."""
    await waitlist.offer_shown(conn, offer_id, message_id)


async def is_open(conn: AsyncConnection, offer_id: int, now: datetime) -> bool:
    row = await waitlist.offer(conn, offer_id)
    return row is not None and row["status"] == waitlist.OPEN and row["expires_at"] > now


async def accept(conn: AsyncConnection, catalog: Catalog, zone: ZoneInfo, user_id: int,
                 offer_id: int, reviewed: str, now: datetime, meeting_url: str = "",
                 shown_in: int = 0) -> Booking:
    """Book the held seat with the details its message showed the citizen for review
    (`reviewed`: their fingerprint, carried by its «Book»), those of their last booking,
    the declaration it showed accepted now. Pressed again, the booking it made."""
    row = await _own(conn, user_id, offer_id)
    if row["status"] == waitlist.TAKEN and row["booking_id"]:
        made = await bookings.get_booking(conn, row["booking_id"])
        if made is not None:
            return made
    await _still_open(conn, catalog, zone, row, now)
    service = _service(catalog, row)
    details = await last_details(conn, user_id)
    if details is None or details.fingerprint() != reviewed:
        raise NotReviewed(_offer(row), service, details)
    request = BookingRequest(
        user_id=user_id, service_id=row["service_id"], channel=Channel(row["channel"]),
        start=row["start_at"], details=details, consent_at=now, locale=row["locale"],
        timezone=zone.key, draft_id=f"offer{offer_id}")
    return await booking.book(conn, catalog, zone, request, now, meeting_url, shown_in)


async def flow_draft(conn: AsyncConnection, catalog: Catalog, zone: ZoneInfo, user_id: int,
                     offer_id: int, citizen_zone: ZoneInfo, now: datetime) -> Draft:
    """«Change details» on an offer: the held time, for the citizen to book in the booking
    flow from its details step on, starting from the details of their last booking. The
    seat stays held until the offer runs out; their booking of it there takes the offer."""
    row = await _own(conn, user_id, offer_id)
    await _still_open(conn, catalog, zone, row, now)
    return for_offer(_offer(row), _service(catalog, row), await last_details(conn, user_id),
                     citizen_zone)


def _service(catalog: Catalog, row: dict[str, Any]) -> ResolvedService:
    service = catalog.service(row["service_id"])
    if service is None:  # the catalog dropped it: nobody can book it any more
        raise OfferGone(OfferGone.ENDED)
    return service


async def decline(conn: AsyncConnection, catalog: Catalog, zone: ZoneInfo, user_id: int,
                  offer_id: int, now: datetime) -> Offer:
    """«No, thank you»: the seat goes to the next in line; the citizen keeps their place.
    The offer declined, for its message to show it."""
    row = await _own(conn, user_id, offer_id)
    await _still_open(conn, catalog, zone, row, now)
    await offering.end_offer(conn, offer_id, waitlist.DECLINED, now)
    await offering.offer_freed(conn, catalog, zone, row["service_id"], row["start_at"], now)
    return _offer(row)


async def expire(conn: AsyncConnection, catalog: Catalog, zone: ZoneInfo, offer_id: int,
                 now: datetime) -> bool:
    """The hold ran out (the outbox's item due then): the next in line is offered it."""
    row = await waitlist.offer(conn, offer_id)
    if row is None or not await offering.end_offer(conn, offer_id, waitlist.EXPIRED, now):
        return False
    await offering.offer_freed(conn, catalog, zone, row["service_id"], row["start_at"], now)
    return True


async def _own(conn: AsyncConnection, user_id: int, offer_id: int) -> dict[str, Any]:
    row = await waitlist.offer(conn, offer_id)
    if row is None or row["user_id"] != user_id:
        raise OfferGone(OfferGone.NOT_FOUND)
    return row


async def _still_open(conn: AsyncConnection, catalog: Catalog, zone: ZoneInfo,
                      row: dict[str, Any], now: datetime) -> None:
    if row["status"] == waitlist.EXPIRED:
        raise OfferGone(OfferGone.EXPIRED)
    if row["status"] != waitlist.OPEN:
        raise OfferGone(OfferGone.ENDED)
    if row["expires_at"] <= now:  # its expiry item has not run yet: it runs out now
        await expire(conn, catalog, zone, row["id"], now)
        raise OfferGone(OfferGone.EXPIRED)


async def last_details(conn: AsyncConnection, user_id: int) -> Details | None:
    """The details of the citizen's last booking (not erased), which «Book» on an offer
    books with."""
    found = [b for b in await bookings.bookings_of_user(conn, user_id)
             if b.erased_at is None and b.details.name]
    return max(found, key=lambda b: b.id).details if found else None

"""Offering a freed seat to the waitlist, in the transaction that frees it.

First come, first served per service: the earliest entry whose wish the time fits, who
may still book (their limits) and whom Telegram can reach is offered it, held for them for
the service's `offer_minutes`; one at their limit is skipped, and told why once. The offer
and its expiry are outbox items, so a restart loses none and sends none twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.availability import (
    candidate_slots,
    cells,
    entered_horizon,
    last_bookable_day,
    midnight,
    opened_slots,
    overlapping_slots,
    scopes_of,
)
from bot.domain.catalog import Catalog, ResolvedService
from bot.domain.model import Slot
from bot.domain.rules import NotAllowed, check_limits
from bot.domain.wishes import Wish
from bot.services.runtime import Services
from storage import bookings, closures, outbox, waitlist

OFFER = "offer"  # a freed seat offered to a citizen of the waitlist
OFFER_EXPIRY = "offer_expiry"  # the hold of an offer runs out: the next in line has it
AT_LIMIT = "waitlist_limit"  # a seat went past a citizen at their limit of bookings: why
OFFER_ENDED = "offer_ended"  # the offer's message shows how it ended, without its buttons
# Why an offer was withdrawn, for its message to say (its status says it was).
LEFT, ERASED, CLOSED, UNREACHABLE = "left", "erased", "closed", "unreachable"


async def offer_freed(conn: AsyncConnection, catalog: Catalog, zone: ZoneInfo,
                      service_id: str, start: datetime, now: datetime,
                      freed_by: int | None = None) -> list[int]:
    """Offer what a seat freed at `start` in the service makes bookable, one seat per
    offer; the offers made. That is every time overlapping it, of every service using the
    same desk (services naming one `resource` share its desks), that the service would
    book now (notice, horizon, closures). Each time goes to the first in line of its own
    service; where times compete for the seat, whoever joined first, across the services,
    is offered first. Never to `freed_by`, the citizen who gave the seat up: being offered
    back what one just let go helps nobody (a later change may offer it to them)."""
    service = catalog.service(service_id)
    desk = service.service.desk if service else None
    sharing = [other for other in catalog.services() if other.service.desk == desk]
    if service is None or not await waitlist.anyone_waits(conn, [s.id for s in sharing]):
        return []
    end = start + timedelta(minutes=service.service.duration)
    times = await _times_over(conn, sharing, zone, start, end, now)
    return await _offer_all(conn, times, zone, now, freed_by)


Time = tuple[ResolvedService, Slot]


async def _offer_all(conn: AsyncConnection, times: list[Time], zone: ZoneInfo,
                     now: datetime, freed_by: int | None = None) -> list[int]:
    """Offer these times, one seat per offer, while a seat and a citizen are left."""
    made: list[int] = []
    while (offer_id := await _offer_first(conn, times, zone, now, freed_by)) is not None:
        made.append(offer_id)
    return made


async def _times_over(conn: AsyncConnection, sharing: list[ResolvedService],
                      zone: ZoneInfo, start: datetime, end: datetime,
                      now: datetime) -> list[Time]:
    """The bookable times of these services (of one desk) that overlap [start, end), the
    freed time first, then by start."""
    days = start.astimezone(zone).date() - timedelta(days=1), end.astimezone(zone).date()
    found: list[Time] = []
    for service in sharing:
        closed = await closures.closed_days(conn, scopes_of(service), *days)
        found += [(service, slot) for slot in
                  overlapping_slots(service, zone, start, end, now, closed)]
    return sorted(found, key=lambda time: (time[1].start != start, time[1].start))


async def _offer_first(conn: AsyncConnection, times: list[Time], zone: ZoneInfo,
                       now: datetime, freed_by: int | None) -> int | None:
    """Offer one of the times still free: to whoever joined first among those first in
    line for them (one first in line for several is offered the first of them in `times`)."""
    best: tuple[dict[str, Any], ResolvedService, Slot, int] | None = None
    for service, slot in times:
        seat = await bookings.free_seat(conn, service.service.desk,
                                        cells(slot.start, slot.end), service.service.capacity)
        if seat is None:
            continue
        entry = await _first_in_line(conn, service, slot, zone, now, freed_by)
        if entry is not None and (best is None or _turn(entry) < _turn(best[0])):
            best = (entry, service, slot, seat)
    return await _offer(conn, *best, now) if best is not None else None


def _turn(entry: dict[str, Any]) -> tuple[datetime, int]:
    """First come, first served: by the time of joining, then by the order of the rows."""
    return entry["created_at"], entry["id"]


async def offer_opened(conn: AsyncConnection, before: Catalog, after: Catalog,
                       zone: ZoneInfo, now: datetime) -> list[int]:
    """A catalog applied (/reload): the times it makes bookable that were not (desks or
    hours added, the notice shortened, the horizon lengthened, a closure lifted) are offered
    in turn, as freed seats are. Only of the services that changed and that somebody waits
    for, within the horizon."""
    waiting = await waitlist.lengths(conn, [service.id for service in after.services()])
    made: list[int] = []
    for service in after.services():
        earlier = before.service(service.id)
        if not waiting.get(service.id) or service == earlier:
            continue
        today = now.astimezone(zone).date()
        closed = await closures.closed_days(conn, scopes_of(service), today,
                                            last_bookable_day(service, now, zone))
        for slot in opened_slots(earlier, service, zone, now, closed):
            made += await _offer_all(conn, [(service, slot)], zone, now)
    return made


async def offer_day(conn: AsyncConnection, catalog: Catalog, zone: ZoneInfo, day: date,
                    kind: str, scope_id: str, now: datetime) -> list[int]:
    """A reopened day: every free time of every service in its scope, offered in turn."""
    made: list[int] = []
    start, end = midnight(day, zone), midnight(day + timedelta(days=1), zone)
    for service in _in_scope(catalog, kind, scope_id):
        for slot in candidate_slots(service, zone, start, end, now):
            made += await offer_freed(conn, catalog, zone, service.id, slot.start, now)
    return made


async def offer_horizon(services: Services, since: date | None, now: datetime) -> int:
    """Each day a new day enters every service's horizon (the daily run): its times are
    offered in turn, as a reopened day's are, so that those who wait for a booked-out
    service need not race everyone else for them. The days entered since the run of
    `since` (one a day; more after days without a run), of the services somebody waits
    for, each service in a transaction of its own. How many offers were made."""
    catalog, zone = services.catalog, services.settings.zone
    async with services.db.read() as conn:
        waiting = await waitlist.lengths(conn, [service.id for service in catalog.services()])
    made = 0
    for service in catalog.services():
        if not waiting.get(service.id):
            continue
        async with services.db.write() as conn:
            for day in entered_horizon(service, zone, now, since):
                made += len(await offer_day(conn, catalog, zone, day, "service", service.id,
                                            now))
    return made


async def withdraw_day(conn: AsyncConnection, catalog: Catalog, zone: ZoneInfo, day: date,
                       kind: str, scope_id: str, now: datetime) -> None:
    """A closed day: its open offers are withdrawn (the time can no longer be booked)."""
    start, end = midnight(day, zone), midnight(day + timedelta(days=1), zone)
    services = [service.id for service in _in_scope(catalog, kind, scope_id)]
    for offer_id in await waitlist.open_offers_between(conn, services, start, end):
        await end_offer(conn, offer_id, waitlist.WITHDRAWN, now, CLOSED)


def _in_scope(catalog: Catalog, kind: str, scope_id: str) -> list[ResolvedService]:
    """The services a closure of this scope (municipality, group, service) applies to."""
    return [service for service in catalog.services()
            if (kind, scope_id) in scopes_of(service)]


async def end_offer(conn: AsyncConnection, offer_id: int, status: str, now: datetime,
                    why: str = "") -> bool:
    """End an open offer and free its seat; its message is told in this same transaction
    (an outbox item: `why` it ended, by default its new status), so that no message of an
    ended offer keeps buttons that look pressable. False if it was no longer open."""
    row = await waitlist.offer(conn, offer_id)
    if row is None or not await waitlist.end_offer(conn, offer_id, status, now):
        return False
    # The message's id as known now: the sender reads it again, unless the offer is gone.
    payload = {"offer": offer_id, "why": why or status, "message_id": row["message_id"]}
    await outbox.add(conn, OFFER_ENDED, now, now, chat_id=row["user_id"], payload=payload)
    return True


async def _offer(conn: AsyncConnection, entry: dict[str, Any], service: ResolvedService,
                 slot: Slot, seat: int, now: datetime) -> int | None:
    """The offer of the seat to the citizen, held for the service's `offer_minutes` (never
    past the start), with its message and its expiry in the outbox."""
    desk, needed = service.service.desk, cells(slot.start, slot.end)
    expires = min(now + timedelta(minutes=service.service.offer_minutes), slot.start)
    try:
        async with conn.begin_nested():
            offer_id = await waitlist.add_offer(conn, entry["id"], service.id, desk, seat,
                                                slot.start, slot.end, expires, needed, now)
    except IntegrityError:  # the seat was taken meanwhile by a concurrent booking
        return None
    due = outbox.Due(None, now)
    await outbox.add_all(conn, [
        due.item(OFFER, now, chat_id=entry["user_id"], payload={"offer": offer_id}),
        due.item(OFFER_EXPIRY, expires, payload={"offer": offer_id}),
    ])
    return offer_id


async def _first_in_line(conn: AsyncConnection, service: ResolvedService, slot: Slot,
                         zone: ZoneInfo, now: datetime,
                         freed_by: int | None) -> dict[str, Any] | None:
    for entry in await waitlist.in_line(conn, service.id, slot.start, slot.end, freed_by):
        wish = Wish(entry["day"], entry["part"], entry["until"])
        if not wish.allows(slot, zone) or entry["channel"] not in service.service.channels:
            continue
        in_service, in_municipality = await bookings.count_active(
            conn, entry["user_id"], now, service.id, service.municipality.id)
        try:
            check_limits(service, in_service, in_municipality)
        except NotAllowed as refusal:
            await _tell_limit(conn, entry, refusal.reason, now)
            continue  # at their limit: the next in line
        return entry
    return None


async def _tell_limit(conn: AsyncConnection, entry: dict[str, Any], reason: str,
                      now: datetime) -> None:
    """Tell the citizen why a seat they wait for went past them, once per place (not at
    every seat): in this transaction, so that a restart neither loses nor repeats it."""
    if entry["told_limit_at"] is None and await waitlist.mark_told_limit(conn, entry["id"], now):
        await outbox.add(conn, AT_LIMIT, now, now, chat_id=entry["user_id"],
                         payload={"entry": entry["id"], "reason": reason})

"""The waitlist: freed seats offered in turn, held while offered, taken with one tap."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.app import App
from bot.delivery import jobs
from bot.domain.model import Booking, BookingRequest, Channel, Details
from bot.domain.rules import SlotTaken
from bot.services import booking, closing, offering, waitlist
from bot.services.runtime import Services
from bot.settings import Settings
from storage import outbox
from storage import waitlist as store
from tests.chat import Citizen
from tests.conftest import SAMPLE_CATALOG, FrozenClock, drain, make_settings, write
from tests.e2e.flow import EMAIL, MARKERS, NAME, PHONE, walk
from tests.fakebot import ApiError, FakeTelegram, Sent

SERVICE = "chios-work-counsel"  # one desk, one upcoming booking per citizen
THURSDAY_ELEVEN = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # Thu 3 Dec, 11:00 in Athens
A, B, C, D = 5001, 5002, 5003, 5004
COUNSEL_CHAT = -1001000000102


@pytest.fixture
def settings(tmp_path: Path, fake: FakeTelegram, database_url: str) -> Settings:
    """The sample catalog, from a copy of its file that a test may change and /reload."""
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(SAMPLE_CATALOG.read_text(encoding="utf-8"), encoding="utf-8")
    return make_settings(tmp_path, fake.base_url, DATABASE_URL=database_url,
                         CATALOG_PATH=str(catalog))


def request(user: int, start: datetime = THURSDAY_ELEVEN, draft: str = "",
            service: str = SERVICE) -> BookingRequest:
    return BookingRequest(
        user_id=user, service_id=service, channel=Channel.IN_PERSON, start=start,
        details=Details(name=f"Πολίτης {user}", email=f"c{user}@example.com",
                        phone="306912345678"),
        consent_at=THURSDAY_ELEVEN - timedelta(days=3), locale="el",
        timezone="Europe/Athens", draft_id=draft)


async def book(services: Services, user: int, start: datetime = THURSDAY_ELEVEN,
               service: str = SERVICE) -> Booking:
    made: Booking = await write(services.db, booking.book, services.catalog,
                                services.settings.zone, request(user, start, service=service),
                                services.clock())
    return made


async def join(services: Services, user: int, day: date | None = None,
               service: str = SERVICE) -> bool:
    joined: bool = await write(services.db, waitlist.join, services.catalog, user, service,
                               "in_person", day, "", "el", services.clock())
    return joined


async def cancel(services: Services, made: Booking) -> None:
    await write(services.db, booking.cancel, services.catalog, made.reference, made.user_id,
                services.clock(), zone=services.settings.zone)


async def offers(services: Services) -> list[dict[str, Any]]:
    async with services.db.read() as conn:
        rows = [await store.offer(conn, i) for i in range(1, 50)]
    return [r for r in rows if r]


async def open_offer_of(services: Services, user: int) -> dict[str, Any]:
    found = [o for o in await offers(services) if o["user_id"] == user and o["status"] == "open"]
    assert len(found) == 1, found
    return found[0]


async def test_a_freed_seat_is_offered_to_the_first_in_line_and_taken(
    services: Services, app: App
) -> None:
    made = await book(services, A)
    assert await join(services, B)
    assert await join(services, C)
    assert not await join(services, B)  # twice: refused
    await book(services, B, THURSDAY_ELEVEN + timedelta(days=5))  # B has details to reuse
    await write(services.db, booking.cancel, services.catalog,
                (await book_of(services, B)).reference, B, services.clock())
    await cancel(services, made)
    offer = await open_offer_of(services, B)
    assert offer["start_at"] == THURSDAY_ELEVEN
    # The seat is held: nobody else may book it.
    with pytest.raises(SlotTaken):
        await book(services, C)
    await drain(app.bot, services)
    shown = request(B).details.fingerprint()  # as its «Book» carries them
    taken: Booking = await write(services.db, waitlist.accept, services.catalog,
                                 services.settings.zone, B, offer["id"], shown, services.clock())
    assert taken.user_id == B and taken.start == THURSDAY_ELEVEN
    again: Booking = await write(services.db, waitlist.accept, services.catalog,
                                 services.settings.zone, B, offer["id"], shown, services.clock())
    assert again.id == taken.id  # a second tap: the booking it made
    assert (await open_offers(services)) == []
    async with services.db.read() as conn:
        assert await store.entries_of(conn, B) == []  # B waits no more


async def book_of(services: Services, user: int) -> Booking:
    async with services.db.read() as conn:
        from storage import bookings

        found = await bookings.bookings_of_user(conn, user)
    return [b for b in found if b.is_active][-1]


async def open_offers(services: Services) -> list[dict[str, Any]]:
    return [o for o in await offers(services) if o["status"] == "open"]


async def offered_to_b(services: Services) -> dict[str, Any]:
    """A's seat frees up with B, then C, waiting: B's offer of it."""
    made = await book(services, A)
    await join(services, B)
    await join(services, C)
    await cancel(services, made)
    return await open_offer_of(services, B)


async def place_of(services: Services, user: int) -> dict[str, Any]:
    """The citizen's one place on the waitlist."""
    async with services.db.read() as conn:
        (place,) = await store.entries_of(conn, user)
    return place


async def normal_booking(services: Services, user: int) -> str:
    """A booking of Thursday 11:00 made in the flow: booked, or refused as taken."""
    try:
        await book(services, user)
    except SlotTaken:
        return "taken"
    return "booked"


async def test_decline_and_expiry_pass_the_seat_to_the_next_in_line(
    services: Services, app: App, clock: FrozenClock
) -> None:
    first = await offered_to_b(services)
    await write(services.db, waitlist.decline, services.catalog, services.settings.zone, B,
                first["id"], clock())
    second = await open_offer_of(services, C)
    assert second["start_at"] == first["start_at"]
    assert [o["user_id"] for o in await open_offers(services)] == [C]  # B: not 10:30 either
    with pytest.raises(waitlist.OfferGone):  # declined: pressing it again changes nothing
        await write(services.db, waitlist.decline, services.catalog, services.settings.zone,
                    B, first["id"], clock())
    with pytest.raises(waitlist.OfferGone):  # another's offer: forged
        await write(services.db, waitlist.accept, services.catalog, services.settings.zone,
                    B, second["id"], request(B).details.fingerprint(), clock())
    clock.advance(minutes=16)  # C lets it run out: nobody else waits for it
    await drain(app.bot, services)
    assert await open_offers(services) == []
    assert [o["status"] for o in await offers(services)] == ["declined", "expired"]
    # Free again, it is booked by whoever comes.
    assert (await book(services, A)).start == THURSDAY_ELEVEN


async def test_a_run_out_offer_is_not_its_citizens_to_book_before_its_expiry_runs(
    services: Services, app: App, clock: FrozenClock
) -> None:
    first = await offered_to_b(services)
    clock.advance(minutes=16)  # run out; its expiry has not run yet
    with pytest.raises(SlotTaken):
        await book(services, B)  # the seat is the next in line's now
    await drain(app.bot, services)
    assert (await open_offer_of(services, C))["start_at"] == first["start_at"]


AT_LIMIT = "Ελευθερώθηκε θέση στην υπηρεσία «Εργασιακή συμβουλευτική»"


async def test_a_citizen_at_their_limit_is_skipped_and_told_why_once(
    services: Services, app: App, fake: FakeTelegram
) -> None:
    from bot.startup import prepare

    noon, friday = THURSDAY_ELEVEN + timedelta(hours=1), THURSDAY_ELEVEN + timedelta(days=1)
    made, at_noon = await book(services, A), await book(services, 5009, noon)
    on_friday = await book(services, 5010, friday)
    await join(services, B)
    await join(services, C)
    own = await book(services, B, THURSDAY_ELEVEN + timedelta(days=5))  # B: one, the most
    await cancel(services, made)
    assert (await open_offer_of(services, C))["start_at"] == THURSDAY_ELEVEN
    assert [o["user_id"] for o in await offers(services)] == [C]
    await services.db.close()  # a restart before the news went out: neither lost nor doubled
    again = await prepare(services.settings, services.clock)
    try:
        await drain(app.bot, again)
        await drain(app.bot, again)
        told = [m.text for m in fake.bot_messages(B) if m.text.startswith(AT_LIMIT)]
        assert len(told) == 1 and "/mybookings" in told[0] and "1 προσεχή κράτηση" in told[0]
        await cancel(again, at_noon)  # another seat B would take: skipped, not told again
        await drain(app.bot, again)
        assert len([m for m in fake.bot_messages(B) if m.text.startswith(AT_LIMIT)]) == 1
        assert [o["user_id"] for o in await offers(again)] == [C]
        await write(again.db, booking.cancel, again.catalog, own.reference, B, again.clock())
        await cancel(again, on_friday)  # below the limit now: offered seats again
        assert (await open_offer_of(again, B))["start_at"] == friday
    finally:
        await again.db.close()


BLOCKED = ApiError(403, "Forbidden: bot was blocked by the user")


async def items(services: Services, kind: str) -> list[dict[str, Any]]:
    async with services.db.read() as conn:
        return [i for i in await outbox.items_of(conn) if i["kind"] == kind]


async def test_an_offer_to_a_citizen_who_blocked_the_bot_goes_on_at_once(
    services: Services, app: App, fake: FakeTelegram
) -> None:
    noon, friday = THURSDAY_ELEVEN + timedelta(hours=1), THURSDAY_ELEVEN + timedelta(days=1)
    at_noon, on_friday = await book(services, 5009, noon), await book(services, 5010, friday)
    sofia = Citizen(fake, app, user_id=B)
    await sofia.send("/mybookings")  # she has written to the bot, then blocks it
    fake.fail_next("sendMessage", BLOCKED, B)
    first = await offered_to_b(services)
    await join(services, D)
    await drain(app.bot, services)
    # Withdrawn, and the seat C's with the clock standing: not held until the hold runs out.
    assert (await store_offer(services, first["id"]))["status"] == "withdrawn"
    assert (await open_offer_of(services, C))["start_at"] == THURSDAY_ELEVEN
    (dropped,) = [i for i in await items(services, offering.OFFER) if i["chat_id"] == B]
    assert (dropped["status"], dropped["last_error"]) == ("dropped", "the citizen blocked the bot")
    await cancel(services, at_noon)  # she is out of line while she cannot be told
    assert (await open_offer_of(services, D))["start_at"] == noon
    await sofia.send("/mybookings")  # writing again: back in line, with her turn
    await cancel(services, on_friday)
    assert (await open_offer_of(services, B))["start_at"] == friday


async def test_the_news_of_a_limit_to_a_citizen_who_blocked_the_bot_is_dropped(
    services: Services, app: App, fake: FakeTelegram
) -> None:
    made = await book(services, A)
    await Citizen(fake, app, user_id=B).send("/mybookings")
    await join(services, B)
    await book(services, B, THURSDAY_ELEVEN + timedelta(days=5))  # B: one, the most
    await drain(app.bot, services)
    fake.fail_next("sendMessage", BLOCKED, B)
    await cancel(services, made)
    await drain(app.bot, services)
    (told,) = await items(services, offering.AT_LIMIT)
    assert (told["status"], told["last_error"]) == ("dropped", "the citizen blocked the bot")


async def test_two_seats_freed_at_once_make_two_offers(services: Services) -> None:
    later = THURSDAY_ELEVEN + timedelta(minutes=60)
    first, second = await book(services, A), await book(services, 5009, later)
    await join(services, B)
    await join(services, C)
    async with services.db.write() as conn:  # both in one transaction
        for made in (first, second):
            await booking.cancel(conn, services.catalog, made.reference, made.user_id,
                                 services.clock(), zone=services.settings.zone)
    assert (await open_offer_of(services, B))["start_at"] == THURSDAY_ELEVEN
    assert (await open_offer_of(services, C))["start_at"] == later


async def test_a_reopened_day_is_offered_to_the_waitlist(services: Services) -> None:
    day = date(2026, 12, 3)
    await write(services.db, closing.close_day, services.catalog, day, "service", SERVICE,
                "απεργία", 9001, services.clock(), services.settings.zone)
    await join(services, B, day)
    await join(services, C, date(2026, 12, 4))  # another day: not this one
    await write(services.db, closing.open_day, services.catalog, day, "service", SERVICE,
                services.clock(), services.settings.zone)
    offer = await open_offer_of(services, B)
    assert offer["start_at"].astimezone(services.settings.zone).date() == day
    assert [o["user_id"] for o in await offers(services)] == [B]


async def test_a_seat_within_the_minimum_notice_is_not_offered(
    services: Services, clock: FrozenClock
) -> None:
    made = await book(services, A)
    await join(services, B)
    clock.now = THURSDAY_ELEVEN - timedelta(hours=1)  # notice: 2 hours
    await write(services.db, booking.cancel, services.catalog, made.reference, 9001, clock(),
                by_staff=True, zone=services.settings.zone)
    assert await offers(services) == []


async def test_an_offer_and_its_expiry_survive_a_restart(
    services: Services, app: App, clock: FrozenClock, fake: FakeTelegram
) -> None:
    from bot.startup import prepare

    made = await book(services, A)
    await join(services, B)
    await join(services, C)
    await cancel(services, made)
    await drain(app.bot, services)  # B is offered it; then the bot stops
    await services.db.close()
    clock.advance(minutes=20)
    again = await prepare(services.settings, clock)
    try:
        await drain(app.bot, again)
        async with again.db.read() as conn:
            kinds = [(i["kind"], i["status"]) for i in await outbox.items_of(conn)
                     if i["kind"] in (offering.OFFER, offering.OFFER_EXPIRY)]
        # B's offer: sent once, then it ran out; C's offer: sent, still open.
        assert kinds.count((offering.OFFER, "sent")) == 2
        assert (offering.OFFER_EXPIRY, "sent") in kinds
        # B's message now says their offer ran out; C's is the offer, to answer.
        (expired,) = fake.bot_messages(B)
        assert expired.text.startswith("Η προσφορά αυτή έχει λήξει.") and not expired.buttons
        (offered,) = fake.bot_messages(C)
        assert offered.text.startswith("🔔") and offered.buttons
        assert (await open_offer_of(again, C))["start_at"] == THURSDAY_ELEVEN
    finally:
        await again.db.close()


async def test_an_offered_citizen_and_a_normal_booking_race_for_the_seat(
    services: Services
) -> None:
    """Nobody but the offered citizen books the held seat, whoever commits first."""
    made = await book(services, A)
    await join(services, B)
    await book(services, B, THURSDAY_ELEVEN + timedelta(days=5))
    await write(services.db, booking.cancel, services.catalog,
                (await book_of(services, B)).reference, B, services.clock())
    await cancel(services, made)
    offer = await open_offer_of(services, B)

    async def offered() -> str:
        await write(services.db, waitlist.accept, services.catalog, services.settings.zone,
                    B, offer["id"], request(B).details.fingerprint(), services.clock())
        return "booked"

    results = await asyncio.gather(normal_booking(services, C), offered())
    assert list(results) == ["taken", "booked"]


async def test_a_seat_freed_while_someone_books_it_is_held_for_the_first_in_line(
    services: Services
) -> None:
    """Freed and offered in one transaction: no moment in which a normal booking takes
    the seat from under the waitlist, whichever starts first."""
    made = await book(services, A)
    await join(services, B)
    results = await asyncio.gather(normal_booking(services, C), cancel(services, made),
                                   normal_booking(services, C))
    assert [results[0], results[2]] == ["taken", "taken"]
    assert (await open_offer_of(services, B))["start_at"] == THURSDAY_ELEVEN


WEDNESDAY = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)  # Wed 2 Dec, 09:00 in Athens


async def test_a_citizen_joins_from_a_full_day_and_books_the_freed_seat_with_one_tap(
    services: Services, app: App, fake: FakeTelegram
) -> None:
    taken = [await book(services, 6001 + hour, WEDNESDAY + timedelta(hours=hour))
             for hour in range(3)]
    sofia = Citizen(fake, app, user_id=B)
    await book(services, B, THURSDAY_ELEVEN + timedelta(days=7))  # details to reuse
    await write(services.db, booking.cancel, services.catalog,
                (await book_of(services, B)).reference, B, services.clock())
    await walk(sofia, "time")
    await book(services, 6004, WEDNESDAY + timedelta(hours=3))  # the day's last time
    await sofia.press("12:00")
    assert "Ειδοποιήστε με αν ελευθερωθεί θέση" in sofia.labels()
    await sofia.press("Ειδοποιήστε με αν ελευθερωθεί θέση")
    assert "λίστα αναμονής" in sofia.text
    await sofia.press("Ειδοποιήστε με αν ελευθερωθεί θέση", sofia.messages[-2])
    assert "ήδη" in sofia.text  # joining twice: refused, nothing changes
    await sofia.send("/mybookings")
    assert "Αποχώρηση από τη λίστα αναμονής" in sofia.labels()

    await cancel(services, taken[1])  # 10:00 frees up
    await drain(app.bot, services)
    offer = sofia.keyboard_message()
    assert offer.text.startswith("🔔") and "10:00" in offer.text
    assert sofia.labels(offer) == ["Κράτηση", "Όχι, ευχαριστώ", "Αλλαγή στοιχείων"]
    take = offer.buttons[0]["callback_data"]
    await sofia.press("Κράτηση", offer)
    assert "Η κράτησή σας επιβεβαιώθηκε." in sofia.text
    await drain(app.bot, services)
    notices = [m.text for m in fake.bot_messages(COUNSEL_CHAT) if "Κράτηση από τη λίστα" in m.text]
    assert len(notices) == 1  # the department sees it came from the waitlist
    await sofia.press_data(take, offer)  # a second tap
    made = [b for b in await all_bookings(services, B) if b.is_active]
    assert len(made) == 1 and made[0].start == WEDNESDAY + timedelta(hours=1)
    await sofia.press_data("1|wy|999", offer)  # forged: another's or no offer
    assert "δεν είναι διαθέσιμη" in sofia.last_answer.get("text", "")
    assert len([b for b in await all_bookings(services, B) if b.is_active]) == 1


async def offered_to_sofia(services: Services, app: App, fake: FakeTelegram,
                           earlier: bool = False) -> tuple[Citizen, Sent]:
    """Sofia (B) waits; A's seat frees up and is offered to her: her offer's message.
    `earlier`: she booked before (a booking she cancelled), so her details are known."""
    made = await book(services, A)
    sofia = Citizen(fake, app, user_id=B)
    if earlier:
        await cancel(services, await book(services, B, THURSDAY_ELEVEN + timedelta(days=7)))
    await join(services, B)
    await cancel(services, made)
    await drain(app.bot, services)
    return sofia, sofia.keyboard_message()


async def test_an_expired_offer_pressed_is_answered_and_changes_nothing(
    services: Services, app: App, fake: FakeTelegram, clock: FrozenClock
) -> None:
    sofia, offer = await offered_to_sofia(services, app, fake)
    no_thanks = offer.buttons[1]["callback_data"]
    clock.advance(minutes=16)
    await sofia.press("Κράτηση", offer)
    # Nobody else waits: it says no more than that the time is no longer held for her.
    assert sofia.text == "Η προσφορά αυτή έχει λήξει· η ώρα δεν κρατείται πλέον για εσάς."
    assert [b for b in await all_bookings(services, B) if b.is_active] == []
    assert not offer.buttons  # the offer's message now says it expired
    await sofia.press_data(no_thanks, offer)  # pressed on a screen not yet updated
    assert "έχει λήξει" in sofia.text


EMAIL_OF_B = request(B).details.email
DECLARATION = "Δηλώνω υπεύθυνα ότι τα ανωτέρω στοιχεία είναι αληθή και ακριβή."


async def test_an_offer_shows_the_details_it_books_with_and_the_declaration(
    services: Services, app: App, fake: FakeTelegram, clock: FrozenClock
) -> None:
    sofia, offer = await offered_to_sofia(services, app, fake, earlier=True)
    lines = offer.text.split("\n")
    at = lines.index("Τα στοιχεία σας, από την τελευταία σας κράτηση:")
    # As the summary shows them; in person: no third participant.
    assert lines[at + 1: at + 7] == [
        "Ονοματεπώνυμο: Πολίτης 5002", f"Email: {EMAIL_OF_B}", "Τηλέφωνο: 306912345678",
        "Διεύθυνση: —", "Σημειώσεις: —", "Ειδικές απαιτήσεις: —"]
    assert lines[at + 7: at + 9] == ["", "Υπεύθυνη δήλωση"]
    service = services.catalog.service(SERVICE)
    assert service is not None
    consent = service.municipality.consent.get("el")
    assert lines[at + 10] == consent and consent.startswith(DECLARATION)
    assert lines[-1].startswith("Πατώντας «Κράτηση» επιβεβαιώνετε τα παραπάνω στοιχεία, "
                                "αποδέχεστε την υπεύθυνη δήλωση")
    assert "Τρίτος συμμετέχων" not in offer.text
    clock.advance(minutes=3)
    await sofia.press("Κράτηση", offer)
    assert "Η κράτησή σας επιβεβαιώθηκε." in sofia.text
    (made,) = [b for b in await all_bookings(services, B) if b.is_active]
    assert (made.start, made.details, made.consent_at) == (
        THURSDAY_ELEVEN, request(B).details, clock())  # what she saw, accepted as she booked


async def test_book_on_an_offer_whose_details_changed_shows_it_again_first(
    services: Services, app: App, fake: FakeTelegram
) -> None:
    """Her last booking is another since the offer was sent: «Book» books nothing she has
    not seen; the offer, shown again with those details, books with them."""
    sofia, offer = await offered_to_sofia(services, app, fake, earlier=True)
    changed = Details(name="Σοφία Νέα", email="nea@example.com", phone="306912345678")
    other = dataclasses.replace(request(B, FRIDAY_ELEVEN - timedelta(hours=2), service=INFO),
                                details=changed)
    await write(services.db, booking.book, services.catalog, services.settings.zone, other,
                services.clock())
    await sofia.press("Κράτηση", offer)
    assert sofia.last_answer.get("text", "").startswith(
        "Τα στοιχεία με τα οποία θα γινόταν η κράτηση")
    assert [b.service_id for b in await all_bookings(services, B) if b.is_active] == [INFO]
    again = fake.find(B, offer.message_id)
    assert again is not None and "Email: nea@example.com" in again.text
    assert EMAIL_OF_B not in again.text
    await sofia.press("Κράτηση", again)
    assert "Η κράτησή σας επιβεβαιώθηκε." in sofia.text
    made = [b for b in await all_bookings(services, B) if b.is_active and b.service_id == SERVICE]
    assert [(b.start, b.details) for b in made] == [(THURSDAY_ELEVEN, changed)]


async def test_book_on_an_offer_sent_before_the_review_shows_it_first(
    services: Services, app: App, fake: FakeTelegram
) -> None:
    """Its «Book» carries no fingerprint (sent by the bot before offers showed details):
    nothing booked unseen; the offer is shown again, details and declaration."""
    sofia, offer = await offered_to_sofia(services, app, fake, earlier=True)
    offer_id = (await open_offer_of(services, B))["id"]
    await sofia.press_data(f"1|wy|{offer_id}", offer)
    assert sofia.last_answer.get("text", "").startswith(
        "Τα στοιχεία με τα οποία θα γινόταν η κράτηση")
    assert [b for b in await all_bookings(services, B) if b.is_active] == []
    assert (await store_offer(services, offer_id))["status"] == "open"
    again = sofia.keyboard_message()  # not the message pressed on: a modified client's
    assert again.message_id != offer.message_id
    assert EMAIL_OF_B in again.text and DECLARATION in again.text
    await sofia.press("Κράτηση", again)
    assert [b.start for b in await all_bookings(services, B) if b.is_active] == [
        THURSDAY_ELEVEN]


async def test_without_earlier_details_book_asks_for_them_in_the_flow(
    services: Services, app: App, fake: FakeTelegram
) -> None:
    sofia, offer = await offered_to_sofia(services, app, fake)
    assert sofia.labels(offer) == ["Κράτηση", "Όχι, ευχαριστώ"]
    assert offer.text.endswith("Πατώντας «Κράτηση» συμπληρώνετε τα στοιχεία σας και "
                               "αποδέχεστε την υπεύθυνη δήλωση, πριν ολοκληρώσετε την κράτηση.")
    await sofia.press("Κράτηση", offer)
    assert MARKERS["el"]["name"] in sofia.text
    await sofia.send(NAME)
    await sofia.send(EMAIL)
    await sofia.share_contact(PHONE)
    for _ in ("address", "notes", "requirements"):
        await sofia.press("Παράλειψη")
    await sofia.press("✅ Αποδέχομαι")
    assert MARKERS["el"]["summary"] in sofia.text and "11:00" in sofia.text
    await sofia.press("✅ Κράτηση")
    (made,) = [b for b in await all_bookings(services, B) if b.is_active]
    assert (made.start, made.details.name, made.details.email) == (THURSDAY_ELEVEN, NAME, EMAIL)


async def test_change_details_books_the_held_seat_in_the_flow(
    services: Services, app: App, fake: FakeTelegram
) -> None:
    """«Change details»: the flow's details steps for the held time, from her last
    booking's; its summary's «Book» takes the offer, with what she typed."""
    sofia, offer = await offered_to_sofia(services, app, fake, earlier=True)
    await sofia.press("Αλλαγή στοιχείων", offer)
    assert MARKERS["el"]["name"] in sofia.text and "Πολίτης 5002" in sofia.text
    await sofia.press("Διατήρηση: Πολίτης 5002")
    await sofia.send("nea@example.com")
    await sofia.share_contact(PHONE)
    for _ in ("address", "notes", "requirements"):
        await sofia.press("Παράλειψη")
    assert MARKERS["el"]["consent"] in sofia.text
    assert await normal_booking(services, C) == "taken"  # held for her all along
    await sofia.press("✅ Αποδέχομαι")
    assert MARKERS["el"]["summary"] in sofia.text and "nea@example.com" in sofia.text
    assert "Πέμπτη, 3 Δεκεμβρίου 2026" in sofia.text and "11:00" in sofia.text
    await sofia.press("✅ Κράτηση")
    assert "Η κράτησή σας επιβεβαιώθηκε." in sofia.text
    (made,) = [b for b in await all_bookings(services, B) if b.is_active]
    assert made.start == THURSDAY_ELEVEN
    assert (made.details.name, made.details.email) == ("Πολίτης 5002", "nea@example.com")
    offered = await offers(services)
    assert [(o["user_id"], o["status"], o["booking_id"]) for o in offered] == [
        (B, "taken", made.id)]
    await drain(app.bot, services)
    notices = [m.text for m in fake.bot_messages(COUNSEL_CHAT) if "Κράτηση από τη λίστα" in m.text]
    assert len(notices) == 1  # the department sees it came from the waitlist
    shown = fake.find(B, offer.message_id)
    assert shown is not None and "Η κράτησή σας επιβεβαιώθηκε." in shown.text


async def test_change_details_pressed_once_the_offer_expired_changes_nothing(
    services: Services, app: App, fake: FakeTelegram, clock: FrozenClock
) -> None:
    sofia, offer = await offered_to_sofia(services, app, fake, earlier=True)
    assert "Αλλαγή στοιχείων" in sofia.labels(offer)
    change = offer.buttons[sofia.labels(offer).index("Αλλαγή στοιχείων")]["callback_data"]
    await join(services, C)
    clock.advance(minutes=16)
    await drain(app.bot, services)  # it ran out, and C was offered the seat: C takes it
    await book(services, C)
    await sofia.press_data(change, offer)  # on her screen, not yet updated
    assert sofia.text == "Η προσφορά αυτή έχει λήξει· η ώρα δεν κρατείται πλέον για εσάς."
    assert not any(MARKERS["el"]["name"] in m.text for m in sofia.messages)
    assert [b for b in await all_bookings(services, B) if b.is_active] == []
    assert [(o["user_id"], o["status"]) for o in await offers(services)] == [
        (B, "expired"), (C, "taken")]


async def test_the_held_time_is_its_citizens_to_choose_in_the_flow(
    services: Services, app: App, fake: FakeTelegram
) -> None:
    """Back from her details: the time the offer holds is among her times, its day among
    her free days, though the day is full for everyone else."""
    taken = [await book(services, 6001 + hour, WEDNESDAY + timedelta(hours=hour))
             for hour in range(4)]
    sofia = Citizen(fake, app, user_id=B)
    await join(services, B, date(2026, 12, 2))
    await cancel(services, taken[1])  # 10:00, offered to her: the day's one free time
    await drain(app.bot, services)
    await sofia.press("Κράτηση", sofia.keyboard_message())
    await sofia.press("« Πίσω")
    assert MARKERS["el"]["time"] in sofia.text
    assert [label for label in sofia.labels() if ":" in label] == ["10:00"]
    await sofia.press("« Πίσω")
    assert MARKERS["el"]["day"] in sofia.text and "2" in sofia.labels()
    await sofia.press("2")
    await sofia.press("10:00")
    assert MARKERS["el"]["name"] in sofia.text
    mallory = Citizen(fake, app, user_id=C)
    await walk(mallory, "day")
    assert "2" not in mallory.labels()


async def all_bookings(services: Services, user: int) -> list[Booking]:
    from storage import bookings

    async with services.db.read() as conn:
        return await bookings.bookings_of_user(conn, user)


async def test_forgetting_and_retention_erase_waitlist_places(
    services: Services, clock: FrozenClock
) -> None:
    from bot.services import privacy, retention

    made = await book(services, A)
    await join(services, B)
    await join(services, C, date(2026, 12, 3))
    await cancel(services, made)  # B is offered the seat, held for them
    await write(services.db, privacy.forget, services.catalog, services.settings.zone, B,
                clock())
    async with services.db.read() as conn:
        assert await store.entries_of(conn, B) == []
    # The hold went with the place, and the seat to the next in line.
    assert [o["user_id"] for o in await open_offers(services)] == [C]
    await write(services.db, waitlist.decline, services.catalog, services.settings.zone, C,
                (await open_offer_of(services, C))["id"], clock())
    clock.now = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)  # C's day is past
    await write(services.db, retention.erase_old, clock(), 90)
    async with services.db.read() as conn:
        assert await store.entries_of(conn, C) == []


async def test_staff_see_the_waitlist_and_how_offers_ended(
    services: Services, app: App, fake: FakeTelegram, clock: FrozenClock
) -> None:
    first = await offered_to_b(services)
    await write(services.db, waitlist.decline, services.catalog, services.settings.zone, B,
                first["id"], clock())
    clock.advance(minutes=16)  # C lets theirs run out
    await drain(app.bot, services)
    admin = Citizen(fake, app, user_id=9001)
    await admin.send("/stats")
    assert "Λίστα αναμονής" in admin.text
    assert "Εργασιακή συμβουλευτική: 2" in admin.text  # both still wait
    assert "0 έγιναν δεκτές, 1 απορρίφθηκαν, 1 έληξαν" in admin.text


async def test_leaving_with_an_open_offer_passes_the_seat_to_the_next(
    services: Services, clock: FrozenClock
) -> None:
    offer = await offered_to_b(services)
    place = await place_of(services, B)
    assert await write(services.db, waitlist.leave, services.catalog, services.settings.zone,
                       B, place["id"], clock())
    assert not await write(services.db, waitlist.leave, services.catalog,
                           services.settings.zone, B, place["id"], clock())  # again
    assert (await store_offer(services, offer["id"]))["status"] == "withdrawn"
    assert (await open_offer_of(services, C))["start_at"] == THURSDAY_ELEVEN
    with pytest.raises(waitlist.OfferGone):  # B's offer, pressed after leaving
        await write(services.db, waitlist.accept, services.catalog, services.settings.zone,
                    B, offer["id"], request(B).details.fingerprint(), clock())


async def store_offer(services: Services, offer_id: int) -> dict[str, Any]:
    async with services.db.read() as conn:
        found = await store.offer(conn, offer_id)
    assert found is not None
    return found


async def test_forgetting_offers_the_seats_it_cancels(
    services: Services, clock: FrozenClock
) -> None:
    from bot.services import privacy

    await book(services, A)
    await join(services, A)  # their own seat is never offered back to them
    await join(services, B)
    cancelled = await write(services.db, privacy.forget, services.catalog,
                            services.settings.zone, A, clock())
    assert cancelled == 1
    assert [(o["user_id"], o["start_at"]) for o in await offers(services)] == [
        (B, THURSDAY_ELEVEN)]


FRIDAY_ELEVEN = THURSDAY_ELEVEN + timedelta(days=1)


async def _cancelled(services: Services, made: Booking) -> None:
    await cancel(services, made)


async def _moved(services: Services, made: Booking) -> None:
    await write(services.db, booking.reschedule, services.catalog, services.settings.zone,
                made.reference, request(made.user_id, FRIDAY_ELEVEN), services.clock())


async def _moved_by_staff(services: Services, made: Booking) -> None:
    """As the citizen asked staff, by phone or at the desk."""
    await write(services.db, booking.move_by_staff, services.catalog, services.settings.zone,
                made.reference, FRIDAY_ELEVEN, 9001, services.clock())


@pytest.mark.parametrize("give_up", [_cancelled, _moved, _moved_by_staff])
async def test_a_citizen_is_not_offered_back_the_seat_they_give_up(
    services: Services, give_up: Callable[[Services, Booking], Awaitable[None]]
) -> None:
    made = await book(services, A)
    await join(services, A)  # A waits for another time of the service, before B
    await join(services, B)
    await give_up(services, made)
    assert [(o["user_id"], o["start_at"]) for o in await offers(services)] == [
        (B, THURSDAY_ELEVEN)]
    assert await items(services, offering.AT_LIMIT) == []  # nor told of a limit about it


async def test_a_citizen_whose_booking_staff_cancel_keeps_their_turn_for_its_seat(
    services: Services, clock: FrozenClock
) -> None:
    """They did not give it up: it is offered in turn, to them too."""
    made = await book(services, A)
    await join(services, A)
    await join(services, B)
    await write(services.db, booking.cancel, services.catalog, made.reference, 9001, clock(),
                by_staff=True, zone=services.settings.zone)
    assert [(o["user_id"], o["start_at"]) for o in await offers(services)] == [
        (A, THURSDAY_ELEVEN)]


async def test_a_part_of_the_day_is_chosen_when_joining_and_honoured(
    services: Services, app: App, fake: FakeTelegram
) -> None:
    taken = [await book(services, 6001 + hour, WEDNESDAY + timedelta(hours=hour))
             for hour in range(3)]
    sofia = Citizen(fake, app, user_id=B)
    await walk(sofia, "time")
    noon = await book(services, 6004, WEDNESDAY + timedelta(hours=3))  # the day's last time
    await sofia.press("12:00")
    assert {"Μόνο πρωινά", "Μόνο απογεύματα"} <= set(sofia.labels())
    await sofia.press("Μόνο απογεύματα")  # that day's afternoon
    assert "απογευματινές ώρες" in sofia.text
    await join(services, C)  # after Sofia, for any time
    await cancel(services, taken[1])  # 10:00, a morning: not Sofia's wish
    assert [o["user_id"] for o in await open_offers(services)] == [C]
    place = await place_of(services, B)
    assert place["part"] == "afternoon" and place["day"] == date(2026, 12, 2)
    await cancel(services, taken[0])  # 09:00, a morning too: C has an offer open
    assert [o["user_id"] for o in await open_offers(services)] == [C]
    await cancel(services, noon)  # 12:00: an afternoon, Sofia's
    assert (await open_offer_of(services, B))["start_at"] == WEDNESDAY + timedelta(hours=3)


async def _expire(services: Services, app: App, sofia: Citizen, clock: FrozenClock) -> None:
    clock.advance(minutes=16)


async def _decline_unseen(services: Services, app: App, sofia: Citizen,
                          clock: FrozenClock) -> None:
    """Declined, and the handler's own reply lost: the outbox shows it all the same."""
    await write(services.db, waitlist.decline, services.catalog, services.settings.zone, B,
                (await open_offer_of(services, B))["id"], clock())


async def _decline(services: Services, app: App, sofia: Citizen, clock: FrozenClock) -> None:
    await sofia.press("Όχι, ευχαριστώ", sofia.keyboard_message())


async def _leave(services: Services, app: App, sofia: Citizen, clock: FrozenClock) -> None:
    await sofia.send("/mybookings")
    await sofia.press("Αποχώρηση από τη λίστα αναμονής")


async def _forget(services: Services, app: App, sofia: Citizen, clock: FrozenClock) -> None:
    from bot.services import privacy

    await write(services.db, privacy.forget, services.catalog, services.settings.zone, B,
                clock())


async def _close(services: Services, app: App, sofia: Citizen, clock: FrozenClock) -> None:
    await write(services.db, closing.close_day, services.catalog, date(2026, 12, 3), "group",
                "chios-ksyg", "απεργία", 9001, clock(), services.settings.zone)


async def _book_in_the_flow(services: Services, app: App, sofia: Citizen,
                            clock: FrozenClock) -> None:
    """The held time booked otherwise than with «Book» (as the flow books it)."""
    await book(services, B)


Ending = Callable[[Services, App, Citizen, FrozenClock], Awaitable[None]]
ENDINGS: dict[str, tuple[Ending, str]] = {
    "it expires": (_expire, "Η προσφορά αυτή έχει λήξει."),
    "declined, the reply lost": (_decline_unseen, "Απορρίψατε αυτή την προσφορά."),
    "declined": (_decline, "Απορρίψατε αυτή την προσφορά."),
    "the citizen leaves the list": (_leave, "Αποχωρήσατε από τη λίστα αναμονής."),
    "the citizen is forgotten": (_forget, "Η προσφορά αυτή ανακλήθηκε."),
    "the day is closed": (_close, "Η ημέρα αυτή έκλεισε."),
    "booked in the flow": (_book_in_the_flow, "Η κράτησή σας επιβεβαιώθηκε."),
}


@pytest.mark.parametrize("ending", list(ENDINGS))
async def test_an_offer_that_ends_stops_looking_pressable(
    services: Services, app: App, fake: FakeTelegram, clock: FrozenClock, ending: str
) -> None:
    act, shown = ENDINGS[ending]
    sofia, sent = await offered_to_sofia(services, app, fake, earlier=True)
    assert sofia.labels(sent) == ["Κράτηση", "Όχι, ευχαριστώ", "Αλλαγή στοιχείων"]
    assert EMAIL_OF_B in sent.text and DECLARATION in sent.text
    await act(services, app, sofia, clock)
    await drain(app.bot, services)
    offer = fake.find(B, sent.message_id)
    assert offer is not None and shown in offer.text, offer
    # Nothing left to review, nor a «Book» to say it confirms: neither details nor the
    # declaration (an erased citizen's least of all).
    assert EMAIL_OF_B not in offer.text and DECLARATION not in offer.text
    offered = {"Κράτηση", "Όχι, ευχαριστώ", "Αλλαγή στοιχείων"}
    assert not offered & set(sofia.labels(offer) if offer.buttons else [])
    if ending == "the citizen is forgotten":
        assert offer.text == shown  # nothing of what they waited for is left
    elif ending == "booked in the flow":  # a confirmation: changes of the booking show there
        await cancel(services, await book_of(services, B))
        await drain(app.bot, services)
        assert "Ακυρώθηκε" in (fake.find(B, sent.message_id) or offer).text
    else:
        assert "Εργασιακή συμβουλευτική" in offer.text and "11:00" in offer.text


# Two services of one desk (their catalog entries name one `resource`), one seat: applying
# takes 50 minutes every 30, information 30 minutes.
APPLY, INFO = "chios-opeka-apply", "chios-opeka-info"
THURSDAY_NINE = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)  # 09:00 in Athens
HALF_PAST = THURSDAY_NINE + timedelta(minutes=30)


@pytest.mark.parametrize(("first", "offered"), [
    (C, {(C, INFO, THURSDAY_NINE), (B, APPLY, HALF_PAST)}),  # C's half hour, then B's time
    (B, {(B, APPLY, THURSDAY_NINE)}),  # B's 50 minutes leave no half hour for C
])
async def test_a_seat_freed_on_a_shared_desk_goes_to_whoever_joined_first_across_its_services(
    services: Services, clock: FrozenClock, first: int, offered: set[tuple[int, str, datetime]]
) -> None:
    made = await book(services, A, THURSDAY_NINE, APPLY)  # 09:00–09:50 of the desk
    places = {B: APPLY, C: INFO}
    for user in sorted(places, key=lambda user: user != first):
        await join(services, user, service=places[user])
        clock.advance(minutes=1)
    await cancel(services, made)
    assert {(o["user_id"], o["service_id"], o["start_at"]) for o in await offers(services)} == (
        offered)


def more_desks(catalog: str) -> str:
    at = catalog.index('id = "chios-work-counsel"')
    return catalog[:at] + catalog[at:].replace("step = 30\n", "step = 30\ncapacity = 2\n", 1)


def longer_thursdays(catalog: str) -> str:
    at = catalog.index('id = "chios-ksyg"')  # the department's hours, which the service keeps
    return catalog[:at] + catalog[at:].replace('thu = ["09:00-13:00"]', 'thu = ["09:00-15:00"]',
                                               1)


@pytest.mark.parametrize(("change", "offered"), [
    (more_desks, [(B, "09:00"), (C, "10:00")]),  # a second desk: the day's first times
    (longer_thursdays, [(B, "13:00"), (C, "14:00")]),  # the new hours (12:30: overlaps 12:00)
])
async def test_times_a_reloaded_catalog_opens_are_offered_in_turn(
    services: Services, app: App, fake: FakeTelegram, clock: FrozenClock,
    change: Callable[[str], str], offered: list[tuple[int, str]]
) -> None:
    thursday = date(2026, 12, 3)
    for hour in range(4):  # the day is full: 09:00, 10:00, 11:00, 12:00, 50 minutes each
        await book(services, 6001 + hour, THURSDAY_NINE + timedelta(hours=hour))
    for user in (B, C):
        await join(services, user, thursday)
        clock.advance(minutes=1)
    admin = Citizen(fake, app, user_id=9001)
    await admin.send("/reload")  # nothing changed: nothing is offered
    assert await offers(services) == []
    path = services.settings.catalog_path
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    await admin.send("/reload")
    assert "Άλλαξαν" in admin.text
    zone = services.settings.zone
    assert [(o["user_id"], o["start_at"].astimezone(zone).strftime("%H:%M"))
            for o in await offers(services)] == offered
    for user in (B, C):  # sent at once
        assert [m.text[0] for m in fake.bot_messages(user)] == ["🔔"]


async def test_a_citizen_joins_from_a_calendar_with_no_free_day(
    services: Services, app: App, fake: FakeTelegram
) -> None:
    path = services.settings.catalog_path
    catalog = path.read_text(encoding="utf-8")
    at = catalog.index('id = "chios-work-counsel"')
    path.write_text(catalog[:at] + catalog[at:].replace(
        "step = 30\n", "step = 30\nhorizon_days = 2\n", 1), encoding="utf-8")
    await Citizen(fake, app, user_id=9001).send("/reload")  # to Thursday: fill it all
    tuesday_noon = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    starts = [tuesday_noon] + [WEDNESDAY + timedelta(days=d, hours=h)
                               for d in range(2) for h in range(4)]
    taken = [await book(services, 6001 + n, start) for n, start in enumerate(starts)]
    sofia = Citizen(fake, app, user_id=B)
    await walk(sofia, "channel")
    await sofia.press("🎥 Τηλεδιάσκεψη")
    assert "Δεν υπάρχουν διαθέσιμες ώρες τις επόμενες 2 ημέρες." in sofia.text
    await sofia.press("Ειδοποιήστε με αν ελευθερωθεί θέση")
    assert sofia.text.startswith("Εγγραφήκατε στη λίστα αναμονής της υπηρεσίας «Εργασιακή "
                                 "συμβουλευτική». Αν ελευθερωθεί θέση")
    place = await place_of(services, B)
    assert (place["channel"], place["day"], place["part"]) == ("video", None, "")
    await cancel(services, taken[-2])  # Thursday 11:00
    await drain(app.bot, services)
    offer = sofia.keyboard_message()
    assert "Τηλεδιάσκεψη" in offer.text and "Πέμπτη, 3 Δεκεμβρίου 2026" in offer.text


async def test_forged_waitlist_buttons_change_nothing(
    services: Services, app: App, fake: FakeTelegram
) -> None:
    offer = await offered_to_b(services)
    place = await place_of(services, B)
    mallory = Citizen(fake, app, user_id=C)
    await mallory.send("/mybookings")  # a message with buttons to forge them on
    shown = mallory.keyboard_message()
    for data, answer in [
        (f"1|wy|{offer['id']}", "Η προσφορά αυτή δεν είναι διαθέσιμη."),  # B's offer
        (f"1|wn|{offer['id']}", "Η προσφορά αυτή δεν είναι διαθέσιμη."),
        (f"1|wc|{offer['id']}", "Η προσφορά αυτή δεν είναι διαθέσιμη."),  # not her flow
        (f"1|wl|{place['id']}", "Δεν είστε πλέον εγγεγραμμένοι σε αυτή τη λίστα αναμονής."),
        ("1|wy|x", "Το κουμπί αυτό ανήκει σε προηγούμενο μήνυμα"),  # does not parse
    ]:
        await mallory.press_data(data, shown)
        assert mallory.last_answer.get("text", "").startswith(answer), data
    assert (await store_offer(services, offer["id"]))["status"] == "open"
    async with services.db.read() as conn:
        assert [p["id"] for p in await store.entries_of(conn, B)] == [place["id"]]
    assert await all_bookings(services, C) == []
    assert fake.find(C, shown.message_id) == shown and shown.edits == 0
    assert not any(MARKERS["el"]["name"] in m.text for m in mallory.messages)


# Just after midnight in Athens on Sunday 6 December 2026: Thursday 4 February 2027 enters
# the counselling's 60 days' horizon; on Monday Friday 5, on Tuesday a Saturday.
SUNDAY_MIDNIGHT = datetime(2026, 12, 5, 22, 0, 30, tzinfo=UTC)


async def horizon_run(app: App) -> None:
    """The daily job, as the job queue runs it (at midnight, and at each start)."""
    await jobs.horizon_job(SimpleNamespace(application=app))


async def offered_when(services: Services) -> list[tuple[int, str]]:
    zone = services.settings.zone
    return [(o["user_id"], o["start_at"].astimezone(zone).strftime("%d/%m %H:%M"))
            for o in await offers(services)]


async def test_the_day_that_enters_the_horizon_is_offered_in_turn_once(
    services: Services, app: App, fake: FakeTelegram, clock: FrozenClock
) -> None:
    for user in (B, C):
        await join(services, user)
    clock.now = SUNDAY_MIDNIGHT
    await horizon_run(app)
    assert await offered_when(services) == [(B, "04/02 09:00"), (C, "04/02 10:00")]
    await drain(app.bot, services)
    assert "Πέμπτη, 4 Φεβρουαρίου 2027" in fake.bot_messages(B)[-1].text
    await join(services, D)
    await horizon_run(app)  # a restart the same day: the day's run is not made again
    assert len(await offers(services)) == 2
    clock.advance(days=2)  # no run on Monday (the bot was down): Tuesday's offers its day
    await horizon_run(app)
    assert (await offered_when(services))[2:] == [(D, "05/02 09:00")]

"""Citizens manage their bookings: view, reschedule, cancel, book again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from bot.app import App
from bot.domain.model import Booking, BookingRequest, Channel, Details, Status
from bot.domain.rules import NotAllowed
from bot.services.booking import book as domain_book
from bot.services.runtime import Services
from storage import bookings as store
from tests.chat import Citizen
from tests.conftest import FrozenClock, write
from tests.e2e.flow import MARKERS, book, walk
from tests.fakebot import FakeTelegram, Sent

NINE_THIRTY = datetime(2026, 12, 2, 7, 30, tzinfo=UTC)  # Wed 2 Dec, 09:30 Athens


async def only_booking(services: Services, user_id: int) -> Booking:
    async with services.db.read() as conn:
        [found] = await store.bookings_of_user(conn, user_id)
    return found


def ics_of(message: Sent) -> Calendar:
    assert message.document is not None
    return Calendar.from_ical(message.document["content"])


def invitations(citizen: Citizen) -> list[Calendar]:
    return [ics_of(m) for m in citizen.messages if m.document]


async def test_my_bookings_shows_a_card_per_booking(citizen: Citizen) -> None:
    await citizen.send("/mybookings")
    assert citizen.text == "Δεν έχετε προσεχείς κρατήσεις."
    assert citizen.labels() == ["Προηγούμενες κρατήσεις", "Νέα κράτηση"]
    await book(citizen)
    await citizen.press("Οι κρατήσεις μου")
    header, card = citizen.messages[-2], citizen.messages[-1]
    assert "Οι προσεχείς κρατήσεις σας" in header.text
    assert "Εργασιακή συμβουλευτική" in card.text and "✅ Επιβεβαιωμένη" in card.text
    assert "Ώρα: 09:30 – 10:20" in card.text
    assert citizen.labels(card) == ["Συμμετοχή στη συνάντηση", "🔁 Προγραμματισμός εκ νέου",
                                    "❌ Ακύρωση κράτησης"]
    await citizen.press("Προηγούμενες κρατήσεις", header)
    assert citizen.text == "Δεν έχετε προηγούμενες κρατήσεις."


async def test_reschedule_moves_the_booking_and_updates_every_message(
    citizen: Citizen, services: Services
) -> None:
    await book(citizen)
    confirmation = citizen.messages[-2]
    before = await only_booking(services, citizen.id)
    await citizen.press("🔁 Προγραμματισμός εκ νέου", confirmation)
    assert "Επιλέξτε νέα ημέρα και ώρα." in citizen.text
    assert MARKERS["el"]["day"] in citizen.text
    await citizen.press("3")
    await citizen.press("11:00")
    summary = citizen.text
    assert "Ελέγξτε την αλλαγή" in summary
    assert "Μέχρι τώρα: Τετάρτη, 2 Δεκεμβρίου 2026, 09:30" in summary
    assert "Ημερομηνία: Πέμπτη, 3 Δεκεμβρίου 2026" in summary
    await citizen.press("✅ Επιβεβαίωση αλλαγής")

    after = await only_booking(services, citizen.id)
    assert after.id == before.id and after.reference == before.reference
    assert after.start == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert after.sequence == 1
    assert after.meeting_url == before.meeting_url  # the video link stays the same
    assert "Η κράτησή σας άλλαξε." in citizen.messages[-2].text
    assert "Ώρα: 11:00 – 11:50" in confirmation.text  # the old confirmation, updated
    assert "Η κράτηση αυτή άλλαξε" in confirmation.text
    first, second = invitations(citizen)
    [old_event], [new_event] = first.walk("VEVENT"), second.walk("VEVENT")
    assert str(old_event["UID"]) == str(new_event["UID"]) == before.uid
    assert int(new_event["SEQUENCE"]) > int(old_event["SEQUENCE"])
    assert new_event.decoded("DTSTART") == after.start
    async with services.db.read() as conn:
        events = await store.events_of(conn, after.id)
    assert [e["kind"] for e in events] == ["booked", "rescheduled"]
    assert events[1]["data"]["from"]["start"] == NINE_THIRTY.isoformat()
    assert events[1]["data"]["to"]["start"] == after.start.isoformat()
    assert events[1]["actor"] == citizen.id


async def test_the_old_time_is_free_again_after_a_reschedule(
    fake: FakeTelegram, app: App, services: Services
) -> None:
    first = Citizen(fake, app, user_id=8001)
    await book(first)
    await first.press("🔁 Προγραμματισμός εκ νέου", first.messages[-2])
    await first.press("2")
    assert "10:00" in first.labels()  # overlaps its own 09:30 booking: free to move to
    await first.press("10:00")
    await first.press("✅ Επιβεβαίωση αλλαγής")
    assert (await only_booking(services, 8001)).start == datetime(2026, 12, 2, 8, 0,
                                                                  tzinfo=UTC)
    second = Citizen(fake, app, user_id=8002)
    await walk(second, "time")
    assert "09:00" in second.labels()
    assert "09:30" not in second.labels() and "10:00" not in second.labels()


async def test_a_reschedule_that_loses_the_race_keeps_the_old_booking(
    fake: FakeTelegram, app: App, services: Services
) -> None:
    mover = Citizen(fake, app, user_id=8101)
    await book(mover)
    await mover.press("🔁 Προγραμματισμός εκ νέου", mover.messages[-2])
    await mover.press("3")
    await mover.press("11:00")
    rival = Citizen(fake, app, user_id=8102)
    await walk(rival, "day")
    await rival.press("3")
    await rival.press("11:00")
    await walk(rival, "summary", start="email")
    await rival.press("✅ Κράτηση")
    await mover.press("✅ Επιβεβαίωση αλλαγής")
    assert "μόλις κρατήθηκε από άλλον πολίτη" in mover.text
    kept = await only_booking(services, 8101)
    assert kept.start == NINE_THIRTY and kept.sequence == 0
    won = await only_booking(services, 8102)
    assert won.start == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    async with services.db.read() as conn:
        assert await store.active_holds_of(conn, kept.id) == 10  # still holds its desk


async def test_cancel_frees_the_seat_and_sends_a_cancel_invitation(
    citizen: Citizen, services: Services, fake: FakeTelegram, app: App
) -> None:
    await book(citizen)
    confirmation = citizen.messages[-2]
    await citizen.press("❌ Ακύρωση κράτησης", confirmation)
    assert "Θέλετε να ακυρώσετε αυτή την κράτηση;" in citizen.text
    await citizen.press("Ναι, ακύρωση")
    cancelled = await only_booking(services, citizen.id)
    assert cancelled.status is Status.CANCELLED
    card = citizen.messages[-2]
    assert "❌ Ακυρώθηκε" in card.text and "ακυρώθηκε και η ώρα είναι πλέον διαθέσιμη" in card.text
    assert citizen.labels(card) == ["Νέα κράτηση"]
    assert "❌ Ακυρώθηκε" in confirmation.text
    assert not confirmation.buttons  # the confirmation shows it cancelled, buttons gone
    booked_ics, cancel_ics = invitations(citizen)
    assert str(cancel_ics["METHOD"]) == "CANCEL"
    [event] = cancel_ics.walk("VEVENT")
    assert str(event["UID"]) == cancelled.uid and str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) > int(booked_ics.walk("VEVENT")[0]["SEQUENCE"])
    async with services.db.read() as conn:
        assert await store.active_holds_of(conn, cancelled.id) == 0
    other = Citizen(fake, app, user_id=8201)
    await walk(other, "time")
    assert "09:30" in other.labels()  # free at once
    await citizen.press("Νέα κράτηση", card)  # book again: same municipality and group
    assert MARKERS["el"]["service"] in citizen.text
    assert "Κέντρα Συμβουλευτικής Υποστήριξης Γυναικών" in citizen.text


async def test_a_cancellation_can_give_a_reason(citizen: Citizen, services: Services) -> None:
    await book(citizen)
    await citizen.press("❌ Ακύρωση κράτησης", citizen.messages[-2])
    await citizen.press("Ναι, και θα δηλώσω τον λόγο")
    prompt = citizen.last
    assert prompt.text.startswith("✍️ Πληκτρολογήστε τον λόγο ακύρωσης της κράτησης")
    await citizen.send("Βρήκα <άλλη> λύση & ευχαριστώ")  # not a reply: not the reason
    assert (await only_booking(services, citizen.id)).status is Status.BOOKED
    await citizen.reply("Βρήκα <άλλη> λύση & ευχαριστώ", prompt)
    cancelled = await only_booking(services, citizen.id)
    assert cancelled.status is Status.CANCELLED
    assert cancelled.cancel_reason == "Βρήκα <άλλη> λύση & ευχαριστώ"
    assert "Λόγος: Βρήκα <άλλη> λύση & ευχαριστώ" in citizen.messages[-2].text
    async with services.db.read() as conn:
        events = await store.events_of(conn, cancelled.id)
    assert events[-1]["kind"] == "cancelled"
    assert events[-1]["data"]["reason"] == cancelled.cancel_reason


async def test_keep_it_changes_nothing(citizen: Citizen, services: Services) -> None:
    await book(citizen)
    await citizen.press("❌ Ακύρωση κράτησης", citizen.messages[-2])
    await citizen.press("Όχι, να παραμείνει")
    assert citizen.text == "Η κράτησή σας παραμένει ως έχει."
    assert (await only_booking(services, citizen.id)).status is Status.BOOKED


async def test_changes_inside_the_cutoff_are_refused(citizen: Citizen, services: Services,
                                                     clock: FrozenClock) -> None:
    await book(citizen)
    confirmation = citizen.messages[-2]
    clock.now = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # 08:00, the appointment at 09:30
    await citizen.press("❌ Ακύρωση κράτησης", confirmation)
    refusal = "Οι κρατήσεις αλλάζουν ή ακυρώνονται έως 2 ώρες πριν από το ραντεβού."
    assert refusal in citizen.text
    await citizen.press("🔁 Προγραμματισμός εκ νέου", confirmation)
    assert refusal in citizen.text
    assert citizen.last_answer["show_alert"] is True
    booking = await only_booking(services, citizen.id)
    assert booking.status is Status.BOOKED and booking.start == NINE_THIRTY


def request(user_id: int, service: str, start: datetime) -> BookingRequest:
    return BookingRequest(user_id=user_id, service_id=service, channel=Channel.IN_PERSON,
                          start=start, details=Details("Σοφία Π.", "s@example.com",
                                                       "+306912345678"),
                          consent_at=start, locale="el", timezone="Europe/Athens")


async def test_one_booking_per_service_and_three_in_all(
    citizen: Citizen, services: Services, clock: FrozenClock
) -> None:
    zone, catalog = services.settings.zone, services.catalog
    friday_ten = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    await write(services.db, domain_book, catalog, zone,
                      request(citizen.id, "chios-work-counsel", friday_ten), clock())
    await walk(citizen, "service")
    await citizen.press("Εργασιακή συμβουλευτική")
    assert "Έχετε ήδη προσεχή κράτηση για αυτή την υπηρεσία." in citizen.text
    assert MARKERS["el"]["service"] in citizen.text  # still choosing

    for service in ("chios-opeka-apply", "chios-leases"):
        await write(services.db, domain_book, catalog, zone,
                          request(citizen.id, service, friday_ten), clock())
    await citizen.press("« Πίσω")
    await citizen.press("Κέντρο Κοινότητας")
    await citizen.press("Πληροφόρηση για επιδόματα")
    assert "Έχετε ήδη 3 προσεχείς κρατήσεις σε αυτόν τον Δήμο" in citizen.text
    with pytest.raises(NotAllowed):  # and the database transaction refuses it too
        await write(services.db, domain_book, catalog, zone,
                          request(citizen.id, "chios-opeka-info", friday_ten), clock())
    await citizen.send("/start m_kavala")  # another municipality has its own allowance
    await citizen.press("Τμήμα Δημοτολογίου")
    await citizen.press("Πιστοποιητικό οικογενειακής κατάστασης")
    assert MARKERS["el"]["channel"] in citizen.text


async def test_another_citizens_booking_is_refused(fake: FakeTelegram, app: App,
                                                   services: Services) -> None:
    owner = Citizen(fake, app, user_id=8301)
    await book(owner)
    reference = (await only_booking(services, 8301)).reference
    intruder = Citizen(fake, app, user_id=8302)
    await intruder.send("/help")
    target = intruder.last
    for data in (f"1|rs|{reference}", f"1|cx|{reference}", f"1|cy|{reference}",
                 "1|cy|AAAA-AAAA", "1|cr|" + reference):
        await intruder.press_data(data, target)
    answers = [a.get("text", "") for a in fake.answers[-5:]]
    assert answers == ["Η κράτηση δεν βρέθηκε."] * 5
    assert all(m.text == "Η κράτηση δεν βρέθηκε." for m in intruder.messages[-5:])
    kept = await only_booking(services, 8301)
    assert kept.status is Status.BOOKED and kept.start == NINE_THIRTY and kept.sequence == 0


async def test_buttons_of_a_cancelled_booking_are_refused(citizen: Citizen,
                                                          services: Services) -> None:
    await book(citizen)
    confirmation = citizen.messages[-2]
    data = {b["text"]: b.get("callback_data") for b in confirmation.buttons}
    await citizen.press("❌ Ακύρωση κράτησης", confirmation)
    question = citizen.last
    yes_data = question.buttons[0]["callback_data"]
    await citizen.press("Ναι, ακύρωση")
    await citizen.press_data(data["🔁 Προγραμματισμός εκ νέου"], confirmation)
    assert citizen.last_answer["text"] == "Η κράτηση αυτή δεν είναι πλέον ενεργή."
    await citizen.press_data(data["❌ Ακύρωση κράτησης"], confirmation)
    await citizen.press_data(yes_data, question)  # Yes, again
    assert citizen.last_answer["text"] == "Η κράτηση αυτή δεν είναι πλέον ενεργή."
    async with services.db.read() as conn:
        events = await store.events_of(conn, (await only_booking(services, citizen.id)).id)
    assert [e["kind"] for e in events] == ["booked", "cancelled"]


async def test_invitations_of_book_reschedule_cancel_keep_one_uid(citizen: Citizen) -> None:
    await book(citizen)
    await citizen.press("🔁 Προγραμματισμός εκ νέου", citizen.messages[-2])
    await citizen.press("3")
    await citizen.press("11:00")
    await citizen.press("✅ Επιβεβαίωση αλλαγής")
    await citizen.press("❌ Ακύρωση κράτησης", citizen.messages[-2])
    await citizen.press("Ναι, ακύρωση")
    calendars = invitations(citizen)
    events = [c.walk("VEVENT")[0] for c in calendars]
    assert [str(c["METHOD"]) for c in calendars] == ["REQUEST", "REQUEST", "CANCEL"]
    assert len({str(e["UID"]) for e in events}) == 1
    sequences = [int(e["SEQUENCE"]) for e in events]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3


async def test_back_out_of_a_reschedule_keeps_the_booking(citizen: Citizen,
                                                          services: Services) -> None:
    await book(citizen)
    await citizen.press("🔁 Προγραμματισμός εκ νέου", citizen.messages[-2])
    await citizen.press("« Πίσω")  # to the channel question (the service offers two)
    assert MARKERS["el"]["channel"] in citizen.text
    await citizen.press("« Πίσω")
    assert citizen.text == "Η κράτησή σας παραμένει ως έχει."
    await citizen.press("🔁 Προγραμματισμός εκ νέου", citizen.messages[-3])
    await citizen.press("✖ Ακύρωση")
    assert citizen.text == "Η κράτησή σας παραμένει ως έχει."
    assert (await only_booking(services, citizen.id)).start == NINE_THIRTY


async def test_a_reply_that_is_not_to_the_reason_prompt_is_ordinary_text(
    citizen: Citizen,
) -> None:
    await walk(citizen, "name")
    await citizen.reply("Σοφία Παπαδοπούλου", citizen.last)  # quoting the prompt
    assert MARKERS["el"]["email"] in citizen.text

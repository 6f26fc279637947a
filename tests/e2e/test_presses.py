"""Every button press is answered and harmless when its data is forged or stale, and a
second press of a button that edits its message changes nothing and shows no error."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from bot.app import App
from bot.domain.model import BookingRequest, Channel, Details
from bot.render.callbacks import ARGUMENTS
from bot.services.booking import book as domain_book
from bot.services.runtime import Services
from storage import bookings as store
from tests.chat import Citizen
from tests.conftest import FrozenClock, drain, write
from tests.e2e.flow import book, walk
from tests.fakebot import ApiError, FakeTelegram, Sent

COUNSEL_CHAT = -1001000000102
ERRORS = ("παρουσιάστηκε πρόβλημα", "something went wrong")
OTHER = 9801  # another citizen, with a booking of their own


async def other_booking(services: Services) -> store.Booking:
    request = BookingRequest(
        user_id=OTHER, service_id="chios-work-counsel", channel=Channel.IN_PERSON,
        start=datetime(2026, 12, 2, 10, 0, tzinfo=UTC),
        details=Details("Άλλος Πολίτης", "other@example.com", "+306912345678"),
        consent_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC), locale="el",
        timezone="Europe/Athens")
    made: store.Booking = await write(services.db, domain_book, services.catalog,
                                      services.settings.zone, request, services.clock())
    return made


def forged(reference: str) -> list[str]:
    """For every kind of button: data of the wrong shape, and data naming someone else's
    booking (or nothing that exists)."""
    datas = ["1|", "2|my|", "1|nope|x", "1|x", "1|t|x|1|2", "1|mo|2026-13|zz"]
    for step in ARGUMENTS:
        datas += [f"1|{step}|!!", f"1|{step}|{'x' * 60}", f"1|{step}|{reference}",
                  f"1|{step}|{reference}/5", f"1|{step}|ZZZZ-ZZZZ", f"1|{step}|ZZZZ-ZZZZ/1",
                  f"1|{step}||999999999"]
    return datas


def screen(messages: list[Sent]) -> list[tuple[str, object]]:
    return [(m.text or m.caption, m.reply_markup) for m in messages]


async def test_forged_data_on_every_button_is_answered_and_changes_nothing(
        citizen: Citizen, fake: FakeTelegram, app: App, services: Services) -> None:
    theirs = await other_booking(services)
    await book(citizen)
    await drain(app.bot, services)
    member = Citizen(fake, app, user_id=7700, chat_id=COUNSEL_CHAT)
    [mine] = await store_bookings(services, citizen.id)
    for who, reference in ((citizen, theirs.reference), (member, "ZZZZ-ZZZZ")):
        target = who.keyboard_message()
        for data in forged(reference):
            before, answered = screen(who.messages), len(fake.answers)
            await who.press_data(data, target)
            assert len(fake.answers) == answered + 1, data  # no spinner left turning
            assert screen(who.messages)[:len(before)] == before, data
            assert not any(e in t for e in ERRORS for t, _ in screen(who.messages)), data
    async with services.db.read() as conn:
        assert (await store.get_booking(conn, theirs.id)) == theirs
        assert (await store.get_booking(conn, mine.id)) == mine


async def store_bookings(services: Services, user_id: int) -> list[store.Booking]:
    async with services.db.read() as conn:
        return await store.bookings_of_user(conn, user_id)


async def test_keep_rewrites_only_the_question_that_asked(
        citizen: Citizen, app: App, services: Services) -> None:
    await book(citizen)
    await drain(app.bot, services)
    [mine] = await store_bookings(services, citizen.id)
    confirmation = next(m for m in citizen.messages if "επιβεβαιώθηκε" in m.text)
    shown = screen([confirmation])
    await citizen.press_data(f"1|ck|{mine.reference}", confirmation)  # not its question
    assert screen([confirmation]) == shown
    await citizen.press("❌ Ακύρωση κράτησης", confirmation)
    question = citizen.last
    await citizen.press("Όχι, να παραμείνει", question)
    assert "παραμένει" in question.text
    assert screen([confirmation]) == shown


async def test_a_forged_press_shows_its_outcome_in_a_new_message(
        citizen: Citizen, app: App, services: Services) -> None:
    await book(citizen)
    [mine] = await store_bookings(services, citizen.id)
    await citizen.send("/language")
    unrelated = citizen.last
    shown = screen([unrelated])
    await citizen.press_data(f"1|cy|{mine.reference}", unrelated)  # their own, forged
    assert screen([unrelated]) == shown
    assert any("Η κράτησή σας ακυρώθηκε" in m.text for m in citizen.messages)


# Buttons that edit the message they are on, and how to get one on screen.
async def to_keep(citizen: Citizen) -> Sent:
    await book(citizen)
    await citizen.press("❌ Ακύρωση κράτησης", citizen.messages[-2])
    return citizen.last


async def to_language(citizen: Citizen) -> Sent:
    await citizen.send("/language")
    return citizen.last


async def to_timezone(citizen: Citizen) -> Sent:
    await citizen.send("/timezone")
    return citizen.last


async def to_cancel_yes(citizen: Citizen) -> Sent:
    return await to_keep(citizen)


DOUBLE_TAPS = {
    "Όχι, να παραμείνει": to_keep,
    "Ναι, ακύρωση": to_cancel_yes,
    "English": to_language,
    "Ελληνικά": to_language,
    "Europe/London": to_timezone,
}


@pytest.mark.parametrize("label", list(DOUBLE_TAPS))
async def test_a_double_tap_on_a_button_that_edits_shows_no_error(
        citizen: Citizen, fake: FakeTelegram, label: str) -> None:
    message = await DOUBLE_TAPS[label](citizen)
    pressed = next(b["callback_data"] for b in message.buttons
                   if label in (b["text"], b["callback_data"].split("|")[2]))
    before = len(fake.answers)
    for _ in range(2):
        await citizen.press_data(pressed, message)
    assert len(fake.answers) == before + 2
    assert not any(e in m.text for e in ERRORS for m in citizen.messages)


async def test_a_double_tap_anywhere_in_the_flow_shows_no_error(citizen: Citizen,
                                                                fake: FakeTelegram) -> None:
    await walk(citizen, "time")
    message = citizen.keyboard_message()
    for label in ("09:30", "« Πίσω"):
        data = next(b["callback_data"] for b in message.buttons if b["text"] == label)
        await citizen.press_data(data, message)
        await citizen.press_data(data, message)
        assert not any(e in m.text for e in ERRORS for m in citizen.messages)


HARMLESS = {
    "answerCallbackQuery": "Bad Request: query is too old and response timeout expired or "
                           "query ID is invalid",
    "editMessageText": "Bad Request: message is not modified: specified new message content "
                       "and reply markup are exactly the same",
}


@pytest.mark.parametrize("method", [*HARMLESS, "deleted"])
async def test_harmless_refusals_are_never_shown_as_errors(
        citizen: Citizen, fake: FakeTelegram, app: App, services: Services,
        clock: FrozenClock, method: str) -> None:
    await walk(citizen, "summary")
    summary = citizen.keyboard_message()
    if method == "deleted":  # the citizen deleted the summary meanwhile
        summary.deleted = True
    else:
        fake.fail_next(method, ApiError(400, HARMLESS[method]))
    await citizen.press("✅ Κράτηση", summary)
    clock.advance(minutes=1)  # the outbox shows the confirmation again, if it is not shown
    await drain(app.bot, services)
    [mine] = await store_bookings(services, citizen.id)
    assert any("επιβεβαιώθηκε" in m.text and mine.reference in m.text
               for m in citizen.messages)
    assert not any(e in m.text for e in ERRORS for m in citizen.messages)


class DoubleTapper(Citizen):
    """Taps every button twice, on the message as it was when tapped (both taps before
    the first one's answer)."""

    presses = 0

    async def press(self, label: str, message: Sent | None = None) -> None:
        target, data = self._button(label, message)
        tapped = dataclasses.replace(target)
        for _ in range(2):
            self.presses += 1
            await self.press_data(data, tapped)


async def test_every_button_of_a_booking_tapped_twice_books_once(
        fake: FakeTelegram, app: App, services: Services) -> None:
    tapper = DoubleTapper(fake, app)
    before = len(fake.answers)
    await book(tapper)
    await drain(app.bot, services)
    assert len(fake.answers) - before == tapper.presses
    assert len(await store_bookings(services, tapper.id)) == 1
    assert any("επιβεβαιώθηκε" in m.text for m in tapper.messages)
    assert not any(e in m.text for e in ERRORS for m in tapper.messages)
    confirmation = next(m for m in tapper.messages if "επιβεβαιώθηκε" in m.text)
    await tapper.press("❌ Ακύρωση κράτησης", confirmation)
    await tapper.press("Ναι, ακύρωση")
    assert not any(e in m.text for e in ERRORS for m in tapper.messages)


async def test_a_forged_flow_press_does_not_turn_a_confirmation_into_a_step(
        citizen: Citizen, app: App, services: Services) -> None:
    await book(citizen)
    confirmation = next(m for m in citizen.messages if "επιβεβαιώθηκε" in m.text)
    shown = screen([confirmation])
    await citizen.press("🔁 Προγραμματισμός εκ νέου", confirmation)
    day = next(b["callback_data"] for b in citizen.keyboard_message().buttons
               if b["text"] == "3")
    await citizen.press_data(day, confirmation)  # the flow's button, on another message
    assert screen([confirmation]) == shown
    assert "Επιλέξτε ώρα" in citizen.text

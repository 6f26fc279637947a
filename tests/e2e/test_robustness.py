"""Edge cases: bad data in the outbox, busy chats, outcomes after the fact, forged dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.app import App
from bot.delivery import sender as dispatching
from bot.domain.model import BookingRequest, Channel, Details, Status
from bot.services.booking import book as domain_book
from bot.services.booking import set_outcome
from bot.services.retention import DRAFT_DAYS, forget_abandoned_drafts
from bot.services.runtime import Services
from storage import bookings as store
from storage import chats, outbox
from tests.chat import Citizen
from tests.conftest import FrozenClock, drain, pump, write
from tests.e2e.flow import book, walk
from tests.fakebot import ApiError, FakeTelegram

COUNSEL_CHAT = -1001000000102
KEP_CHAT = -1001000000501


async def request(services: Services, user_id: int, service: str, start: datetime,
                  channel: Channel = Channel.IN_PERSON) -> store.Booking:
    return await write(services.db, domain_book, services.catalog, services.settings.zone,
                             BookingRequest(user_id=user_id, service_id=service,
                                            channel=channel, start=start,
                                            details=Details(f"Πολίτης {user_id}",
                                                            "p@example.com", "+306912345678"),
                                            consent_at=start, locale="el",
                                            timezone="Europe/Athens"),
                             services.clock())


async def test_an_item_that_fails_unexpectedly_does_not_block_the_rest(
    citizen: Citizen, app: App, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object) -> None:
        raise ValueError("Header values may not contain linefeed")

    monkeypatch.setitem(dispatching.BOOKING_SENDERS, "staff_notice", broken)
    await book(citizen)
    await drain(app.bot, services)
    async with services.db.read() as conn:
        items = await outbox.items_of(conn)
    notice = next(i for i in items if i["kind"] == "staff_notice")
    assert notice["status"] == "failed" and "linefeed" in notice["last_error"]
    assert {i["status"] for i in items if i["kind"] == "plan"} == {"sent"}


async def test_a_busy_staff_chat_does_not_hold_up_the_others(
    fake: FakeTelegram, app: App, services: Services
) -> None:
    start = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    for n in range(60):  # more than a batch, all for the ΚΕΠ's chat
        await request(services, 9500 + n, "metamorfosi-signature",
                      start + timedelta(minutes=15 * (n // 3)))
    await request(services, 9700, "chios-work-counsel", start + timedelta(hours=1))
    await pump(app.bot, services)
    assert len(fake.bot_messages(KEP_CHAT)) == 20
    assert len(fake.bot_messages(COUNSEL_CHAT)) == 1


async def test_a_long_agenda_is_split_into_messages(fake: FakeTelegram, app: App,
                                                    services: Services) -> None:
    start = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    for n in range(60):
        await request(services, 9500 + n, "metamorfosi-signature",
                      start + timedelta(minutes=15 * (n // 3)))
    admin = Citizen(fake, app, user_id=9001)
    await admin.send("/agenda 2026-12-02")
    parts = [m for m in admin.messages if "Πολίτης" in m.text]
    assert len(parts) >= 2 and all(len(m.text) <= 4096 for m in parts)
    assert sum(m.text.count("Πολίτης") for m in parts) == 60


async def test_completed_after_the_feedback_question_does_not_ask_again(
    citizen: Citizen, app: App, services: Services, clock: FrozenClock
) -> None:
    await book(citizen)
    await drain(app.bot, services)
    clock.now = datetime(2026, 12, 2, 8, 50, tzinfo=UTC)  # half an hour after the end
    await drain(app.bot, services)
    made = (await store_bookings(services, citizen.id))[0]
    await write(services.db, set_outcome, services.catalog, made.reference, Status.COMPLETED, 1,
                      clock())
    await drain(app.bot, services)
    asked = [m for m in citizen.messages if m.text.startswith("Πώς ήταν")]
    assert len(asked) == 1


async def store_bookings(services: Services, user_id: int) -> list[store.Booking]:
    async with services.db.read() as conn:
        return await store.bookings_of_user(conn, user_id)


async def test_ill_be_there_says_thanks_and_sends_nothing_twice(
    citizen: Citizen, app: App, services: Services, clock: FrozenClock
) -> None:
    await book(citizen)
    await drain(app.bot, services)
    clock.now = datetime(2026, 12, 2, 7, 20, tzinfo=UTC)  # the link is out
    await drain(app.bot, services)
    links = [m for m in citizen.messages if m.text.startswith("🎥")]
    clock.now = datetime(2026, 12, 2, 7, 22, tzinfo=UTC)
    confirmation = next(m for m in citizen.messages if "Η κράτησή σας επιβεβαιώθηκε" in m.text)
    reference = (await store_bookings(services, citizen.id))[0].reference
    await citizen.press_data(f"1|at|{reference}", confirmation)
    assert citizen.last_answer["text"] == "Σας ευχαριστούμε για την επιβεβαίωση."
    await drain(app.bot, services)
    assert not any("πρόβλημα" in m.text for m in citizen.messages)
    assert [m for m in citizen.messages if m.text.startswith("🎥")] == links
    assert "Η κράτησή σας επιβεβαιώθηκε" in confirmation.text  # left as it was
    [reminder] = [m for m in citizen.messages if "Κωδικός κράτησης" in m.text
                  and "Έχετε επιβεβαιώσει τη συμμετοχή σας." in m.text]
    assert "✅ Επιβεβαιώνω τη συμμετοχή" not in [b["text"] for b in reminder.buttons]


async def test_closing_today_spares_what_already_took_place(
    fake: FakeTelegram, app: App, services: Services, clock: FrozenClock
) -> None:
    early = await request(services, 9801, "chios-work-counsel",
                          datetime(2026, 12, 2, 7, 0, tzinfo=UTC))
    late = await request(services, 9802, "chios-work-counsel",
                         datetime(2026, 12, 2, 10, 0, tzinfo=UTC))
    clock.now = datetime(2026, 12, 2, 8, 30, tzinfo=UTC)  # after the first one
    admin = Citizen(fake, app, user_id=9001)
    await admin.send("/close 2026-12-02 chios-ksyg Διακοπή ρεύματος")
    assert "θα ακυρωθεί 1 κράτηση" in admin.text
    await admin.press("Ναι, κλείσιμο και ακύρωση")
    async with services.db.read() as conn:
        assert (await store.get_booking(conn, early.id)).status is Status.BOOKED  # type: ignore[union-attr]
        assert (await store.get_booking(conn, late.id)).status is Status.CANCELLED  # type: ignore[union-attr]
    await admin.send("/close 2026-12-01 chios-ksyg Διακοπή ρεύματος")
    assert admin.text == "Η ημέρα αυτή έχει περάσει."


async def test_a_video_call_moved_to_in_person_loses_its_link(citizen: Citizen,
                                                              services: Services) -> None:
    await book(citizen)
    await citizen.press("🔁 Προγραμματισμός εκ νέου", citizen.messages[-2])
    await citizen.press("2")
    await citizen.press("09:30")
    await citizen.press("✏️ Τρόπος εξυπηρέτησης")
    await citizen.press("🏢 Φυσική παρουσία")
    await citizen.press("✅ Επιβεβαίωση αλλαγής")
    [moved] = await store_bookings(services, citizen.id)
    assert moved.channel is Channel.IN_PERSON and moved.meeting_url == ""
    assert "Συμμετοχή στη συνάντηση" not in [b["text"] for b in citizen.messages[-2].buttons]


async def test_the_cancellation_notice_is_not_repeated_when_its_invitation_fails(
    citizen: Citizen, fake: FakeTelegram, app: App, services: Services
) -> None:
    await book(citizen)
    await drain(app.bot, services)
    [notice] = fake.bot_messages(COUNSEL_CHAT)
    member = Citizen(fake, app, user_id=7700, chat_id=COUNSEL_CHAT)
    await member.press("❌ Ακύρωση κράτησης", notice)
    assert member.last.reply_markup == {"force_reply": True}  # for whoever answers
    await member.reply("Ασθένεια", member.last)
    fake.fail_next("sendDocument", ApiError(502, "Bad Gateway"), citizen.id)
    await drain(app.bot, services)
    told = [m for m in citizen.messages if "ακυρώθηκε από τον Δήμο" in m.text]
    assert len(told) == 1


@pytest.mark.parametrize("data", ["1|d|9999-12-31", "1|d|0001-01-01", "1|mo|9999-12",
                                  "1|mo|0001-01"])
async def test_forged_far_dates_are_refused_gracefully(citizen: Citizen, data: str) -> None:
    await walk(citizen, "day")
    await citizen.press_data(data)
    assert "πρόβλημα" not in citizen.text
    assert "Επιλέξτε ημέρα" in citizen.text


async def test_far_dates_in_admin_commands_are_explained(fake: FakeTelegram, app: App) -> None:
    admin = Citizen(fake, app, user_id=9001)
    for command in ("/agenda 9999-12-31", "/export 0001-01-01 0001-01-02",
                    "/close 9999-12-31 chios-kk x"):
        await admin.send(command)
        assert admin.text.startswith("Δεν αναγνωρίζω την ημερομηνία"), command


async def test_the_draft_is_saved_with_the_step_it_belongs_to(citizen: Citizen,
                                                              services: Services) -> None:
    await walk(citizen, "name")
    async with services.db.read() as conn:
        row = await chats.load(conn, citizen.id)
    assert row is not None and row.draft is not None
    assert row.draft["start"]  # the time chosen by the last press
    assert row.step == "name"  # written with it, in the same transaction


async def test_abandoned_drafts_are_found_for_erasure(citizen: Citizen, services: Services,
                                                      clock: FrozenClock) -> None:
    await walk(citizen, "email")
    assert await write(services.db, forget_abandoned_drafts, clock()) == 0
    clock.advance(days=DRAFT_DAYS + 1)
    assert await write(services.db, forget_abandoned_drafts, clock()) == 1
    async with services.db.read() as conn:
        assert await chats.load(conn, citizen.id) is None

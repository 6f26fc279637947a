"""Departments' staff chats: a notice per booking, edited in place, with buttons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import App
from bot.delivery.sender import dispatch
from bot.domain.model import BookingRequest, Channel, Details, Status
from bot.services.booking import book as domain_book
from bot.services.runtime import Services
from storage import bookings as store
from storage import outbox
from tests.chat import Citizen
from tests.conftest import FrozenClock, pump, write
from tests.e2e.flow import book, walk
from tests.fakebot import FakeTelegram

COUNSEL_CHAT = -1001000000102  # Κέντρα Συμβουλευτικής Υποστήριξης Γυναικών
COMMUNITY_CHAT = -1001000000101  # Κέντρο Κοινότητας
KEP_CHAT = -1001000000501  # ΚΕΠ Δήμου Μεταμόρφωσης


def staff(fake: FakeTelegram, app: App, chat: int = COUNSEL_CHAT,
          user_id: int = 7700) -> Citizen:
    return Citizen(fake, app, user_id=user_id, first_name="Υπάλληλος", chat_id=chat)


async def the_booking(services: Services, user_id: int) -> store.Booking:
    async with services.db.read() as conn:
        [found] = await store.bookings_of_user(conn, user_id)
    return found


async def test_each_change_edits_one_notice_in_the_staff_chat(
    citizen: Citizen, fake: FakeTelegram, app: App, services: Services
) -> None:
    await book(citizen)
    await dispatch(app.bot, services)
    [notice] = fake.bot_messages(COUNSEL_CHAT)
    made = await the_booking(services, citizen.id)
    assert notice.text.startswith(f"🆕 Νέα κράτηση · {made.reference}")
    for expected in ("Υπηρεσία: Εργασιακή συμβουλευτική", "Τρόπος εξυπηρέτησης: Τηλεδιάσκεψη",
                     "Ημερομηνία: Τετάρτη, 2 Δεκεμβρίου 2026", "Ώρα: 09:30 – 10:20",
                     "Ονοματεπώνυμο: Σοφία Παπαδοπούλου", "Τηλέφωνο: +30 691 234 5678",
                     "Email: sofia@example.com", "Τρίτος συμμετέχων: third@example.com",
                     "(UTC+02:00) Αθήνα"):
        assert expected in notice.text
    assert [b["text"] for b in notice.buttons] == [
        "✔️ Ολοκληρώθηκε", "⚠️ Δεν προσήλθε", "🕑 Αλλαγή ώρας", "❌ Ακύρωση κράτησης",
        "🎥 Σύνδεσμος συνάντησης"]
    assert notice.buttons[-1]["url"] == made.meeting_url

    await citizen.press("🔁 Προγραμματισμός εκ νέου", citizen.messages[-2])
    await citizen.press("3")
    await citizen.press("11:00")
    await citizen.press("✅ Επιβεβαίωση αλλαγής")
    await dispatch(app.bot, services)
    assert fake.bot_messages(COUNSEL_CHAT) == [notice]  # edited, not posted again
    assert notice.text.startswith("🔁 Αλλαγή από τον πολίτη")
    assert "Μέχρι τώρα: Τετάρτη, 2 Δεκεμβρίου 2026, 09:30" in notice.text
    assert "Ώρα: 11:00 – 11:50" in notice.text

    await citizen.press("❌ Ακύρωση κράτησης", citizen.messages[-2])
    await citizen.press("Ναι, ακύρωση")
    await dispatch(app.bot, services)
    assert fake.bot_messages(COUNSEL_CHAT) == [notice]
    assert notice.text.startswith("❌ Ακυρώθηκε από τον πολίτη")
    assert notice.buttons == []
    assert await dispatch(app.bot, services) == 0  # nothing sent twice


async def test_citizens_text_is_escaped_in_the_notice(citizen: Citizen, fake: FakeTelegram,
                                                      app: App, services: Services) -> None:
    await walk(citizen, "notes")
    await citizen.send("Θα έρθω με <συνοδό> & σκύλο-οδηγό")
    await walk(citizen, "summary", start="third_party")
    await citizen.press("✅ Κράτηση")
    await dispatch(app.bot, services)
    [notice] = fake.bot_messages(COUNSEL_CHAT)
    assert "Σημειώσεις: Θα έρθω με <συνοδό> & σκύλο-οδηγό" in notice.text


async def test_completed_and_no_show_once_the_appointment_began(
    citizen: Citizen, fake: FakeTelegram, app: App, services: Services, clock: FrozenClock
) -> None:
    await book(citizen)
    await dispatch(app.bot, services)
    member = staff(fake, app)
    [notice] = fake.bot_messages(COUNSEL_CHAT)
    await member.press("✔️ Ολοκληρώθηκε", notice)
    assert member.last_answer["text"] == "Το ραντεβού δεν έχει αρχίσει ακόμη."
    clock.now = datetime(2026, 12, 2, 7, 35, tzinfo=UTC)
    await member.press("✔️ Ολοκληρώθηκε", notice)
    await dispatch(app.bot, services)
    assert notice.text.startswith("✔️ Ολοκληρώθηκε")
    assert notice.buttons == []
    done = await the_booking(services, citizen.id)
    assert done.status is Status.COMPLETED
    async with services.db.read() as conn:
        events = await store.events_of(conn, done.id)
    assert events[-1]["kind"] == "completed" and events[-1]["actor"] == 7700
    await member.press_data(f"1|sd|{done.reference}", notice)  # pressed again
    assert member.last_answer["text"] == "Η κράτηση αυτή δεν είναι πλέον ενεργή."


async def test_no_show(citizen: Citizen, fake: FakeTelegram, app: App, services: Services,
                       clock: FrozenClock) -> None:
    await book(citizen)
    await dispatch(app.bot, services)
    [notice] = fake.bot_messages(COUNSEL_CHAT)
    clock.now = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    await staff(fake, app).press("⚠️ Δεν προσήλθε", notice)
    await dispatch(app.bot, services)
    assert notice.text.startswith("⚠️ Δεν προσήλθε")
    assert (await the_booking(services, citizen.id)).status is Status.NO_SHOW


async def test_staff_cancel_asks_a_reason_and_tells_the_citizen(
    citizen: Citizen, fake: FakeTelegram, app: App, services: Services
) -> None:
    await book(citizen)
    confirmation = citizen.messages[-2]
    await dispatch(app.bot, services)
    member = staff(fake, app)
    [notice] = fake.bot_messages(COUNSEL_CHAT)
    await member.press("❌ Ακύρωση κράτησης", notice)
    prompt = member.last
    assert prompt.text.startswith("✍️ Πληκτρολογήστε τον λόγο ακύρωσης της κράτησης")
    await member.reply("Ασθένεια της συμβούλου", prompt)
    cancelled = await the_booking(services, citizen.id)
    assert cancelled.status is Status.CANCELLED
    assert cancelled.cancel_reason == "Ασθένεια της συμβούλου"
    await dispatch(app.bot, services)
    told = [m for m in citizen.messages if "ακυρώθηκε από τον Δήμο" in m.text]
    assert len(told) == 1
    assert "Λόγος: Ασθένεια της συμβούλου" in told[0].text
    assert "Ζητούμε συγγνώμη για την ταλαιπωρία." in told[0].text
    assert [b["text"] for b in told[0].buttons] == ["Νέα κράτηση"]
    assert citizen.last.document is not None and b"METHOD:CANCEL" in (
        citizen.last.document["content"])
    assert "❌ Ακυρώθηκε" in confirmation.text and confirmation.buttons == []
    assert notice.text.startswith("❌ Ακυρώθηκε από την υπηρεσία")
    assert "Λόγος: Ασθένεια της συμβούλου" in notice.text
    await dispatch(app.bot, services)
    assert len([m for m in citizen.messages if "ακυρώθηκε από τον Δήμο" in m.text]) == 1


async def test_presses_from_anywhere_else_are_refused(
    citizen: Citizen, fake: FakeTelegram, app: App, services: Services, clock: FrozenClock
) -> None:
    await book(citizen)
    await dispatch(app.bot, services)
    [notice] = fake.bot_messages(COUNSEL_CHAT)
    done = next(b["callback_data"] for b in notice.buttons if b["text"].startswith("✔️"))
    clock.advance(days=2)
    other_department = staff(fake, app, chat=COMMUNITY_CHAT)
    await other_department.send("/help")  # not a staff command: no reply in a staff chat
    assert fake.bot_messages(COMMUNITY_CHAT) == []
    carrier = fake.chat(COMMUNITY_CHAT)[-1]  # a button of a message in another chat
    await other_department.press_data(done, carrier)
    assert fake.answers[-1]["text"].startswith("Αυτό μπορεί να γίνει μόνο από τη συνομιλία")
    await citizen.press_data(done, citizen.messages[-2])  # a citizen forging a staff button
    assert fake.answers[-1]["text"].startswith("Αυτό μπορεί να γίνει μόνο από τη συνομιλία")
    assert (await the_booking(services, citizen.id)).status is Status.BOOKED


async def test_citizen_buttons_do_nothing_in_a_staff_chat(fake: FakeTelegram, app: App) -> None:
    member = staff(fake, app)
    await member.send("/start")  # the booking flow is for private chats
    await member.press_data("1|new|", fake.chat(COUNSEL_CHAT)[-1])
    await member.press_data("1|my|", fake.chat(COUNSEL_CHAT)[-1])
    assert fake.bot_messages(COUNSEL_CHAT) == []
    assert fake.answers[-1]["show_alert"] is True


async def test_the_bot_leaves_groups_that_are_not_staff_chats(fake: FakeTelegram,
                                                              app: App) -> None:
    stranger = Citizen(fake, app, user_id=7800, chat_id=-100999)
    await stranger.send("/start")
    await stranger.send("/agenda")
    assert fake.left == [-100999, -100999]
    assert fake.bot_messages(-100999) == []


async def test_a_burst_of_notices_is_queued_within_the_group_limit(
    fake: FakeTelegram, app: App, services: Services, clock: FrozenClock
) -> None:
    zone = services.settings.zone
    start = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # Wednesday 08:00 in Athens
    for n in range(25):  # three desks, 15-minute slots
        slot = start + timedelta(minutes=15 * (n // 3))
        request = BookingRequest(
            user_id=9500 + n, service_id="metamorfosi-signature", channel=Channel.IN_PERSON,
            start=slot, details=Details(f"Πολίτης {n}", "p@example.com", "+306912345678"),
            consent_at=clock(), locale="el", timezone="Europe/Athens")
        await write(services.db, domain_book, services.catalog, zone, request, clock())
    await pump(app.bot, services)
    assert len(fake.bot_messages(KEP_CHAT)) == 20
    await pump(app.bot, services)
    assert len(fake.bot_messages(KEP_CHAT)) == 20  # the minute is used up: they wait
    clock.advance(seconds=61)
    await pump(app.bot, services)
    assert len(fake.bot_messages(KEP_CHAT)) == 25
    async with services.db.read() as conn:
        notices = [item for item in await outbox.items_of(conn)
                   if item["kind"] == "staff_notice"]
    assert len(notices) == 25 and {item["status"] for item in notices} == {"sent"}


async def test_staff_move_a_booking_and_the_citizen_is_told(
    citizen: Citizen, fake: FakeTelegram, app: App, services: Services
) -> None:
    await book(citizen)  # Wednesday 2 December, 09:30
    await pump(app.bot, services)
    [notice] = fake.bot_messages(COUNSEL_CHAT)
    confirmation = next(m for m in citizen.messages if "επιβεβαιώθηκε" in m.text)
    made = await the_booking(services, citizen.id)
    clerk = staff(fake, app)
    await clerk.press("🕑 Αλλαγή ώρας", notice)
    picker = clerk.last
    assert picker is not notice and picker.text.startswith(
        f"🕑 Αλλαγή ώρας για την κράτηση {made.reference}")
    assert "Μέχρι τώρα: Τετάρτη, 2 Δεκεμβρίου 2026, 09:30" in picker.text
    assert clerk.labels(picker)[:3] == ["Τρί 1 Δεκ", "Τετ 2 Δεκ", "Πέμ 3 Δεκ"]
    assert "Σάβ 5 Δεκ" not in clerk.labels(picker)  # days with free times only
    await clerk.press("Πέμ 3 Δεκ", picker)
    assert "Ημέρα: Πέμπτη, 3 Δεκεμβρίου 2026" in picker.text
    assert "11:00" in clerk.labels(picker)
    await clerk.press("« Πίσω", picker)  # back to the days, in the same message
    assert "Επιλέξτε ημέρα" in picker.text
    await clerk.press("Πέμ 3 Δεκ", picker)
    eleven = next(b["callback_data"] for b in picker.buttons if b["text"] == "11:00")
    await clerk.press("11:00", picker)
    await clerk.press_data(eleven, picker)  # a double tap moves it once
    await clerk.press_data(f"1|smd|{made.reference}/2026-02-30", picker)  # forged: no day
    assert picker.text.startswith(f"✔️ Η κράτηση {made.reference} μεταφέρθηκε: Πέμπτη, 3")
    assert not picker.buttons  # done: nothing more to press
    await pump(app.bot, services)

    moved = await the_booking(services, citizen.id)
    assert moved.start == datetime(2026, 12, 3, 9, 0, tzinfo=UTC) and moved.sequence == 1
    assert notice.text.startswith("🔁 Αλλαγή ώρας από την υπηρεσία")
    [told] = [m for m in citizen.messages if m.text.startswith("🔁 Ο Δήμος μετέφερε")]
    assert "Μέχρι τώρα: Τετάρτη, 2 Δεκεμβρίου 2026, 09:30" in told.text
    assert "Ημερομηνία: Πέμπτη, 3 Δεκεμβρίου 2026" in told.text
    [invitation] = [m for m in citizen.messages[citizen.messages.index(told):] if m.document]
    assert b"SEQUENCE:1" in invitation.document["content"]
    assert "Η κράτηση αυτή άλλαξε" in confirmation.text  # the earlier message shows it too
    await citizen.press("❌ Ακύρωση κράτησης", told)  # and the citizen may still cancel
    await citizen.press("Ναι, ακύρωση")
    assert (await the_booking(services, citizen.id)).status is Status.CANCELLED

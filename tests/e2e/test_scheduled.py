"""Reminders, meeting links, feedback and digests: at the right moments, exactly once,
across restarts, within Telegram's limits."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.app import App
from bot.delivery.sender import dispatch
from bot.domain.model import BookingRequest, Channel, Details, Status
from bot.services.booking import book as domain_book
from bot.services.planning import plan_digests
from bot.services.runtime import Services
from bot.startup import prepare
from storage import agendas, outbox
from storage import bookings as store
from tests.chat import Citizen
from tests.conftest import FrozenClock, drain, start_app, write
from tests.e2e.flow import walk
from tests.fakebot import ApiError, FakeTelegram, Sent

COUNSEL_CHAT = -1001000000102
THURSDAY_ELEVEN = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # Thu 3 Dec, 11:00 in Athens


async def book_thursday(citizen: Citizen, channel: str = "🎥 Τηλεδιάσκεψη") -> None:
    """A booking for Thursday 3 December at 11:00 (50 minutes), as a citizen makes it."""
    await walk(citizen, "channel")
    await citizen.press(channel)
    await citizen.press("3")
    await citizen.press("11:00")
    await citizen.send("Σοφία Παπαδοπούλου")
    await citizen.send("sofia@example.com")
    await citizen.share_contact("306912345678")
    for _ in range(3):
        await citizen.press("Παράλειψη")
    if channel.startswith("🎥"):
        await citizen.press("Όχι")
    await citizen.press("✅ Αποδέχομαι")
    await citizen.press("✅ Κράτηση")
    assert "Η κράτησή σας επιβεβαιώθηκε." in citizen.messages[-2].text


def reminders(citizen: Citizen) -> list[Sent]:
    return [m for m in citizen.messages if m.text.startswith("⏰")]


async def items(services: Services, kind: str) -> list[dict[str, object]]:
    async with services.db.read() as conn:
        return [i for i in await outbox.items_of(conn) if i["kind"] == kind]


async def test_reminders_link_and_feedback_come_at_their_times_once(
    citizen: Citizen, app: App, services: Services, clock: FrozenClock, fake: FakeTelegram
) -> None:
    await book_thursday(citizen)
    await drain(app.bot, services)
    assert reminders(citizen) == []
    clock.now = datetime(2026, 12, 2, 8, 59, tzinfo=UTC)
    await drain(app.bot, services)
    assert reminders(citizen) == []
    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # 24 hours before
    await drain(app.bot, services)
    [first] = reminders(citizen)
    assert "Υπενθύμιση: το ραντεβού σας είναι σε 24 ώρες." in first.text
    assert "Ημερομηνία: Πέμπτη, 3 Δεκεμβρίου 2026" in first.text
    assert [b["text"] for b in first.buttons][:3] == [
        "✅ Επιβεβαιώνω τη συμμετοχή", "Συμμετοχή στη συνάντηση", "🔁 Προγραμματισμός εκ νέου"]
    await drain(app.bot, services)
    assert len(reminders(citizen)) == 1  # exactly once

    clock.now = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)  # one hour before
    await drain(app.bot, services)
    assert "σε 1 ώρα" in reminders(citizen)[-1].text
    clock.now = datetime(2026, 12, 3, 8, 50, tzinfo=UTC)  # ten minutes before
    await drain(app.bot, services)
    link = citizen.last
    assert link.text.startswith("🎥 Η τηλεδιάσκεψη «Εργασιακή συμβουλευτική» αρχίζει στις 11:00.")
    assert "δελτίο αστυνομικής ταυτότητας" in link.text and "Internet" in link.text
    async with services.db.read() as conn:
        [made] = await store.bookings_of_user(conn, citizen.id)
    assert link.buttons == [{"text": "Συμμετοχή στη συνάντηση", "url": made.meeting_url}]

    clock.now = datetime(2026, 12, 3, 10, 20, tzinfo=UTC)  # half an hour after the end
    await drain(app.bot, services)
    question = citizen.last
    assert question.text.startswith("Πώς ήταν το ραντεβού σας «Εργασιακή συμβουλευτική»;")
    assert [b["text"] for b in question.buttons] == ["1 ⭐", "2 ⭐", "3 ⭐", "4 ⭐", "5 ⭐"]
    await citizen.press("4 ⭐", question)
    assert question.text == "Σας ευχαριστούμε για την αξιολόγησή σας (4/5)!"
    await citizen.reply("Πολύ εξυπηρετική <υπάλληλος>", citizen.last)
    assert citizen.text == "Σας ευχαριστούμε, το σχόλιό σας καταχωρίστηκε."
    admin = Citizen(fake, app, user_id=9001)
    await admin.send("/stats 2026-12-01 2026-12-31")
    assert "Αξιολόγηση πολιτών: 4,0 στα 5 (1 αξιολόγηση)" in admin.text
    counts = {kind: len(await items(services, kind)) for kind in ("reminder", "link",
                                                                  "feedback")}
    assert counts == {"reminder": 2, "link": 1, "feedback": 1}


async def test_ill_be_there_is_recorded_and_shown_to_staff(
    citizen: Citizen, app: App, services: Services, clock: FrozenClock, fake: FakeTelegram
) -> None:
    await book_thursday(citizen, "🏢 Φυσική παρουσία")
    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    await drain(app.bot, services)
    [reminder] = reminders(citizen)
    assert "Διεύθυνση: Δημαρχείο Χίου" in reminder.text and "Χάρτης" in reminder.text
    assert "openstreetmap.org/search?query=" in reminder.html
    await citizen.press("✅ Επιβεβαιώνω τη συμμετοχή", reminder)
    assert citizen.last_answer["text"] == "Σας ευχαριστούμε για την επιβεβαίωση."
    assert "✅ Επιβεβαιώνω τη συμμετοχή" not in [b["text"] for b in reminder.buttons]
    await drain(app.bot, services)
    # The reminder keeps its heading and says the attendance is confirmed.
    assert reminder.text.startswith("⏰ Υπενθύμιση: το ραντεβού σας είναι σε 24 ώρες.")
    assert "Έχετε επιβεβαιώσει τη συμμετοχή σας." in reminder.text
    assert "Επιβεβαιώστε τη συμμετοχή σας" not in reminder.text
    assert "Διεύθυνση: Δημαρχείο Χίου" in reminder.text
    [notice] = fake.bot_messages(COUNSEL_CHAT)
    assert "Ο πολίτης επιβεβαίωσε τη συμμετοχή του." in notice.text
    async with services.db.read() as conn:
        [made] = await store.bookings_of_user(conn, citizen.id)
        events = await store.events_of(conn, made.id)
    assert made.attendance_at == clock.now and events[-1]["kind"] == "confirmed"


async def test_a_restart_between_due_and_sent_sends_once(
    citizen: Citizen, app: App, services: Services, clock: FrozenClock
) -> None:
    await book_thursday(citizen)
    await drain(app.bot, services)
    clock.now = datetime(2026, 12, 2, 9, 5, tzinfo=UTC)  # due, but the bot is down
    await app.shutdown()
    await services.db.close()
    for _ in range(2):  # start, send, stop; start again: nothing more
        fresh = await prepare(services.settings, clock)
        again = await start_app(fresh)
        try:
            await drain(again.bot, fresh)
        finally:
            await again.shutdown()
            await fresh.db.close()
    assert len(reminders(citizen)) == 1


async def test_late_reminders_only_while_useful(
    citizen: Citizen, app: App, services: Services, clock: FrozenClock
) -> None:
    await book_thursday(citizen)
    await drain(app.bot, services)
    clock.now = datetime(2026, 12, 3, 8, 30, tzinfo=UTC)  # down since before the 24h one
    await drain(app.bot, services)
    [late] = reminders(citizen)
    assert "σε 30 λεπτά" in late.text  # the 1-hour one, saying what is really left
    sent = await items(services, "reminder")
    assert sorted(str(i["status"]) for i in sent) == ["dropped", "sent"]
    assert any("later reminder" in str(i["last_error"]) for i in sent)

    other = Citizen(citizen.fake, citizen.app, user_id=5002)
    friday_eleven = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    await write(services.db, domain_book, services.catalog, services.settings.zone, BookingRequest(
        user_id=other.id, service_id="chios-leases", channel=Channel.IN_PERSON,
        start=friday_eleven, details=Details("Νίκος", "n@example.com", "+306912345678"),
        consent_at=clock(), locale="el", timezone="Europe/Athens"), clock())
    clock.now = datetime(2026, 12, 4, 9, 10, tzinfo=UTC)  # down until it has begun
    await drain(app.bot, services)
    assert reminders(other) == []
    dropped = [i for i in await items(services, "reminder")
               if i["status"] == "dropped" and "already begun" in str(i["last_error"])]
    assert len(dropped) == 2  # both, recorded as such


async def test_reschedule_and_cancel_move_or_drop_what_is_pending(
    citizen: Citizen, app: App, services: Services
) -> None:
    await book_thursday(citizen)
    await drain(app.bot, services)
    pending = [i for i in await items(services, "reminder") if i["status"] == "pending"]
    assert [i["due_at"] for i in pending] == [datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
                                              datetime(2026, 12, 3, 8, 0, tzinfo=UTC)]
    await citizen.press("🔁 Προγραμματισμός εκ νέου", citizen.messages[-2])
    await citizen.press("4")
    await citizen.press("09:00")
    await citizen.press("✅ Επιβεβαίωση αλλαγής")
    await drain(app.bot, services)
    pending = [i for i in await items(services, "reminder") if i["status"] == "pending"]
    assert [i["due_at"] for i in pending] == [datetime(2026, 12, 3, 7, 0, tzinfo=UTC),
                                              datetime(2026, 12, 4, 6, 0, tzinfo=UTC)]
    links = [i for i in await items(services, "link") if i["status"] == "pending"]
    assert [i["due_at"] for i in links] == [datetime(2026, 12, 4, 6, 50, tzinfo=UTC)]
    await citizen.press("❌ Ακύρωση κράτησης", citizen.messages[-2])
    await citizen.press("Ναι, ακύρωση")
    await drain(app.bot, services)
    for kind in ("reminder", "link", "feedback"):
        assert [i for i in await items(services, kind) if i["status"] == "pending"] == []


async def test_telegram_429_is_waited_out(citizen: Citizen, app: App, services: Services,
                                          clock: FrozenClock, fake: FakeTelegram) -> None:
    await book_thursday(citizen)
    await drain(app.bot, services)
    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    fake.fail_next("sendMessage", ApiError(429, "Too Many Requests: retry after 30", 30),
                   citizen.id)
    await dispatch(app.bot, services)
    assert reminders(citizen) == []
    [item] = [i for i in await items(services, "reminder") if i["status"] == "pending"][:1]
    assert item["due_at"] == datetime(2026, 12, 2, 9, 0, 30, tzinfo=UTC)
    assert item["attempts"] == 0
    clock.advance(seconds=30)
    await drain(app.bot, services)
    assert len(reminders(citizen)) == 1


async def test_server_errors_are_retried_then_recorded(
    citizen: Citizen, app: App, services: Services, clock: FrozenClock, fake: FakeTelegram
) -> None:
    await book_thursday(citizen)
    await drain(app.bot, services)
    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    for _ in range(2):
        fake.fail_next("sendMessage", ApiError(502, "Bad Gateway"), citizen.id)
    await dispatch(app.bot, services)
    clock.advance(seconds=30)
    await dispatch(app.bot, services)  # the second failure
    clock.advance(seconds=60)
    await dispatch(app.bot, services)
    assert len(reminders(citizen)) == 1  # the third try went through
    for _ in range(5):
        fake.fail_next("sendMessage", ApiError(502, "Bad Gateway"), citizen.id)
    clock.now = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    for _ in range(5):
        await dispatch(app.bot, services)
        clock.advance(minutes=10)
    last = [i for i in await items(services, "reminder")][-1]
    assert last["status"] == "failed" and last["attempts"] == 5
    assert "Bad Gateway" in str(last["last_error"])


async def test_a_citizen_who_blocked_the_bot_is_not_written_to_again(
    citizen: Citizen, app: App, services: Services, clock: FrozenClock, fake: FakeTelegram
) -> None:
    await book_thursday(citizen)
    await drain(app.bot, services)
    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    fake.fail_next("sendMessage", ApiError(403, "Forbidden: bot was blocked by the user"),
                   citizen.id)
    await drain(app.bot, services)

    def tries() -> int:
        return len([c for c in fake.calls
                    if c[0] == "sendMessage" and c[1]["chat_id"] == citizen.id])

    calls = tries()
    clock.now = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    await drain(app.bot, services)
    assert tries() == calls  # not tried again
    statuses = [i["status"] for i in await items(services, "reminder")]
    assert statuses == ["dropped", "dropped"]  # no email address to fall back on: recorded
    await citizen.send("/mybookings")  # writing again means they unblocked us
    clock.now = datetime(2026, 12, 3, 8, 50, tzinfo=UTC)
    await drain(app.bot, services)
    assert citizen.last.text.startswith("🎥")


async def test_the_daily_digest_lists_the_day_in_each_staff_chat(
    citizen: Citizen, app: App, services: Services, clock: FrozenClock, fake: FakeTelegram
) -> None:
    await book_thursday(citizen)
    await drain(app.bot, services)
    notices = len(fake.bot_messages(COUNSEL_CHAT))
    clock.now = datetime(2026, 12, 3, 5, 59, tzinfo=UTC)  # 07:59 in Athens
    await plan_digests(services, clock())  # the day's daily job
    await drain(app.bot, services)
    assert len(fake.bot_messages(COUNSEL_CHAT)) == notices
    clock.now = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)  # 08:00
    await drain(app.bot, services)
    digest = fake.bot_messages(COUNSEL_CHAT)[-1]
    assert digest.text.startswith("📋 Τα σημερινά ραντεβού, Πέμπτη, 3 Δεκεμβρίου 2026")
    assert "11:00 Εργασιακή συμβουλευτική · Τηλεδιάσκεψη · Σοφία Παπαδοπούλου" in digest.text
    clock.advance(hours=1)
    await drain(app.bot, services)
    assert fake.bot_messages(COUNSEL_CHAT)[-1] is digest  # once a day
    async with services.db.read() as conn:  # the message the day's changes will edit
        assert await agendas.message_of(conn, COUNSEL_CHAT, date(2026, 12, 3)) == (
            digest.message_id)
    assert fake.bot_messages(-1001000000101) == []  # a department with no bookings: nothing
    assert {i["status"] for i in await items(services, "digest")
            if i["chat_id"] == -1001000000101} == {"dropped"}


async def test_feedback_only_for_appointments_that_took_place(
    citizen: Citizen, app: App, services: Services, clock: FrozenClock
) -> None:
    await book_thursday(citizen)
    await drain(app.bot, services)
    async with services.db.read() as conn:
        [made] = await store.bookings_of_user(conn, citizen.id)
    await citizen.press_data(f"1|fb|{made.reference}/5")  # before the appointment: refused
    assert citizen.last_answer["text"] == "Η κράτηση δεν βρέθηκε." or "δεν" in (
        citizen.last_answer["text"])
    clock.now = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
    from bot.services.booking import set_outcome

    await write(services.db, set_outcome, services.catalog, made.reference, Status.NO_SHOW, 1,
                      clock())
    clock.now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    await drain(app.bot, services)
    assert not any(m.text.startswith("Πώς ήταν") for m in citizen.messages)

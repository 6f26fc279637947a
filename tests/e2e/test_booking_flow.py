"""A citizen books through the fake Bot API: the whole Chios flow, in Greek and English."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.app import App
from bot.domain.model import Channel, Status
from bot.services.runtime import Services
from bot.startup import prepare
from storage import bookings as store
from tests.chat import Citizen
from tests.conftest import FrozenClock, make_settings, start_app
from tests.e2e.flow import EMAIL, LABELS, MARKERS, NAME, STEPS, THIRD, book, walk
from tests.fakebot import FakeTelegram


async def stored_bookings(services: Services, user_id: int) -> list[store.Booking]:
    async with services.db.read() as conn:
        return await store.bookings_of_user(conn, user_id)


async def test_chios_video_booking_in_greek(citizen: Citizen, services: Services) -> None:
    await walk(citizen, "day")
    calendar = citizen.keyboard_message()
    labels = citizen.labels(calendar)
    assert "Δεκέμβριος 2026" in labels  # nominative in the calendar header
    assert labels[1:8] == ["Δευ", "Τρί", "Τετ", "Πέμ", "Παρ", "Σάβ", "Κυρ"]
    assert "Όλες οι ώρες είναι στη ζώνη ώρας (UTC+02:00) Αθήνα." in citizen.text
    await walk(citizen, "summary", start="time")
    summary = citizen.text
    assert "Ημερομηνία: Τετάρτη, 2 Δεκεμβρίου 2026" in summary  # genitive inside a date
    assert "Ώρα: 09:30 – 10:20" in summary
    assert f"Ονοματεπώνυμο: {NAME}" in summary
    assert "Τηλέφωνο: +30 691 234 5678" in summary
    assert f"Τρίτος συμμετέχων: {THIRD}" in summary

    await citizen.press("✅ Κράτηση")

    [made] = await stored_bookings(services, citizen.id)
    confirmation, invitation = citizen.messages[-2], citizen.messages[-1]
    assert "Η κράτησή σας επιβεβαιώθηκε." in confirmation.text
    assert f"Κωδικός κράτησης: {made.reference}" in confirmation.text
    assert "Τηλεδιάσκεψη: θα λάβετε εδώ τον σύνδεσμο" in confirmation.text
    assert "it@chios.gov.gr" in confirmation.text  # the service's own instructions
    assert citizen.labels(confirmation) == [
        "Συμμετοχή στη συνάντηση", "🔁 Προγραμματισμός εκ νέου", "❌ Ακύρωση κράτησης",
        "Οι κρατήσεις μου", "Νέα κράτηση"]
    join = confirmation.buttons[0]
    assert join["url"] == made.meeting_url
    assert made.meeting_url.startswith("https://meet.jit.si/Rantevou-")
    assert len(made.meeting_url.rsplit("-", 1)[1]) >= 20  # unguessable

    assert made.channel is Channel.VIDEO and made.status is Status.BOOKED
    assert made.start == datetime(2026, 12, 2, 7, 30, tzinfo=UTC)
    assert made.details.phone == "+306912345678"
    assert made.details.third_party_email == THIRD
    assert made.consent_at == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)

    assert invitation.document is not None
    assert invitation.document["file_name"] == f"rantevou-{made.reference}.ics"
    calendar_file = Calendar.from_ical(invitation.document["content"])
    assert str(calendar_file["METHOD"]) == "REQUEST"
    [event] = calendar_file.walk("VEVENT")
    assert str(event["UID"]) == made.uid
    assert event.decoded("DTSTART") == made.start
    assert str(event["URL"]) == made.meeting_url
    assert str(event["SUMMARY"]) == "Ραντεβού: Εργασιακή συμβουλευτική"
    attendees = [str(a) for a in event.get("ATTENDEE")]
    assert attendees == [f"mailto:{EMAIL}", f"mailto:{THIRD}"]
    assert [str(tz["TZID"]) for tz in calendar_file.walk("VTIMEZONE")] == ["Europe/Athens"]


async def test_the_same_booking_in_english(fake: FakeTelegram, app: App,
                                           services: Services) -> None:
    citizen = Citizen(fake, app, user_id=6001, first_name="Sophie", language_code="en-GB")
    await walk(citizen, "day", lang="en")
    assert "December 2026" in citizen.labels()
    assert citizen.labels()[1:8] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert "All times are in the time zone (UTC+02:00) Athens." in citizen.text
    await book(citizen, "en")
    confirmation = citizen.messages[-2]
    assert "Your booking is confirmed." in confirmation.text
    assert "Date: Wednesday, 2 December 2026" in confirmation.text
    assert "Time: 09:30 – 10:20" in confirmation.text
    assert "How: Video call" in confirmation.text
    assert len(await stored_bookings(services, 6001)) == 1


async def test_a_service_with_one_channel_skips_the_question(citizen: Citizen) -> None:
    await walk(citizen, "group")
    await citizen.press("Κέντρο Κοινότητας")
    await citizen.press("Αίτηση για επιδόματα ΟΠΕΚΑ - Αναπηρικά")
    assert "Η υπηρεσία αυτή παρέχεται μόνο με φυσική παρουσία." in citizen.text
    assert MARKERS["el"]["day"] in citizen.text
    await citizen.press("« Πίσω")
    assert MARKERS["el"]["service"] in citizen.text


async def test_an_in_person_booking_says_where(citizen: Citizen, services: Services) -> None:
    await walk(citizen, "group")
    await citizen.press("Κέντρο Κοινότητας")
    await citizen.press("Αίτηση για επιδόματα ΟΠΕΚΑ - Αναπηρικά")
    await citizen.press("2")
    await citizen.press("10:00")
    await citizen.send(NAME)
    await citizen.send(EMAIL)
    await citizen.send("6912345678")
    for _ in range(3):
        await citizen.press("Παράλειψη")
    assert MARKERS["el"]["consent"] in citizen.text  # no third-person question in person
    await citizen.press("✅ Αποδέχομαι")
    await citizen.press("✅ Κράτηση")
    confirmation = citizen.messages[-2].text
    assert "Διεύθυνση: Δημαρχείο Χίου, Δημοκρατίας 2, 821 31 Χίος" in confirmation
    assert "Φέρτε μαζί σας" in confirmation
    [made] = await stored_bookings(services, citizen.id)
    assert made.meeting_url == "" and made.channel is Channel.IN_PERSON


@pytest.mark.parametrize("step", STEPS[1:])
async def test_back_returns_to_the_step_before(citizen: Citizen, step: str) -> None:
    await walk(citizen, step)
    if step == "phone":  # the phone step's Back is a keyboard button that types
        await citizen.send(LABELS["el"]["back"])
    else:
        await citizen.press(LABELS["el"]["back"])
    before = STEPS[STEPS.index(step) - 1]
    assert MARKERS["el"][before] in citizen.text


@pytest.mark.parametrize("step", STEPS)
async def test_cancel_leaves_at_every_step(citizen: Citizen, services: Services,
                                           step: str) -> None:
    await walk(citizen, step)
    if step == "phone":
        await citizen.send(LABELS["el"]["cancel"])
    else:
        await citizen.press(LABELS["el"]["cancel"])
    assert "Διακόψατε την κράτηση· δεν καταχωρίστηκε τίποτα." in citizen.text
    assert await stored_bookings(services, citizen.id) == []
    await citizen.send("/start")
    assert MARKERS["el"]["municipality"] in citizen.text


async def test_slash_cancel_works_in_a_text_step_and_removes_the_phone_keyboard(
    citizen: Citizen,
) -> None:
    await walk(citizen, "phone")
    await citizen.send("/cancel")
    assert "Διακόψατε την κράτηση" in citizen.last.text
    assert citizen.last.reply_markup == {"remove_keyboard": True}
    await citizen.send("Σοφία")  # no conversation any more: the bot explains itself
    assert "/start" in citizen.text


async def test_wrong_inputs_are_explained_and_the_step_asked_again(citizen: Citizen) -> None:
    await walk(citizen, "name")
    await citizen.send("12345")
    assert "Πληκτρολογήστε το ονοματεπώνυμό σας, π.χ." in citizen.text
    await citizen.send_photo()
    assert "Πληκτρολογήστε την απάντησή σας ως κείμενο." in citizen.text
    await citizen.send(NAME)
    await citizen.send("not-an-email")
    assert "Αυτή δεν φαίνεται να είναι διεύθυνση email." in citizen.text
    assert MARKERS["el"]["email"] in citizen.text
    await citizen.send(EMAIL)
    await citizen.send("12345")
    assert "Ο αριθμός τηλεφώνου δεν είναι έγκυρος." in citizen.text
    await citizen.send_sticker()
    assert MARKERS["el"]["phone"] in citizen.text
    await citizen.send("+30 2271 350004")  # a landline, typed
    assert "Τηλέφωνο: +30 2271 350004" in citizen.messages[-2].text
    assert MARKERS["el"]["address"] in citizen.text


async def test_text_or_stickers_where_a_button_is_expected(citizen: Citizen) -> None:
    await walk(citizen, "day")
    await citizen.send("αύριο το πρωί")
    assert "Χρησιμοποιήστε τα κουμπιά του παρακάτω μηνύματος." in citizen.text
    assert MARKERS["el"]["day"] in citizen.text
    await citizen.send_sticker()
    assert MARKERS["el"]["day"] in citizen.text
    await citizen.press("2")  # the newest calendar works
    assert MARKERS["el"]["time"] in citizen.text


async def test_hostile_text_is_escaped(citizen: Citizen, services: Services) -> None:
    await walk(citizen, "name")
    await citizen.send("Σοφία <Παπα> & Σία")
    await citizen.send(EMAIL)
    await citizen.share_contact("306912345678")
    await citizen.send("<script>alert(1)</script> Οδός 1 & 2")
    await citizen.press("Παράλειψη")
    await citizen.press("Παράλειψη")
    await citizen.press("Όχι")
    await citizen.press("✅ Αποδέχομαι")
    assert "Ονοματεπώνυμο: Σοφία <Παπα> & Σία" in citizen.text  # shown, not parsed
    assert "Διεύθυνση: <script>alert(1)</script> Οδός 1 & 2" in citizen.text


async def test_another_persons_contact_is_refused(citizen: Citizen) -> None:
    await walk(citizen, "phone")
    await citizen.share_contact("306900000000", owner=999)
    assert "Κοινοποιήστε τον δικό σας αριθμό τηλεφώνου" in citizen.text
    assert MARKERS["el"]["phone"] in citizen.text
    await citizen.share_contact("+306912345678")
    assert "Τηλέφωνο: +30 691 234 5678" in citizen.messages[-2].text
    assert citizen.messages[-2].reply_markup == {"remove_keyboard": True}


async def test_buttons_of_earlier_messages_are_stale(citizen: Citizen,
                                                     services: Services) -> None:
    await walk(citizen, "time")
    calendar_message = citizen.keyboard_message()
    await walk(citizen, "email", start="name")
    # The time message lost its buttons when the conversation moved to typed answers;
    # a client that still shows them (or a forged press) changes nothing.
    await citizen.press_data("1|t|29410050", calendar_message)
    assert citizen.last_answer["text"].startswith("Το κουμπί αυτό ανήκει σε προηγούμενο")
    assert citizen.last_answer["show_alert"] is True
    await citizen.send(EMAIL)
    assert MARKERS["el"]["phone"] in citizen.text


@pytest.mark.parametrize("data", ["nonsense", "1|s|", "1|d|2026-13-45", "2|m|chios",
                                  "1|m|../../etc", "1|t|" + "9" * 11, "1|back|nope"])
async def test_forged_button_data_changes_nothing(citizen: Citizen, data: str) -> None:
    await walk(citizen, "day")
    message = citizen.keyboard_message()
    before = citizen.text
    await citizen.press_data(data, message)
    assert citizen.text == before
    assert MARKERS["el"]["day"] in citizen.text
    await citizen.press("2")
    assert MARKERS["el"]["time"] in citizen.text


async def test_a_forged_day_or_time_is_not_booked(citizen: Citizen) -> None:
    await walk(citizen, "day")
    await citizen.press_data("1|d|2026-12-05")  # a Saturday: the service is closed
    assert "δεν έχουν απομείνει διαθέσιμες ώρες" in citizen.text
    await citizen.press("2")
    saturday_nine = int(datetime(2026, 12, 5, 7, 0, tzinfo=UTC).timestamp() // 60)
    await citizen.press_data(f"1|t|{saturday_nine}")
    assert "η ώρα αυτή μόλις κρατήθηκε" in citizen.text.lower()
    assert MARKERS["el"]["time"] in citizen.text


async def test_the_summary_can_change_any_part(citizen: Citizen, services: Services) -> None:
    await walk(citizen, "summary")
    await citizen.press("✏️ Ονοματεπώνυμο")
    assert f"Έχετε δηλώσει: {NAME}" in citizen.text
    await citizen.send("Μαρία Ιωάννου")
    assert MARKERS["el"]["summary"] in citizen.text
    assert "Ονοματεπώνυμο: Μαρία Ιωάννου" in citizen.text
    await citizen.press("✏️ Ημερομηνία και ώρα")
    assert MARKERS["el"]["day"] in citizen.text
    await citizen.press("3")
    await citizen.press("11:00")
    assert "Ημερομηνία: Πέμπτη, 3 Δεκεμβρίου 2026" in citizen.text
    assert "Ώρα: 11:00 – 11:50" in citizen.text
    await citizen.press("✏️ Τρόπος εξυπηρέτησης")
    await citizen.press("🏢 Φυσική παρουσία")
    assert "Τρόπος εξυπηρέτησης: Φυσική παρουσία" in citizen.text
    assert "Τρίτος συμμετέχων" not in citizen.text
    await citizen.press("✅ Κράτηση")
    [made] = await stored_bookings(services, citizen.id)
    assert made.details.name == "Μαρία Ιωάννου"
    assert made.channel is Channel.IN_PERSON and made.details.third_party_email == ""
    assert made.start == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


async def test_the_loser_of_the_last_seat_is_told_and_shown_what_is_left(
    fake: FakeTelegram, app: App, services: Services
) -> None:
    first = Citizen(fake, app, user_id=7001)
    second = Citizen(fake, app, user_id=7002, first_name="Νίκος")
    await walk(first, "summary")
    await walk(second, "summary")
    await first.press("✅ Κράτηση")
    await second.press("✅ Κράτηση")
    assert "Η κράτησή σας επιβεβαιώθηκε." in first.messages[-2].text
    assert "Λυπούμαστε, η ώρα αυτή μόλις κρατήθηκε από άλλον πολίτη." in second.text
    assert MARKERS["el"]["time"] in second.text
    assert "09:30" not in second.labels() and "09:00" not in second.labels()
    assert "10:30" in second.labels()
    assert await stored_bookings(services, 7002) == []
    await second.press("10:30")  # their details were kept: straight back to the summary
    assert MARKERS["el"]["summary"] in second.text
    assert "Ώρα: 10:30 – 11:20" in second.text
    await second.press("✅ Κράτηση")
    assert len(await stored_bookings(services, 7002)) == 1


async def test_pressing_book_twice_books_once(citizen: Citizen, services: Services) -> None:
    await walk(citizen, "summary")
    summary = citizen.keyboard_message()
    book_data = summary.buttons[0]["callback_data"]
    await citizen.press("✅ Κράτηση")
    await citizen.press_data(book_data, summary)
    assert len(await stored_bookings(services, citizen.id)) == 1
    # Not "taken by someone else", not an error: the booking it made, shown again.
    assert not citizen.last_answer.get("show_alert")
    assert "Η κράτησή σας επιβεβαιώθηκε." in citizen.fake.find(citizen.id,
                                                                summary.message_id).text


async def test_deep_links_skip_the_steps_they_answer(citizen: Citizen) -> None:
    await citizen.send("/start s_chios-work-counsel")
    assert MARKERS["el"]["channel"] in citizen.text
    assert "Εργασιακή συμβουλευτική" in citizen.text
    await citizen.send("/start s_chios-opeka-info")
    assert MARKERS["el"]["day"] in citizen.text
    await citizen.send("/start m_kavala")
    assert MARKERS["el"]["group"] in citizen.text and "ΔΗΜΟΣ ΚΑΒΑΛΑΣ" in citizen.text
    await citizen.send("/start g_chios-kk")
    assert MARKERS["el"]["service"] in citizen.text
    await citizen.send("/start s_no-such-service")
    assert "Ο σύνδεσμος αυτός δεν είναι πλέον έγκυρος." in citizen.text
    assert MARKERS["el"]["municipality"] in citizen.text


async def test_a_citizen_in_another_time_zone_sees_their_times(citizen: Citizen,
                                                               services: Services) -> None:
    await citizen.send("/timezone America/New_York")
    assert "(UTC-05:00) Νέα Υόρκη" in citizen.text
    await walk(citizen, "day")
    assert "(UTC-05:00) Νέα Υόρκη" in citizen.text
    await citizen.press("2")
    assert citizen.labels()[:3] == ["02:00", "02:30", "03:00"]  # 09:00 in Athens
    await citizen.press("02:30")
    await walk(citizen, "summary", start="email")
    assert "Ώρα: 02:30 – 03:20" in citizen.text
    await citizen.press("✅ Κράτηση")
    [made] = await stored_bookings(services, citizen.id)
    assert made.start == datetime(2026, 12, 2, 7, 30, tzinfo=UTC)
    assert made.locale == "el"


async def test_language_and_help(citizen: Citizen, fake: FakeTelegram) -> None:
    await citizen.send("/help")
    assert "/mybookings" in citizen.text and "Ραντεβού με τον Δήμο σας" in citizen.text
    await citizen.send("/language")
    await citizen.press("English")
    assert citizen.text == "From now on I will write to you in English."
    await citizen.send("/start")
    assert MARKERS["en"]["municipality"] in citizen.text
    commands = {lang: [c["description"] for c in cmds] for lang, cmds in fake.commands.items()}
    assert commands["el"][0] == "κράτηση ραντεβού"
    assert commands["en"][0] == "book an appointment"
    assert commands[""] == commands["el"]


async def test_my_bookings_and_a_new_booking_from_the_confirmation(citizen: Citizen) -> None:
    await citizen.send("/mybookings")
    assert "Δεν έχετε προσεχείς κρατήσεις." in citizen.text
    await book(citizen)
    await citizen.press("Οι κρατήσεις μου")
    assert "Οι προσεχείς κρατήσεις σας" in citizen.messages[-2].text
    assert "Ημερομηνία: Τετάρτη, 2 Δεκεμβρίου 2026" in citizen.text
    await citizen.press("Νέα κράτηση", citizen.messages[-2])
    assert MARKERS["el"]["municipality"] in citizen.text


async def test_the_calendar_moves_between_months_within_the_horizon(citizen: Citizen) -> None:
    await walk(citizen, "day")
    labels = citizen.labels()
    assert labels[0] == "Δεκέμβριος 2026"
    assert "Ιανουάριος »" in labels and not any(b.startswith("«") for b in labels[:-2])
    assert "·" in citizen.labels()  # weekends, holidays and closures are inert
    await citizen.press("Ιανουάριος »")
    labels = citizen.labels()  # 60 days: no February; back to December
    assert labels[0] == "Ιανουάριος 2027" and "« Δεκέμβριος" in labels
    assert not any(b.endswith("»") for b in labels)
    assert "1" not in citizen.labels() and "6" not in citizen.labels()  # New Year, Epiphany
    assert "7" in citizen.labels()
    await citizen.press("7")
    assert "Πέμπτη, 7 Ιανουαρίου 2027" in citizen.text
    await citizen.press("« Πίσω")
    assert "Ιανουάριος 2027" in citizen.labels()  # back to the month it came from
    await citizen.press_data("1|mo|2027-06")  # beyond the horizon: held at the last month
    assert "Ιανουάριος 2027" in citizen.labels()


SUNDAY_ONLY = """
[[municipality]]
id = "tiny"
name = { el = "ΔΗΜΟΣ ΔΟΚΙΜΗΣ", en = "TEST MUNICIPALITY" }
consent = { el = "Δηλώνω υπεύθυνα.", en = "I declare." }
address = { el = "Πλατεία 1", en = "1 Square" }
[[municipality.group]]
id = "tiny-office"
name = { el = "Γραφείο", en = "Office" }
phone = "+30 210 0000000"
hours = { sun = ["09:00-10:00"] }
[[municipality.group.service]]
id = "tiny-service"
name = { el = "Υπηρεσία", en = "Service" }
channels = ["in_person"]
duration = 30
horizon_days = 3
"""


async def test_a_service_with_no_free_time_says_whom_to_call(
    tmp_path: Path, fake: FakeTelegram, clock: FrozenClock
) -> None:
    catalog = tmp_path / "tiny.toml"
    catalog.write_text(SUNDAY_ONLY, encoding="utf-8")
    services = await prepare(make_settings(tmp_path, fake.base_url, CATALOG_PATH=str(catalog)),
                             clock)
    application = await start_app(services)
    try:
        citizen = Citizen(fake, application)
        await citizen.send("/start s_tiny-service")  # Tuesday: Sunday is beyond 3 days
        assert "Δεν υπάρχουν διαθέσιμες ώρες τις επόμενες 3 ημέρες." in citizen.text
        assert "Μπορείτε να τηλεφωνήσετε στην υπηρεσία στο +30 210 0000000." in citizen.text
        # No hours within the horizon at all: nothing to wait for, so no waitlist.
        assert citizen.labels() == ["« Πίσω", "✖ Ακύρωση"]
        await citizen.press("« Πίσω")
        assert MARKERS["el"]["service"] in citizen.text
    finally:
        await application.shutdown()
        await services.db.close()

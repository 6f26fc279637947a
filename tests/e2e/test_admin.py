"""Admin commands, by an admin and by others; closing a day with bookings."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.delivery import sender as dispatching
from bot.delivery.sender import dispatch
from bot.domain.model import Booking, BookingRequest, Channel, Details, Status
from bot.services.booking import book as domain_book
from bot.services.runtime import Services
from bot.startup import prepare
from storage import bookings as store
from tests.chat import Citizen
from tests.conftest import SAMPLE_CATALOG, FrozenClock, drain, make_settings, start_app, write
from tests.e2e.flow import walk
from tests.fakebot import FakeTelegram

ADMIN = 9001  # ADMIN_IDS in the tests' settings
CHIOS_ADMIN = 9100  # an admin of Chios only, from the catalog
COUNSEL_CHAT = -1001000000102
WEDNESDAY = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)  # 09:00 in Athens


@pytest.fixture
def catalog_file(tmp_path: Path) -> Path:
    copy = tmp_path / "catalog.toml"
    text = SAMPLE_CATALOG.read_text(encoding="utf-8")
    copy.write_text(text.replace("admins = []", f"admins = [{CHIOS_ADMIN}]", 1),
                    encoding="utf-8")
    return copy


@pytest.fixture
async def services(tmp_path: Path, fake: FakeTelegram, clock: FrozenClock,
                   catalog_file: Path) -> AsyncIterator[Services]:
    prepared = await prepare(make_settings(tmp_path, fake.base_url,
                                           CATALOG_PATH=str(catalog_file)), clock)
    yield prepared
    await prepared.db.close()


def person(fake: FakeTelegram, app: App, user_id: int, chat_id: int | None = None) -> Citizen:
    return Citizen(fake, app, user_id=user_id, first_name="Admin", chat_id=chat_id)


async def booked(services: Services, user_id: int, service: str = "chios-work-counsel",
                 start: datetime = WEDNESDAY) -> Booking:
    request = BookingRequest(
        user_id=user_id, service_id=service, channel=Channel.IN_PERSON, start=start,
        details=Details(f"Πολίτης {user_id}", "p@example.com", "+306912345678",
                        notes="=HYPERLINK(\"x\")"),
        consent_at=start, locale="el", timezone="Europe/Athens")
    return await write(services.db, domain_book, services.catalog, services.settings.zone, request,
                             services.clock())


async def test_a_citizen_is_not_allowed(fake: FakeTelegram, app: App) -> None:
    citizen = person(fake, app, 5001)
    for command in ("/admin", "/agenda", "/close 2026-12-10 chios Απεργία", "/open 2026-12-10",
                    "/export 2026-12-01 2026-12-31", "/stats", "/reload"):
        await citizen.send(command)
        assert citizen.text == "Δεν έχετε δικαίωμα να χρησιμοποιήσετε αυτή την εντολή."


async def test_admin_help_and_agenda(fake: FakeTelegram, app: App, services: Services) -> None:
    first = await booked(services, 6001)
    await booked(services, 6002, "chios-leases")
    admin = person(fake, app, ADMIN)
    await admin.send("/admin")
    assert "Εντολές διαχείρισης" in admin.text and "/close ΗΜΕΡΟΜΗΝΙΑ" in admin.text
    await admin.send("/agenda")  # today: Tuesday, nothing booked
    assert "Πρόγραμμα ραντεβού, Τρίτη, 1 Δεκεμβρίου 2026" in admin.text
    assert "Δεν υπάρχουν κρατήσεις." in admin.text
    await admin.send("/agenda 2/12/2026")
    text = admin.text
    assert "Κέντρα Συμβουλευτικής Υποστήριξης Γυναικών" in text
    assert f"09:00 Εργασιακή συμβουλευτική · Φυσική παρουσία · Πολίτης 6001 · {first.reference}"\
        in text
    assert "Τμήμα Περιουσίας" in text and "Κέντρο Κοινότητας" not in text  # empty: left out
    await admin.send("/agenda 2026-13-45")
    assert admin.text == ("Δεν αναγνωρίζω την ημερομηνία «2026-13-45». Γράψτε π.χ. 2026-12-10 "
                          "ή 10/12/2026.")


async def test_in_a_staff_chat_a_command_covers_that_department(
    fake: FakeTelegram, app: App, services: Services
) -> None:
    await booked(services, 6001)
    await booked(services, 6002, "chios-leases")
    chios_admin = person(fake, app, CHIOS_ADMIN, chat_id=COUNSEL_CHAT)
    await chios_admin.send("/agenda@rantevou_bot 2026-12-02")
    assert "Πολίτης 6001" in chios_admin.text and "Πολίτης 6002" not in chios_admin.text
    kavala_chat = person(fake, app, CHIOS_ADMIN, chat_id=-1001000000201)
    await kavala_chat.send("/close 2026-12-10 Απεργία")  # a Chios admin has no say over Kavala
    assert kavala_chat.text == "Δεν έχετε δικαίωμα να χρησιμοποιήσετε αυτή την εντολή."


async def test_staff_see_their_departments_agenda_in_their_chat(
    fake: FakeTelegram, app: App, services: Services
) -> None:
    await booked(services, 6001)
    await booked(services, 6002, "chios-leases")
    staff_member = person(fake, app, 7700, chat_id=COUNSEL_CHAT)
    await staff_member.send("/agenda αύριο")  # Wednesday 2 December
    text = staff_member.text
    assert "Πρόγραμμα ραντεβού, Τετάρτη, 2 Δεκεμβρίου 2026" in text
    assert "Πολίτης 6001" in text and "Πολίτης 6002" not in text  # their department only
    await staff_member.send("/agenda")
    assert "Τρίτη, 1 Δεκεμβρίου 2026" in staff_member.text
    assert "Δεν υπάρχουν κρατήσεις." in staff_member.text
    await staff_member.send("/agenda 2026-12-02")
    assert "Πολίτης 6001" in staff_member.text
    for command in ("/close 2026-12-10 Απεργία", "/export 2026-12-01 2026-12-31", "/stats"):
        await staff_member.send(command)  # the rest stays the admins'
        assert staff_member.text == "Δεν έχετε δικαίωμα να χρησιμοποιήσετε αυτή την εντολή."
    someone = person(fake, app, 7700)
    await someone.send("/agenda")  # in private, a staff member is nobody's admin
    assert someone.text == "Δεν έχετε δικαίωμα να χρησιμοποιήσετε αυτή την εντολή."


async def test_export_is_a_csv_that_excel_reads(fake: FakeTelegram, app: App,
                                                services: Services) -> None:
    first = await booked(services, 6001)
    await booked(services, 6002, "kavala-family-cert")
    chios_admin = person(fake, app, CHIOS_ADMIN)
    await chios_admin.send("/export 2026-12-01 2026-12-31")
    document = chios_admin.last.document
    assert document is not None
    assert document["file_name"] == "rantevou-2026-12-01_2026-12-31.csv"
    raw: bytes = document["content"]
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Greek
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 1  # Kavala's booking is not the Chios admin's business
    assert rows[0]["reference"] == first.reference
    assert rows[0]["service"] == "Εργασιακή συμβουλευτική"
    assert rows[0]["date"] == "2026-12-02" and rows[0]["start"] == "09:00"
    assert rows[0]["notes"] == "'=HYPERLINK(\"x\")"  # no formula from a citizen's text
    assert rows[0]["phone"] == '="+30 691 234 5678"'  # text, as written, no apostrophe
    assert "1 κράτηση" in chios_admin.last.caption
    await chios_admin.send("/export 2026-01-01 2027-06-01")
    assert chios_admin.text == "Το διάστημα μπορεί να είναι έως ένα έτος."
    await chios_admin.send("/export 2026-12-31 2026-12-01")
    assert chios_admin.text == "Η ημερομηνία έναρξης είναι μετά την ημερομηνία λήξης."
    await chios_admin.send("/export 2026-12-01")
    assert chios_admin.text.startswith("Δώστε δύο ημερομηνίες")


async def test_stats(fake: FakeTelegram, app: App, services: Services,
                     clock: FrozenClock) -> None:
    await booked(services, 6001)
    await booked(services, 6002, start=datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    await booked(services, 6003, "chios-leases")
    gone = await booked(services, 6004, start=datetime(2026, 12, 2, 10, 0, tzinfo=UTC))
    clock.now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    from bot.services.booking import cancel, set_outcome

    clock.now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    await write(services.db, cancel, services.catalog, gone.reference, 6004, clock())
    clock.now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

    async with services.db.read() as conn:
        mine = await store.bookings_of_user(conn, 6001) + await store.bookings_of_user(conn,
                                                                                       6002)
    await write(services.db, set_outcome, services.catalog, mine[0].reference, Status.COMPLETED, 1,
                      clock())
    await write(services.db, set_outcome, services.catalog, mine[1].reference, Status.NO_SHOW, 1,
                      clock())
    admin = person(fake, app, ADMIN)
    await admin.send("/stats 2026-12-01 2026-12-31")
    text = admin.text
    # One figure everywhere: the 3 not cancelled, by service, channel and day; all 4 by
    # status, the cancelled one too, and each line says what it counts.
    assert "4 κρατήσεις συνολικά" in text and "εκ των οποίων 3 δεν ακυρώθηκαν" in text
    assert "Εργασιακή συμβουλευτική: 2" in text and "Μισθώσεις δημοτικών ακινήτων: 1" in text
    assert "Φυσική παρουσία: 3" in text
    assert "Τετάρτη, 2 Δεκεμβρίου 2026: 3" in text
    assert "ολοκληρώθηκε: 1" in text and "δεν προσήλθε: 1" in text
    assert "ακυρώθηκε: 1" in text and "επιβεβαιωμένη: 1" in text
    assert "Ποσοστό μη προσέλευσης: 50%" in text


async def test_closing_a_day_without_bookings_and_opening_it_again(
    fake: FakeTelegram, app: App, services: Services
) -> None:
    chios_admin = person(fake, app, CHIOS_ADMIN)
    await chios_admin.send("/close 2026-12-03 chios-ksyg Εκπαίδευση προσωπικού")
    assert chios_admin.text == (
        "Η ημέρα Πέμπτη, 3 Δεκεμβρίου 2026 είναι πλέον κλειστή (Κέντρα Συμβουλευτικής "
        "Υποστήριξης Γυναικών). Δεν υπήρχαν κρατήσεις για ακύρωση.")  # no «0 bookings»
    citizen = person(fake, app, 5001)
    await walk(citizen, "day")
    assert "3" not in citizen.labels() and "4" in citizen.labels()
    await citizen.press_data("1|d|2026-12-03")
    assert "δεν έχουν απομείνει διαθέσιμες ώρες" in citizen.text
    await chios_admin.send("/open 2026-12-03 chios-ksyg")
    assert "είναι ξανά ανοιχτή" in chios_admin.text
    await walk(citizen, "day")
    assert "3" in citizen.labels()
    await chios_admin.send("/close 2026-12-03 Εκπαίδευση")  # no id: the whole municipality
    assert "κλειστή (ΔΗΜΟΣ ΧΙΟΥ)" in chios_admin.text
    admin = person(fake, app, ADMIN)
    await admin.send("/close 2026-12-03 Εκπαίδευση")  # admin of all: must say which
    assert admin.text.startswith("Ορίστε τον Δήμο, την ομάδα υπηρεσιών ή την υπηρεσία")
    await admin.send("/close 2026-12-03 kavala")
    assert admin.text.startswith("Προσθέστε τον λόγο")
    await admin.send("/close 2026-12-03 chios-nope Απεργία")
    assert admin.text == "Άγνωστος Δήμος, ομάδα υπηρεσιών ή υπηρεσία «chios-nope»."
    await chios_admin.send("/open 2026-12-03 kavala")  # not a Chios admin's to open
    assert chios_admin.text == "Άγνωστος Δήμος, ομάδα υπηρεσιών ή υπηρεσία «kavala»."


async def test_closing_a_day_with_bookings_tells_every_citizen_once_across_a_restart(
    fake: FakeTelegram, app: App, services: Services, clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    made = [await booked(services, 6001 + n, start=WEDNESDAY.replace(hour=7 + n))
            for n in range(3)]
    untouched = await booked(services, 6100, "chios-leases")  # another department
    chios_admin = person(fake, app, CHIOS_ADMIN)
    await chios_admin.send("/close 2026-12-02 chios-ksyg Απεργία")
    assert "θα ακυρωθούν 3 κρατήσεις" in chios_admin.text
    question = chios_admin.last
    await chios_admin.press("Όχι", question)
    assert chios_admin.text == "Δεν έκλεισε τίποτα."
    await chios_admin.send("/close 2026-12-02 chios-ksyg Απεργία")
    other_admin = person(fake, app, ADMIN)
    await other_admin.press("Ναι, κλείσιμο και ακύρωση", chios_admin.last)  # not theirs
    await chios_admin.press("Ναι, κλείσιμο και ακύρωση")
    assert "Ακυρώθηκαν 3 κρατήσεις" in chios_admin.text
    for booking in made:
        async with services.db.read() as conn:
            now = await store.get_booking(conn, booking.id)
        assert now is not None and now.status is Status.CANCELLED
        assert now.cancel_reason == "Απεργία"

    monkeypatch.setattr(dispatching, "BATCH", 2)  # the bot stops half way through
    await dispatch(app.bot, services)
    await app.shutdown()
    await services.db.close()
    fresh = await prepare(services.settings, clock)
    second = await start_app(fresh)
    try:
        await drain(second.bot, fresh)
    finally:
        await second.shutdown()
        await fresh.db.close()
    for booking in made:
        told = [m for m in fake.bot_messages(booking.user_id)
                if "ακυρώθηκε από τον Δήμο" in m.text]
        assert len(told) == 1, booking.user_id
        assert "Λόγος: Απεργία" in told[0].text
        assert "κλείστε ραντεβού για άλλη ημέρα" in told[0].text
    assert fake.bot_messages(untouched.user_id) == []


async def test_reload_applies_a_valid_catalog_and_keeps_the_old_one_otherwise(
    fake: FakeTelegram, app: App, services: Services, catalog_file: Path
) -> None:
    await booked(services, 6001, "chios-opeka-info")
    admin = person(fake, app, ADMIN)
    await admin.send("/reload")
    assert admin.text == "Ο κατάλογος διαβάστηκε ξανά: δεν υπάρχουν αλλαγές."
    good = catalog_file.read_text(encoding="utf-8")
    catalog_file.write_text(good.replace("duration = 30\ncapacity = 2", "duration = 33", 1),
                            encoding="utf-8")
    await admin.send("/reload")
    assert admin.text.startswith(
        "Ο κατάλογος δεν εφαρμόστηκε· παραμένει σε ισχύ ο τρέχων κατάλογος.")
    assert "service 'chios-leases'" in admin.text and "duration" in admin.text
    assert services.catalog.service("chios-leases") is not None
    info = good.index('[[municipality.group.service]]\nid = "chios-opeka-info"')
    end = good.index("[[municipality.group]]", info)
    catalog_file.write_text(good[:info] + good[end:].replace(
        'name.el = "Τμήμα Δημοτολογίου"', 'name.el = "Δημοτολόγιο"', 1), encoding="utf-8")
    await admin.send("/reload")
    text = admin.text
    assert text.startswith("Ο κατάλογος εφαρμόστηκε.")
    assert "Αφαιρέθηκαν: service:chios-opeka-info" in text
    assert "Άλλαξαν: group:kavala-registry" in text
    assert "1 προσεχής κράτηση ανήκει σε υπηρεσία που αφαιρέθηκε· διατηρείται." in text
    assert services.catalog.service("chios-opeka-info") is None
    async with services.db.read() as conn:
        [kept] = await store.bookings_of_user(conn, 6001)
    assert kept.status is Status.BOOKED
    citizen = person(fake, app, 6001)
    await citizen.send("/mybookings")
    assert "chios-opeka-info" in citizen.text  # still listed, by its id
    await walk(citizen, "group")
    await citizen.press("Κέντρο Κοινότητας")
    assert citizen.labels()[:-2] == ["Αίτηση για επιδόματα ΟΠΕΚΑ - Αναπηρικά"]


def names(commands: list[dict[str, str]]) -> list[str]:
    return [c["command"] for c in commands]


async def test_staff_and_admins_find_their_commands_in_the_menu(fake: FakeTelegram,
                                                                app: App) -> None:
    menus = fake.scoped_commands
    staff = menus[("chat", COUNSEL_CHAT, 0, "")]
    assert names(staff) == ["agenda", "today"]
    assert staff[0]["description"].startswith("οι κρατήσεις της ομάδας υπηρεσιών")  # Greek
    chios_admin_there = names(menus[("chat_member", COUNSEL_CHAT, CHIOS_ADMIN, "")])
    assert {"agenda", "close", "open", "export", "stats"} <= set(chios_admin_there)
    assert ("chat_member", -1001000000201, CHIOS_ADMIN, "") not in menus  # not Kavala's
    assert ("chat_member", -1001000000201, ADMIN, "") in menus  # an admin of all
    for language in ("el", "en", ""):
        private = names(menus[("chat", CHIOS_ADMIN, 0, language)])
        assert private[0] == "start" and "stats" in private and "reload" in private
    english = menus[("chat", ADMIN, 0, "en")]
    assert english[0]["description"] == "book an appointment"
    assert names(fake.commands[""])[0] == "start"  # everyone else: the citizens'
    assert "stats" not in names(fake.commands[""])


async def test_a_menu_that_cannot_be_set_does_not_stop_the_bot(fake: FakeTelegram,
                                                               services: Services) -> None:
    fake.known_chats = {COUNSEL_CHAT}  # the bot is in one staff chat; no admin wrote yet
    application = await start_app(services)
    try:
        assert ("chat", COUNSEL_CHAT, 0, "") in fake.scoped_commands
        assert all(key[1] == COUNSEL_CHAT for key in fake.scoped_commands)
        assert names(fake.commands["el"])[0] == "start"
        staff_member = person(fake, application, 7700, chat_id=COUNSEL_CHAT)
        await staff_member.send("/agenda")
        assert "Πρόγραμμα ραντεβού" in staff_member.text
    finally:
        await application.shutdown()


async def test_today_is_one_message_kept_up_to_date(fake: FakeTelegram, app: App,
                                                    services: Services,
                                                    clock: FrozenClock) -> None:
    from bot.services.booking import cancel

    clock.now = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 08:00 in Athens
    staff_member = person(fake, app, 7700, chat_id=COUNSEL_CHAT)
    await staff_member.send("/today")
    await drain(app.bot, services)
    today = fake.bot_messages(COUNSEL_CHAT)[-1]
    assert today.text.startswith("📋 Τα σημερινά ραντεβού, Τρίτη, 1 Δεκεμβρίου 2026")
    assert "Δεν υπάρχουν κρατήσεις." in today.text
    first = await booked(services, 6001, start=datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    await booked(services, 6002, start=datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    await booked(services, 6003, "metamorfosi-signature",
                 start=datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    await drain(app.bot, services)
    assert "10:00 Εργασιακή συμβουλευτική · Φυσική παρουσία · Πολίτης 6001" in today.text
    assert "11:00 Εργασιακή συμβουλευτική" in today.text and "Πολίτης 6002" in today.text
    assert "Πολίτης 6003" not in today.text  # another department's
    assert today.edits == 1  # two bookings, one edit: the changes wait for one another
    await write(services.db, cancel, services.catalog, first.reference, 6001, clock())
    await drain(app.bot, services)
    assert "Πολίτης 6001" not in today.text and "Πολίτης 6002" in today.text
    notices = [m for m in fake.bot_messages(COUNSEL_CHAT) if m is not today]
    assert len(notices) == 2  # each booking's own notice, besides the one agenda
    tomorrow = await booked(services, 6004, start=datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    await drain(app.bot, services)
    assert tomorrow.reference not in today.text and "Πολίτης 6002" in today.text

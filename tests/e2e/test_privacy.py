"""Privacy: no personal data in logs or error columns; retention and /forgetme leave no
trace of a citizen anywhere in the database (nor in its files); /mydata holds all of one
citizen and nothing of another."""

from __future__ import annotations

import json
import logging
import stat
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import JSON, String, Text, select

from bot.app import App
from bot.delivery.jobs import _retention
from bot.domain.model import BookingRequest, Channel, Details
from bot.services.booking import book as domain_book
from bot.services.runtime import Services
from bot.startup import prepare
from storage import bookings as store
from storage import outbox
from storage.schema import chats, metadata, users
from tests.chat import Citizen
from tests.conftest import FrozenClock, drain, make_settings, write
from tests.e2e.flow import EMAIL, NAME, PHONE, THIRD, book
from tests.e2e.test_email import Inbox, free_port
from tests.e2e.test_staff import COUNSEL_CHAT, staff
from tests.fakebot import ApiError, FakeTelegram

COMMENT = "Η κυρία Ελένη Μαυρομάτη με βοήθησε πολύ"
DETAILS = (NAME, EMAIL, PHONE, THIRD, COMMENT)


async def held_anywhere(services: Services, *needles: str) -> list[str]:
    """Where any of the needles is in a text or JSON column of any table: table.column."""
    found = []
    async with services.db.read() as conn:
        for table in metadata.sorted_tables:
            columns = [c for c in table.c if isinstance(c.type, String | Text | JSON)]
            if not columns:
                continue
            for row in await conn.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    shown = json.dumps(value, ensure_ascii=False) if isinstance(
                        column.type, JSON) else str(value)
                    found += [f"{table.name}.{column.name}" for needle in needles
                              if needle.lower() in shown.lower()]
    return found


def file_bytes(services: Services) -> bytes:
    """The SQLite file and its WAL as they lie on disk (nothing on PostgreSQL)."""
    path = services.db.path
    if path is None:
        return b""
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def rated_with_comment(citizen: Citizen, app: App, services: Services,
                             clock: FrozenClock) -> None:
    clock.now = datetime(2026, 12, 2, 8, 50, tzinfo=UTC)  # after the end: the rating
    await drain(app.bot, services)
    await citizen.press("5 ⭐", citizen.last)
    await citizen.reply(COMMENT, citizen.last)


# ---- no personal data in logs or error columns --------------------------------------

class Refusing(Inbox):
    """A mail server that refuses every recipient, quoting the address, as real ones do."""

    def __init__(self, code: int) -> None:
        super().__init__()
        self.code = code

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any,  # noqa: N802
                          address: str, options: Any) -> str:
        return f"{self.code} 5.1.1 <{address}>: Recipient address rejected: {NAME}"


@pytest.fixture
def refusing() -> Iterator[Controller]:
    server = Controller(Refusing(550), hostname="127.0.0.1", port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def services(tmp_path: Path, fake: FakeTelegram, clock: FrozenClock,
                   refusing: Controller, database_url: str) -> AsyncIterator[Services]:
    settings = make_settings(tmp_path, fake.base_url, DATABASE_URL=database_url,
                             SMTP_HOST="127.0.0.1",
                             SMTP_PORT=refusing.port, SMTP_SECURITY="none",
                             SMTP_SENDER="rantevou@chios.example.gr")
    prepared = await prepare(settings, clock)
    yield prepared
    await prepared.db.close()


async def test_refusals_and_telegram_errors_name_nobody_in_logs_or_the_database(
    citizen: Citizen, app: App, services: Services, fake: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    quoting = f"Bad Request: can't parse {NAME} <{EMAIL}> {PHONE}"
    fake.fail_next("sendMessage", ApiError(400, quoting), COUNSEL_CHAT)  # the staff notice
    fake.fail_next("sendDocument", ApiError(502, f"Bad Gateway: {EMAIL}"))  # the invitation
    with caplog.at_level(logging.INFO):
        await book(citizen)
        await drain(app.bot, services)
        async with services.db.read() as conn:
            items = await outbox.items_of(conn)
    emails = [i for i in items if i["kind"] == "email"]
    assert len(emails) == 2  # to the citizen, to the third participant
    # 550: refused for good, not tried five times
    assert all(i["status"] == "failed" and i["attempts"] == 1 for i in emails)
    assert all("550" in i["last_error"] for i in emails)
    notice = next(i for i in items if i["kind"] == "staff_notice")
    assert notice["status"] == "failed" and "parse" in notice["last_error"]
    assert any("Bad Gateway" in i["last_error"] for i in items)  # the invitation, retried
    # Everything logged but by the test's own mail server (aiosmtpd logs what it is sent).
    logged = "\n".join(caplog.handler.format(record) for record in caplog.records
                       if not record.name.startswith("mail.log"))
    assert "550" in logged and "Bad Gateway" in logged and "parse" in logged
    columns = json.dumps([[i["last_error"], i["payload"]] for i in items], ensure_ascii=False)
    for detail in (NAME, EMAIL, PHONE, THIRD):
        assert detail not in logged
        assert detail not in columns


async def test_a_temporary_refusal_is_tried_again(
    citizen: Citizen, app: App, services: Services, refusing: Controller
) -> None:
    refusing.handler.code = 450
    await book(citizen)
    await drain(app.bot, services)
    async with services.db.read() as conn:
        emails = [i for i in await outbox.items_of(conn) if i["kind"] == "email"]
    assert {(i["status"], i["attempts"]) for i in emails} == {("pending", 1)}
    assert all("450" in i["last_error"] and EMAIL not in i["last_error"] for i in emails)


# ---- retention ----------------------------------------------------------------------

async def test_retention_leaves_no_trace_and_redacts_the_messages(
    citizen: Citizen, app: App, services: Services, fake: FakeTelegram, clock: FrozenClock,
) -> None:
    await book(citizen)
    await drain(app.bot, services)
    [notice] = fake.bot_messages(COUNSEL_CHAT)
    confirmation = citizen.messages[-2]
    assert NAME in notice.text and "Η κράτησή σας επιβεβαιώθηκε." in confirmation.text
    await rated_with_comment(citizen, app, services, clock)
    assert set(await held_anywhere(services, *DETAILS)) >= {"bookings.name", "bookings.email",
                                                             "feedback.comment"}
    async with services.db.read() as conn:
        [made] = await store.bookings_of_user(conn, citizen.id)

    clock.now = made.end + timedelta(days=180, hours=1)
    assert (await _retention(services)).startswith("personal data of 1 old bookings erased")
    await drain(app.bot, services)

    assert await held_anywhere(services, *DETAILS, made.meeting_url) == []
    assert not any(detail.encode() in file_bytes(services) for detail in DETAILS)
    assert notice.text.startswith(f"🆕 Νέα κράτηση · {made.reference}")
    assert NAME not in notice.text and EMAIL not in notice.text
    assert "Υπηρεσία: Εργασιακή συμβουλευτική" in notice.text
    assert notice.text.endswith("Τα προσωπικά στοιχεία του πολίτη διαγράφηκαν: έληξε η "
                                "περίοδος διατήρησής τους.")
    assert notice.buttons == []
    assert confirmation.text == f"🗑 Τα στοιχεία της κράτησης {made.reference} διαγράφηκαν."
    async with services.db.read() as conn:
        erased = await store.get_booking(conn, made.id)
        assert await store.bookings_of_user(conn, citizen.id) == []
    assert erased is not None and erased.status.value == "booked" and erased.user_id == 0
    assert erased.start == made.start and erased.service_id == made.service_id  # statistics


# ---- /forgetme ----------------------------------------------------------------------

async def test_forget_me_cancels_erases_and_starts_afresh(
    citizen: Citizen, app: App, services: Services, fake: FakeTelegram, clock: FrozenClock,
) -> None:
    await book(citizen)
    await drain(app.bot, services)
    await rated_with_comment(citizen, app, services, clock)  # a past booking, rated
    await book(citizen)  # and one to come: Wednesday 9 December
    await drain(app.bot, services)
    async with services.db.read() as conn:
        past, upcoming = await store.bookings_of_user(conn, citizen.id)
    await citizen.press("🔁 Προγραμματισμός εκ νέου", citizen.messages[-2])  # half way:
    await citizen.press("10")
    await citizen.press("11:00")  # the details are in the draft, at the summary
    assert "chats.draft" in await held_anywhere(services, EMAIL)
    notices = fake.bot_messages(COUNSEL_CHAT)
    assert len(notices) == 2

    await citizen.send("/forgetme")
    question = citizen.last
    assert question.text.startswith("Θέλετε να διαγραφούν όλα τα στοιχεία σας;")
    assert "Η προσεχής κράτησή σας θα ακυρωθεί και η υπηρεσία θα ενημερωθεί." in question.text
    assert "/mydata" in question.text
    assert await held_anywhere(services, *DETAILS)  # nothing yet
    await citizen.press("🗑 Ναι, διαγραφή όλων", question)
    assert question.text == ("Όλα τα στοιχεία σας διαγράφηκαν. Αν μου γράψετε ξανά, θα σας "
                             "εξυπηρετήσω ως νέο χρήστη.")
    await drain(app.bot, services)

    assert await held_anywhere(services, *DETAILS, upcoming.meeting_url) == []
    assert not any(detail.encode() in file_bytes(services) for detail in DETAILS)
    async with services.db.read() as conn:
        cancelled = await store.get_booking(conn, upcoming.id)
        left_users = (await conn.execute(select(users).where(users.c.id == citizen.id))).all()
        left_chats = (await conn.execute(select(chats).where(
            chats.c.chat_id == citizen.id))).all()
        items = await outbox.items_of(conn)
    assert cancelled is not None and cancelled.status.value == "cancelled"
    assert left_users == [] and left_chats == []
    assert not any(i["chat_id"] == citizen.id and i["status"] == "pending" for i in items)
    old_notice, new_notice = notices
    assert new_notice.text.startswith(f"❌ Ακυρώθηκε από τον πολίτη · {upcoming.reference}")
    assert new_notice.buttons == []
    for shown in notices:
        assert NAME not in shown.text and EMAIL not in shown.text
        assert shown.text.endswith("Τα προσωπικά στοιχεία διαγράφηκαν κατόπιν αιτήματος του "
                                   "πολίτη.")
    assert past.reference in old_notice.text

    fresh = Citizen(fake, app, language_code="en")  # the same person, their app in English
    await fresh.send("/mybookings")
    assert fresh.text == "You have no upcoming bookings."
    async with services.db.read() as conn:
        row = (await conn.execute(select(users.c.locale).where(users.c.id == citizen.id))).one()
    assert row.locale == "en"  # chosen afresh, as for anyone new


async def test_forget_me_can_be_declined(citizen: Citizen, app: App,
                                         services: Services) -> None:
    await book(citizen)
    await drain(app.bot, services)
    await citizen.send("/forgetme")
    await citizen.press("Όχι, να διατηρηθούν")
    assert citizen.text == "Δεν διαγράφηκε τίποτα."
    assert "bookings.email" in await held_anywhere(services, EMAIL)


# ---- /mydata ------------------------------------------------------------------------

async def test_my_data_holds_all_of_one_citizen_and_nothing_of_another(
    citizen: Citizen, app: App, services: Services, fake: FakeTelegram, clock: FrozenClock,
) -> None:
    other = BookingRequest(
        user_id=5002, service_id="chios-work-counsel", channel=Channel.VIDEO,
        start=datetime(2026, 12, 2, 9, 0, tzinfo=UTC), consent_at=clock(), locale="el",
        details=Details("Νίκος Ξένος", "nikos.other@example.com", "306900000002"),
        timezone="Europe/Athens")
    await write(services.db, domain_book, services.catalog, services.settings.zone, other,
                clock())
    await book(citizen)
    await drain(app.bot, services)
    await rated_with_comment(citizen, app, services, clock)
    clerk = staff(fake, app, user_id=7799123)
    await clerk.press("✔️ Ολοκληρώθηκε", fake.bot_messages(COUNSEL_CHAT)[-1])
    async with services.db.read() as conn:
        [mine] = await store.bookings_of_user(conn, citizen.id)
        [theirs] = await store.bookings_of_user(conn, other.user_id)

    await citizen.send("/mydata")
    text_file, json_file = citizen.messages[-2:]
    assert text_file.document is not None and json_file.document is not None
    assert text_file.document["file_name"] == "rantevou-my-data.txt"
    assert text_file.caption.startswith("Όλα όσα τηρεί το Rantevou για εσάς")
    text = text_file.document["content"].decode()
    data = json.loads(json_file.document["content"])
    for held in (text, json.dumps(data, ensure_ascii=False)):
        for detail in (NAME, EMAIL, THIRD, COMMENT, mine.reference, mine.meeting_url):
            assert detail in held
        for foreign in ("Νίκος Ξένος", "nikos.other@example.com", "306900000002",
                        theirs.reference, "7799123"):
            assert foreign not in held
    assert text.startswith("Rantevou: τα δεδομένα που τηρούνται για εσάς")
    assert "Γλώσσα: Ελληνικά" in text and "Εργασιακή συμβουλευτική" in text
    assert "Ολοκλήρωση από την υπηρεσία" in text and "Η βαθμολογία σας: 5 στα 5" in text
    [booking] = data["bookings"]
    assert booking["details"]["phone"] == "+" + PHONE and booking["rating"] == 5
    assert [event["kind"] for event in booking["history"]] == ["booked", "completed"]
    assert [event["by"] for event in booking["history"]] == ["you", "staff"]
    assert data["preferences"]["locale"] == "el"
    assert data["waitlist"] == []


# ---- exports ------------------------------------------------------------------------

async def test_an_export_is_sent_from_memory_and_leaves_no_file(
    citizen: Citizen, app: App, services: Services, fake: FakeTelegram,
) -> None:
    path = services.db.path
    if path is None:
        pytest.skip("PostgreSQL: no database file")
    await book(citizen)
    admin = Citizen(fake, app, user_id=9001)
    await admin.send("/export 2026-12-01 2026-12-31")
    document = admin.last.document
    assert document is not None and EMAIL.encode() in document["content"]
    beside = {p.name: stat.S_IMODE(p.stat().st_mode) for p in path.parent.iterdir()}
    assert set(beside) <= {path.name, f"{path.name}-wal", f"{path.name}-shm"}
    assert set(beside.values()) == {0o600}

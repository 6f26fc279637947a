"""Email through a real SMTP server (aiosmtpd on loopback), started by the tests."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar

from bot.app import App
from bot.services.runtime import Services
from bot.startup import prepare
from storage import bookings as store
from storage import outbox
from tests.chat import Citizen
from tests.conftest import FrozenClock, drain, make_settings, start_app
from tests.e2e.flow import EMAIL, THIRD, book
from tests.fakebot import ApiError, FakeTelegram


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, Controller]]:
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=free_port())
    server.start()
    yield inbox, server
    server.stop()


@pytest.fixture
async def services(tmp_path: Path, fake: FakeTelegram, clock: FrozenClock,
                   smtp: tuple[Inbox, Controller]) -> AsyncIterator[Services]:
    settings = make_settings(tmp_path, fake.base_url, SMTP_HOST="127.0.0.1",
                             SMTP_PORT=smtp[1].port, SMTP_SECURITY="none",
                             SMTP_SENDER="Δήμος Χίου <rantevou@chios.example.gr>")
    prepared = await prepare(settings, clock)
    yield prepared
    await prepared.db.close()


def calendar_of(message: EmailMessage) -> tuple[str, Calendar]:
    """The text/calendar alternative (its method parameter) and the invitation, parsed."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return str(part.get_param("method")), Calendar.from_ical(part.get_content())
    raise AssertionError("no text/calendar part")


async def test_confirmation_change_and_cancellation_by_email(
    citizen: Citizen, app: App, services: Services, smtp: tuple[Inbox, Controller]
) -> None:
    inbox, _ = smtp
    await book(citizen)
    await drain(app.bot, services)
    async with services.db.read() as conn:
        [made] = await store.bookings_of_user(conn, citizen.id)
    [confirmation] = inbox.to(EMAIL)
    assert confirmation["From"] == "Δήμος Χίου <rantevou@chios.example.gr>"
    assert confirmation["Subject"] == ("Επιβεβαίωση ραντεβού: Εργασιακή συμβουλευτική, "
                                       "Τετάρτη, 2 Δεκεμβρίου 2026")
    plain = confirmation.get_body(("plain",))
    html = confirmation.get_body(("html",))
    assert plain is not None and html is not None
    assert "Η κράτησή σας επιβεβαιώθηκε." in plain.get_content()
    assert made.meeting_url in plain.get_content()
    assert "εδώ" not in plain.get_content()  # no "here" in an email, no button to press
    assert "Με τη συνημμένη πρόσκληση" in plain.get_content()
    assert "<b>" in html.get_content()
    method, invitation = calendar_of(confirmation)
    assert method == "REQUEST" and str(invitation["METHOD"]) == "REQUEST"
    [event] = invitation.walk("VEVENT")
    assert str(event["UID"]) == made.uid and event.decoded("DTSTART") == made.start
    attachments = [p.get_filename() for p in confirmation.iter_attachments()]
    assert attachments == [f"rantevou-{made.reference}.ics"]

    [third] = inbox.to(THIRD)
    assert third["Subject"] == "Πρόσκληση σε τηλεδιάσκεψη — ΔΗΜΟΣ ΧΙΟΥ"
    third_text = third.get_body(("plain",))
    assert third_text is not None and made.meeting_url in third_text.get_content()
    assert "Σοφία Παπαδοπούλου" in third_text.get_content()

    await citizen.press("🔁 Προγραμματισμός εκ νέου", citizen.messages[-2])
    await citizen.press("3")
    await citizen.press("11:00")
    await citizen.press("✅ Επιβεβαίωση αλλαγής")
    await drain(app.bot, services)
    await citizen.press("❌ Ακύρωση κράτησης", citizen.messages[-2])
    await citizen.press("Ναι, ακύρωση")
    await drain(app.bot, services)
    booked, changed, cancelled = inbox.to(EMAIL)
    assert changed["Subject"].startswith("Αλλαγή ραντεβού:")
    assert cancelled["Subject"].startswith("Ακύρωση ραντεβού:")
    events = [calendar_of(m)[1].walk("VEVENT")[0] for m in (booked, changed, cancelled)]
    assert len({str(e["UID"]) for e in events}) == 1
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
    assert calendar_of(cancelled)[0] == "CANCEL"
    invited, moved, dropped = inbox.to(THIRD)
    assert invited is third  # the first invitation is not sent again
    assert moved["Subject"] == "Νέα ώρα τηλεδιάσκεψης — ΔΗΜΟΣ ΧΙΟΥ"
    moved_text = moved.get_body(("plain",))
    assert moved_text is not None and "μεταφέρθηκε" in moved_text.get_content()
    assert "Πέμπτη, 3 Δεκεμβρίου 2026, 11:00" in moved_text.get_content()
    assert dropped["Subject"] == "Ακύρωση τηλεδιάσκεψης — ΔΗΜΟΣ ΧΙΟΥ"


async def test_a_citizen_who_blocked_the_bot_gets_the_reminder_by_email(
    citizen: Citizen, app: App, services: Services, clock: FrozenClock,
    fake: FakeTelegram, smtp: tuple[Inbox, Controller]
) -> None:
    inbox, _ = smtp
    await book(citizen)
    await drain(app.bot, services)
    before = len(inbox.to(EMAIL))
    clock.now = datetime(2026, 12, 2, 6, 30, tzinfo=UTC)  # an hour before 09:30 in Athens
    fake.fail_next("sendMessage", ApiError(403, "Forbidden: bot was blocked by the user"),
                   citizen.id)
    await drain(app.bot, services)
    [reminder] = inbox.to(EMAIL)[before:]
    assert reminder["Subject"] == "Υπενθύμιση: Εργασιακή συμβουλευτική"
    body = reminder.get_body(("plain",))
    assert body is not None and "Υπενθύμιση: το ραντεβού σας είναι σε 1 ώρα." in (
        body.get_content())
    assert "κουμπί" not in body.get_content() and "εδώ" not in body.get_content()
    clock.now = datetime(2026, 12, 2, 7, 20, tzinfo=UTC)  # the link, by email too
    await drain(app.bot, services)
    link = inbox.to(EMAIL)[-1]
    text = link.get_body(("plain",))
    async with services.db.read() as conn:
        [made] = await store.bookings_of_user(conn, citizen.id)
    assert text is not None and made.meeting_url in text.get_content()
    assert "κουμπί" not in text.get_content()
    assert "Συνδεθείτε με τον παρακάτω σύνδεσμο" in text.get_content()


async def test_a_mail_server_that_is_down_is_tried_again(
    tmp_path: Path, fake: FakeTelegram, clock: FrozenClock
) -> None:
    inbox = Inbox()
    port = free_port()
    settings = make_settings(tmp_path, fake.base_url, SMTP_HOST="127.0.0.1", SMTP_PORT=port,
                             SMTP_SECURITY="none", SMTP_SENDER="rantevou@chios.example.gr")
    services = await prepare(settings, clock)
    app = await start_app(services)
    try:
        citizen = Citizen(fake, app)
        await book(citizen)
        await drain(app.bot, services)  # no server listening yet
        async with services.db.read() as conn:
            emails = [i for i in await outbox.items_of(conn) if i["kind"] == "email"]
        assert {i["status"] for i in emails} == {"pending"}
        assert all(i["attempts"] == 1 and i["last_error"] for i in emails)
        server = Controller(inbox, hostname="127.0.0.1", port=port)
        server.start()
        try:
            clock.advance(seconds=31)
            await drain(app.bot, services)
        finally:
            server.stop()
        assert len(inbox.to(EMAIL)) == 1 and len(inbox.to(THIRD)) == 1
    finally:
        await app.shutdown()
        await services.db.close()


async def test_a_change_overtaken_by_another_is_not_emailed(
    citizen: Citizen, app: App, services: Services, smtp: tuple[Inbox, Controller]
) -> None:
    inbox, _ = smtp
    await book(citizen)
    await drain(app.bot, services)
    await citizen.press("🔁 Προγραμματισμός εκ νέου", citizen.messages[-2])
    await citizen.press("3")
    await citizen.press("11:00")
    citizen.sends_outbox = False  # the sender has not come round yet
    await citizen.press("✅ Επιβεβαίωση αλλαγής")
    await citizen.press("❌ Ακύρωση κράτησης", citizen.messages[-1])  # before any email went
    await citizen.press("Ναι, ακύρωση")
    await drain(app.bot, services)
    subjects = [m["Subject"].split(":")[0] for m in inbox.to(EMAIL)]
    assert subjects == ["Επιβεβαίωση ραντεβού", "Ακύρωση ραντεβού"]

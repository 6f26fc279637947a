"""Privacy: no personal data in logs or error columns."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bot.app import App
from bot.services.runtime import Services
from bot.startup import prepare
from storage import outbox
from tests.chat import Citizen
from tests.conftest import FrozenClock, drain, make_settings
from tests.e2e.flow import EMAIL, NAME, PHONE, THIRD, book
from tests.e2e.test_email import Inbox, free_port
from tests.e2e.test_staff import COUNSEL_CHAT
from tests.fakebot import ApiError, FakeTelegram

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
                   refusing: Controller) -> AsyncIterator[Services]:
    settings = make_settings(tmp_path, fake.base_url, SMTP_HOST="127.0.0.1",
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

"""Told once, stored once: from the press of «Κράτηση» to the last message, a failure at any
moment — Telegram refusing a call, answering after the bot gave up, the bot killed — then
a restart and the citizen pressing again: one booking, the citizen told of it, its .ics
delivered, and never "something went wrong" about a booking that exists."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Update

from bot.ptb import turn
from bot.services import lookups
from bot.settings import Settings
from storage import bookings as store
from storage import chats
from tests.chat import Citizen
from tests.conftest import FrozenClock
from tests.e2e.faults import LATE, Deployment
from tests.e2e.flow import EMAIL, MARKERS, NAME, walk
from tests.e2e.test_turns import text_update
from tests.fakebot import ApiError, FakeTelegram, Fault, Sent

COUNSEL_CHAT = -1001000000102
ERROR = "παρουσιάστηκε πρόβλημα"
CONFIRMED = "Η κράτησή σας επιβεβαιώθηκε"
BOOK = "✅ Κράτηση"
CITIZEN = 5001

# Every call from the press to the last message (the first test checks this is so): the
# press's answer and the confirmation, then from the outbox the staff's notice and the
# invitation.
CALLS = [("answerCallbackQuery", None), ("editMessageText", CITIZEN),
         ("sendMessage", COUNSEL_CHAT), ("sendDocument", CITIZEN)]
FAULTS = {
    "500": {"kind": "fail", "error": ApiError(500, "Internal Server Error"), "times": 3},
    "late": {"kind": "late", "late_by": LATE},
    "killed before it arrived": {"kind": "hang"},
    "killed after it arrived": {"kind": "hang", "applied": True},
}


@pytest.fixture
async def deployment(settings: Settings, clock: FrozenClock,
                     fake: FakeTelegram) -> AsyncIterator[Deployment]:
    running = Deployment(settings, clock, fake)
    await running.start()
    yield running
    await running.stop()


async def bookings_of(deployment: Deployment) -> list[store.Booking]:
    if deployment.services is None:
        raise RuntimeError("the bot is not running")
    async with deployment.services.db.read() as conn:
        return await store.bookings_of_user(conn, CITIZEN)


async def press_book(deployment: Deployment, summary: Sent) -> bool:
    """Press «Κράτηση» on the summary (the bot may be killed meanwhile: True)."""
    return await deployment.until_hung(deployment.citizen().press(BOOK, summary))


async def recover(deployment: Deployment, summary: Sent, again: bool = True) -> Citizen:
    """What a citizen does next: press «Κράτηση» again while it is there (`again`), or
    just wait; time passes."""
    citizen = deployment.citizen()
    if again and (BOOK in citizen.labels(summary) if summary.reply_markup else False):
        await citizen.press(BOOK, summary)
    await deployment.later()
    return citizen


async def assert_told_once(deployment: Deployment, citizen: Citizen,
                           ics_at_most: int = 1) -> None:
    [made] = await bookings_of(deployment)
    texts = [m.text for m in citizen.messages]
    assert any(CONFIRMED in t and made.reference in t for t in texts), texts[-3:]
    assert not any(ERROR in t for t in texts)
    assert not any(BOOK in citizen.labels(m) for m in citizen.messages if m.reply_markup)
    documents = [m for m in citizen.messages if m.document]
    assert 1 <= len(documents) <= ics_at_most
    assert {m.document["file_name"] for m in documents if m.document} == {
        f"rantevou-{made.reference}.ics"}
    notices = [m for m in deployment.fake.bot_messages(COUNSEL_CHAT)
               if made.reference in m.text]
    assert notices


async def test_the_calls_from_the_press_to_the_last_message(
        deployment: Deployment, fake: FakeTelegram) -> None:
    citizen = deployment.citizen()
    await walk(citizen, "summary")
    before = len(fake.calls)
    await citizen.press(BOOK)
    await deployment.later()
    made = [(m, p.get("chat_id")) for m, p in fake.calls[before:]]
    # The outbox sends the notice and the invitation side by side, in either order.
    assert made[:2] == CALLS[:2] and sorted(made[2:], key=str) == sorted(CALLS[2:], key=str)
    await assert_told_once(deployment, citizen)


@pytest.mark.parametrize("again", [True, False], ids=["pressed again", "waited"])
@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("moment", range(len(CALLS)))
async def test_a_fault_at_any_call_after_the_press(deployment: Deployment, fake: FakeTelegram,
                                                   moment: int, fault: str,
                                                   again: bool) -> None:
    citizen = deployment.citizen()
    await walk(citizen, "summary")
    summary = citizen.keyboard_message()
    method, chat = CALLS[moment]
    fake.inject(Fault(method, chat_id=chat, **FAULTS[fault]))
    killed = await press_book(deployment, summary)
    assert killed == (FAULTS[fault]["kind"] == "hang")
    citizen = await recover(deployment, summary, again)
    # What arrived but was never answered may be sent again: at least once, at most twice.
    # The outbox sends the notice and the invitation side by side: a kill during either
    # may catch the invitation in flight.
    twice = (fault == "late" and method == "sendDocument") or (killed and moment >= 2)
    await assert_told_once(deployment, citizen, ics_at_most=2 if twice else 1)


async def test_killed_before_the_commit(deployment: Deployment, fake: FakeTelegram,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    citizen = deployment.citizen()
    await walk(citizen, "summary")
    summary = citizen.keyboard_message()
    saving = chats.save

    async def killed(*args: Any, **kwargs: Any) -> None:
        await fake.hang()

    monkeypatch.setattr(chats, "save", killed)
    assert await press_book(deployment, summary)
    monkeypatch.setattr(chats, "save", saving)
    assert await bookings_of(deployment) == []  # nothing of the turn was kept
    citizen = await recover(deployment, summary)
    await assert_told_once(deployment, citizen)


async def test_killed_after_the_replies_before_their_ids_were_written(
        deployment: Deployment, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch) -> None:
    citizen = deployment.citizen()
    await walk(citizen, "summary")
    summary = citizen.keyboard_message()
    learning = lookups.learn

    async def killed(*args: Any, **kwargs: Any) -> None:
        await fake.hang()

    monkeypatch.setattr(lookups, "learn", killed)
    assert await press_book(deployment, summary)
    monkeypatch.setattr(lookups, "learn", learning)
    citizen = await recover(deployment, summary, again=False)
    await assert_told_once(deployment, citizen)


async def test_killed_twice_and_pressed_in_between(deployment: Deployment,
                                                   fake: FakeTelegram) -> None:
    citizen = deployment.citizen()
    await walk(citizen, "summary")
    summary = citizen.keyboard_message()
    fake.inject(Fault("editMessageText", "hang", CITIZEN))
    assert await press_book(deployment, summary)
    fake.inject(Fault("editMessageText", "hang", CITIZEN))
    assert await press_book(deployment, summary)  # the second press dies the same way
    assert len(await bookings_of(deployment)) == 1
    assert turn._carried == {}
    citizen = await recover(deployment, summary)
    await assert_told_once(deployment, citizen)


async def cancel(citizen: Citizen) -> Sent:
    confirmation = next(m for m in citizen.messages if CONFIRMED in m.text)
    await citizen.press("❌ Ακύρωση κράτησης", confirmation)
    return citizen.last


async def reschedule(citizen: Citizen) -> Sent:
    confirmation = next(m for m in citizen.messages if CONFIRMED in m.text)
    await citizen.press("🔁 Προγραμματισμός εκ νέου", confirmation)
    await citizen.press("3")
    await citizen.press("09:30")
    return citizen.keyboard_message()


CHANGES = {"cancel": (cancel, "Ναι, ακύρωση", "❌ Ακυρώθηκε"),
           "reschedule": (reschedule, "✅ Επιβεβαίωση αλλαγής", "Η κράτησή σας άλλαξε.")}


@pytest.mark.parametrize("again", [True, False], ids=["pressed again", "waited"])
@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("method", ["editMessageText", "sendDocument"])
@pytest.mark.parametrize("change", list(CHANGES))
async def test_a_fault_after_a_change_is_committed(deployment: Deployment, fake: FakeTelegram,
                                                   change: str, method: str, fault: str,
                                                   again: bool) -> None:
    citizen = deployment.citizen()
    await walk(citizen, "summary")
    await citizen.press(BOOK)
    await deployment.later()
    ask, label, told = CHANGES[change]
    question = await ask(citizen)
    fake.inject(Fault(method, chat_id=CITIZEN, **FAULTS[fault]))
    killed = await deployment.until_hung(deployment.citizen().press(label, question))
    assert killed == (FAULTS[fault]["kind"] == "hang")
    citizen = deployment.citizen()
    if again and (label in citizen.labels(question) if question.reply_markup else False):
        await citizen.press(label, question)  # what they see has not changed: again
    await deployment.later()
    [made] = await bookings_of(deployment)
    assert made.sequence == 1  # changed once
    texts = [m.text for m in citizen.messages]
    assert any(told in t and made.reference in t for t in texts), texts[-3:]
    assert not any(ERROR in t for t in texts)
    assert not any(label in citizen.labels(m) for m in citizen.messages if m.reply_markup)
    invitations = [m.document["content"] for m in citizen.messages if m.document]
    assert sum(b"SEQUENCE:1" in ics for ics in invitations) >= 1


@pytest.mark.parametrize("redelivered", [False, True])
@pytest.mark.parametrize("fault", ["killed before it arrived", "killed after it arrived"])
async def test_a_step_survives_the_crash_that_follows_it(
        deployment: Deployment, fake: FakeTelegram, fault: str, redelivered: bool) -> None:
    citizen = deployment.citizen()
    await walk(citizen, "name")
    typed = text_update(citizen, NAME)
    fake.inject(Fault("sendMessage", chat_id=CITIZEN, **FAULTS[fault]))  # the email prompt
    assert await deployment.until_hung(deliver(deployment, typed))
    if redelivered:  # its offset was never confirmed: Telegram sends it to the new process
        await deliver(deployment, typed)
        assert MARKERS["el"]["email"] in deployment.citizen().text
    citizen = deployment.citizen()
    await citizen.send(EMAIL)
    assert MARKERS["el"]["phone"] in citizen.text
    if deployment.services is None:
        raise RuntimeError("the bot is not running")
    async with deployment.services.db.read() as conn:
        row = await chats.load(conn, CITIZEN)
    assert row is not None and row.draft is not None
    assert (row.draft["name"], row.draft["email"]) == (NAME, EMAIL)


async def deliver(deployment: Deployment, data: dict[str, Any]) -> None:
    app = deployment.app
    if app is None:
        raise RuntimeError("the bot is not running")
    update = Update.de_json(data, app.bot)
    await app.update_processor.process_update(update, app.process_update(update))


async def test_two_instances_pressed_at_once_book_once(
        deployment: Deployment, settings: Settings, clock: FrozenClock,
        fake: FakeTelegram) -> None:
    other = Deployment(settings, clock, fake)  # a second process on the same database
    await other.start()
    try:
        citizen = deployment.citizen()
        await walk(citizen, "summary")
        summary = citizen.keyboard_message()
        fake.latency = 0.01
        await asyncio.gather(citizen.press(BOOK, summary),
                             other.citizen().press(BOOK, summary))
        fake.latency = 0
        await deployment.later()
        await assert_told_once(deployment, citizen)
    finally:
        await other.stop()

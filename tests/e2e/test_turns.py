"""How updates are processed: one chat's in arrival order, chats side by side; a
redelivered update takes effect once; a double tap books once; each update is one write
transaction of a few statements; a turn that fails keeps nothing and says so; a reply
Telegram asks to wait for is sent after the wait."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import event
from telegram import Update

from bot.app import App
from bot.services.runtime import Services
from storage import bookings as store
from storage import chats
from tests.chat import Citizen
from tests.e2e.flow import MARKERS, walk
from tests.fakebot import ApiError, FakeTelegram

_ids = itertools.count(900_000)


def text_update(citizen: Citizen, text: str) -> dict[str, Any]:
    message_id = citizen.fake.new_message_id(citizen.id)
    return {"update_id": next(_ids), "message": {
        "message_id": message_id, "date": 0, "from": citizen.user, "text": text,
        "chat": {"id": citizen.id, "type": "private", "first_name": "Σοφία"}}}


async def test_one_chats_updates_run_in_order_and_chats_side_by_side(
        fake: FakeTelegram, app: App) -> None:
    fake.latency = 0.01  # replies take a round trip: turns of different chats overlap
    people = [Citizen(fake, app, user_id=7000 + n) for n in range(3)]
    log: list[tuple[str, int, int]] = []

    async def recorded(update: Update) -> None:
        chat = update.effective_chat.id if update.effective_chat else 0
        log.append(("start", chat, update.update_id))
        await asyncio.sleep(0.005)  # a handler waits (for the database, say)
        await app.process_update(update)
        log.append(("end", chat, update.update_id))

    arrivals: list[Update] = []
    for _ in range(5):  # interleaved, as a crowd's updates arrive
        for person in people:
            arrivals.append(Update.de_json(text_update(person, "γεια"), app.bot))
    await asyncio.gather(*(app.update_processor.process_update(u, recorded(u))
                           for u in arrivals))

    for person in people:
        sent = [u.update_id for u in arrivals if u.effective_chat.id == person.id]
        events = [(kind, uid) for kind, chat, uid in log if chat == person.id]
        assert events == [(kind, uid) for uid in sent for kind in ("start", "end")]
    first_end = next(n for n, entry in enumerate(log) if entry[0] == "end")
    assert len({chat for _, chat, _ in log[:first_end]}) > 1  # not one chat at a time
    for person in people:  # every update answered, in its own chat
        assert len(person.messages) == 5


async def test_a_redelivered_update_takes_effect_once(citizen: Citizen, app: App,
                                                      services: Services) -> None:
    await walk(citizen, "summary")
    summary = citizen.keyboard_message()
    [book] = [b["callback_data"] for b in summary.buttons if b["text"] == "✅ Κράτηση"]
    update = {"update_id": next(_ids), "callback_query": {
        "id": "q-book", "from": citizen.user, "chat_instance": "ci",
        "message": summary.as_dict(), "data": book}}
    for _ in range(2):  # Telegram sends it again when our answer was late
        parsed = Update.de_json(update, app.bot)
        await app.update_processor.process_update(parsed, app.process_update(parsed))
    async with services.db.read() as conn:
        made = await store.bookings_of_user(conn, citizen.id)
    assert len(made) == 1
    assert "Η κράτησή σας επιβεβαιώθηκε" in citizen.text
    answered = [p for m, p in citizen.fake.calls
                if m == "answerCallbackQuery" and p.get("callback_query_id") == "q-book"]
    assert len(answered) == 2  # each delivery is answered (the second time in vain)


async def test_a_double_tap_on_book_books_once(citizen: Citizen, services: Services,
                                               fake: FakeTelegram) -> None:
    fake.latency = 0.01
    await walk(citizen, "summary")
    summary = citizen.keyboard_message()
    await asyncio.gather(citizen.press("✅ Κράτηση", summary),
                         citizen.press("✅ Κράτηση", summary))
    async with services.db.read() as conn:
        made = await store.bookings_of_user(conn, citizen.id)
    assert len(made) == 1
    confirmations = [m for m in citizen.messages if "επιβεβαιώθηκε" in m.text]
    assert len(confirmations) == 1


async def test_each_update_is_one_write_of_its_chat_and_a_few_statements(
        citizen: Citizen, services: Services) -> None:
    per_update: list[Counter[str]] = []
    counts: Counter[str] = Counter()

    @event.listens_for(services.db.engine.sync_engine, "before_cursor_execute")
    def statement(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        counts["statements"] += 1
        if sql.startswith("BEGIN IMMEDIATE"):
            counts["writes"] += 1
        if sql.startswith(("UPDATE chats", "INSERT INTO chats")):
            counts["chat rows"] += 1

    deliver = citizen._deliver

    async def counted(payload: dict[str, Any]) -> None:
        counts.clear()
        await deliver(payload)
        per_update.append(Counter(counts))

    citizen._deliver = counted  # type: ignore[method-assign]
    citizen.sends_outbox = False  # what the outbox sends is not the update's work
    await walk(citizen, "summary")
    await citizen.press("✅ Κράτηση")
    assert len(per_update) >= 14
    assert all(c["chat rows"] <= 1 for c in per_update)
    # One write transaction per update; the confirmation's update writes once more, after
    # its replies went out, the ids of the messages that show the booking.
    assert all(c["writes"] <= 1 for c in per_update[:-1]) and per_update[-1]["writes"] <= 2
    total = sum(c["statements"] for c in per_update)
    assert total / len(per_update) <= 8, [c["statements"] for c in per_update]


async def test_a_turn_that_fails_keeps_nothing_and_says_so(
        citizen: Citizen, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    await walk(citizen, "name")
    real_save = chats.save

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk I/O error")

    monkeypatch.setattr(chats, "save", broken)
    await citizen.send("Σοφία Παπαδοπούλου")
    assert "παρουσιάστηκε πρόβλημα" in citizen.text
    monkeypatch.setattr(chats, "save", real_save)
    async with services.db.read() as conn:
        row = await chats.load(conn, citizen.id)
    assert row is not None and row.step == "name"  # where it was: nothing kept
    await citizen.send("Σοφία Παπαδοπούλου")  # and the same input works now
    assert MARKERS["el"]["email"] in citizen.text


async def test_a_reply_telegram_asks_to_wait_for_goes_after_the_wait(
        citizen: Citizen, fake: FakeTelegram) -> None:
    await walk(citizen, "group")
    fake.fail_next("editMessageText", ApiError(429, "Too Many Requests: retry after 1", 1))
    await citizen.press("Κέντρα Συμβουλευτικής Υποστήριξης Γυναικών")
    assert MARKERS["el"]["service"] in citizen.text
    edits = [m for m, _ in fake.calls if m == "editMessageText"]
    assert len(edits) >= 2  # refused once, then sent

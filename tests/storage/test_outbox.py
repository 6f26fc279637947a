"""The outbox's claims on a real database: the pace of all senders together, one message
at a time to a chat, a group's 20 a minute, Telegram's waits, leases that run out; and
daily jobs that run once a day whichever instance asks first."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import event

from bot.delivery import sender
from bot.services.runtime import Services
from storage import daily, outbox
from storage.outbox import Limits

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
LIMITS = Limits(pace=5, group=3, spacing=timedelta(seconds=1), lease=timedelta(seconds=60))


async def add(services: Services, chat_id: int | None, count: int = 1) -> None:
    async with services.db.write() as conn:
        for _ in range(count):
            await outbox.add(conn, "reminder", NOW - timedelta(minutes=1), NOW, chat_id=chat_id)


async def claim(services: Services, now: datetime = NOW, claimer: str = "a",
                most: int = 50, limits: Limits = LIMITS) -> list[outbox.Item]:
    async with services.db.write() as conn:
        return await outbox.claim(conn, now, limits, claimer, most)


async def test_the_pace_holds_for_all_senders_together(services: Services) -> None:
    for chat in range(1, 9):
        await add(services, chat)
    first = await claim(services, claimer="a")
    second = await claim(services, claimer="b")  # another instance, the same second
    assert len(first) == 5 and second == []
    later = await claim(services, NOW + timedelta(seconds=1.5), claimer="b")
    assert len(later) == 3
    assert {i.id for i in first}.isdisjoint({i.id for i in later})


async def test_items_without_a_chat_are_not_paced(services: Services) -> None:
    await add(services, None, 8)  # planning, email
    assert len(await claim(services)) == 8


async def test_one_chat_gets_one_message_at_a_time_and_spaced(services: Services) -> None:
    await add(services, 7, 3)
    [first] = await claim(services)
    assert await claim(services, NOW + timedelta(seconds=5)) == []  # still being sent
    async with services.db.write() as conn:
        await outbox.finish(conn, first.id, outbox.SENT, NOW)
    assert await claim(services, NOW + timedelta(seconds=0.5)) == []  # too soon after
    [second] = await claim(services, NOW + timedelta(seconds=1.5))
    assert second.id > first.id  # in order


async def test_a_group_chat_gets_its_limit_a_minute(services: Services) -> None:
    await add(services, -100, 5)
    wide = Limits(pace=100, group=3, spacing=timedelta(0), lease=timedelta(seconds=60))
    claimed = 0
    for second in range(0, 50, 2):
        items = await claim(services, NOW + timedelta(seconds=second), limits=wide)
        async with services.db.write() as conn:
            for item in items:
                await outbox.finish(conn, item.id, outbox.SENT, NOW + timedelta(seconds=second))
        claimed += len(items)
    assert claimed == 3
    assert len(await claim(services, NOW + timedelta(seconds=61), limits=wide)) == 1


async def test_a_chat_telegram_asked_to_wait_waits_alone(services: Services) -> None:
    await add(services, 1)
    await add(services, 2)
    async with services.db.write() as conn:
        await outbox.throttle(conn, 1, NOW + timedelta(seconds=30))
    [only] = await claim(services)
    assert only.chat_id == 2
    [after] = await claim(services, NOW + timedelta(seconds=31))
    assert after.chat_id == 1


async def test_a_dead_senders_claims_are_taken_again_when_the_lease_runs_out(
        services: Services) -> None:
    await add(services, 1)
    [taken] = await claim(services, claimer="dead")
    assert await claim(services, NOW + timedelta(seconds=30), claimer="alive") == []
    [again] = await claim(services, NOW + timedelta(seconds=61), claimer="alive")
    assert again.id == taken.id


async def test_a_sender_that_stops_gives_its_claims_back(services: Services) -> None:
    await add(services, 1)
    await claim(services, claimer="stopping")
    async with services.db.write() as conn:
        await outbox.release(conn, "other")
    assert await claim(services, NOW + timedelta(seconds=2), claimer="b") == []
    async with services.db.write() as conn:
        await outbox.release(conn, "stopping")
    assert len(await claim(services, NOW + timedelta(seconds=2), claimer="b")) == 1


async def test_purge_forgets_only_what_is_done_and_old(services: Services) -> None:
    await add(services, 1, 2)
    [item] = await claim(services)
    async with services.db.write() as conn:
        await outbox.finish(conn, item.id, outbox.SENT, NOW)
        assert await outbox.purge(conn, NOW) == 0  # created a minute before NOW: kept
        assert await outbox.purge(conn, NOW + timedelta(days=1)) == 1
        left = await outbox.items_of(conn)
    assert [i["status"] for i in left] == [outbox.PENDING]


async def test_a_daily_job_runs_once_a_day_whoever_asks(services: Services) -> None:
    today = date(2026, 12, 2)
    async with services.db.write() as conn:
        assert await daily.take(conn, "digests", today, NOW, "a")
        assert not await daily.take(conn, "digests", today, NOW, "b")
        assert await daily.take(conn, "retention", today, NOW, "b")
        await daily.done(conn, "digests", today, NOW)
        assert await daily.finished(conn, "digests", today)
        assert not await daily.take(conn, "digests", today, NOW + timedelta(hours=5), "b")
        assert await daily.take(conn, "digests", date(2026, 12, 3), NOW, "b")


async def test_a_daily_run_whose_instance_died_is_taken_over(services: Services) -> None:
    today = date(2026, 12, 2)
    async with services.db.write() as conn:
        assert await daily.take(conn, "retention", today, NOW, "dead")
        assert not await daily.take(conn, "retention", today, NOW + timedelta(minutes=30), "b")
        assert await daily.take(conn, "retention", today, NOW + timedelta(hours=2), "b")


async def test_sends_answered_together_are_recorded_in_one_write(services: Services) -> None:
    for chat in range(1, 11):
        await add(services, chat)
    items = await claim(services, limits=Limits(50, 20, timedelta(0), timedelta(seconds=60)))
    writes: list[str] = []

    @event.listens_for(services.db.engine.sync_engine, "before_cursor_execute")
    def statement(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        if sql.startswith(("BEGIN", "UPDATE outbox")):
            writes.append(sql.split()[0])

    await asyncio.gather(*(sender.record(services, sender.Done(
        item.id, outbox.SENT, NOW, "", [])) for item in items))
    event.remove(services.db.engine.sync_engine, "before_cursor_execute", statement)
    async with services.db.read() as conn:
        left = await outbox.due(conn, NOW + timedelta(minutes=2), 50)
    assert len(items) == 10 and left == []
    assert writes.count("UPDATE") == 10
    if services.db.is_sqlite:  # (asyncpg begins without a statement of its own)
        assert writes.count("BEGIN") <= 2  # the first alone, then the nine that waited


async def test_one_chats_backlog_does_not_hide_the_others(services: Services) -> None:
    await add(services, -100, count=300)  # a staff group's notices after a big /close
    await add(services, 7)  # then a citizen's reminder
    first = await claim(services)
    assert sorted(item.chat_id or 0 for item in first) == [-100, 7]
    later = await claim(services, NOW + timedelta(milliseconds=10))  # the group is held
    assert later == []

"""The SQLite driver (statements on the loop's thread) keeps what SQLAlchemy expects of a
DBAPI, and a write that waits for another process does not stop the loop."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError, OperationalError

from storage import db as storage_db
from storage.db import Database
from storage.sqlite_driver import LoopDialect


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with database.write() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
    return database


async def test_rows_counts_ids_and_many(db: Database) -> None:
    async with db.write() as conn:
        inserted = await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
        assert inserted.lastrowid == 1
        await conn.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": "b"}, {"v": "c"}])
        changed = await conn.execute(text("UPDATE t SET v = 'x' WHERE id > 1"))
        assert changed.rowcount == 2
    async with db.look() as conn:
        rows = (await conn.execute(text("SELECT id, v FROM t ORDER BY id"))).all()
        assert [tuple(r) for r in rows] == [(1, "a"), (2, "x"), (3, "x")]
        empty = await conn.execute(text("SELECT id FROM t WHERE id > 9"))
        assert empty.first() is None
    await db.close()


async def test_an_error_rolls_the_transaction_back(db: Database) -> None:
    with pytest.raises(Exception, match="no such table"):
        async with db.write() as conn:
            await conn.execute(text("INSERT INTO t (v) VALUES ('kept?')"))
            await conn.execute(text("SELECT * FROM missing"))
    async with db.look() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0
    async with db.write() as conn:  # the connection is usable again
        await conn.execute(text("INSERT INTO t (v) VALUES ('after')"))
    async with db.look() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 1
    await db.close()


async def test_a_write_waiting_for_another_process_leaves_the_loop_free(
        db: Database, tmp_path: Path) -> None:
    other = sqlite3.connect(tmp_path / "driver.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process (the sqlite3 shell) is writing
    other.execute("INSERT INTO t (v) VALUES ('theirs')")

    async def ours() -> None:
        async with db.write() as conn:
            await conn.execute(text("INSERT INTO t (v) VALUES ('ours')"))

    waiting = asyncio.create_task(ours())
    await asyncio.sleep(0.2)
    async with db.look() as conn:  # reads go on meanwhile: the loop is not held
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0
    assert not waiting.done()
    other.execute("COMMIT")
    await waiting
    async with db.look() as conn:
        rows = (await conn.execute(text("SELECT v FROM t ORDER BY id"))).scalars().all()
    assert rows == ["theirs", "ours"]
    other.close()
    await db.close()


async def test_a_write_gives_up_after_waiting_long(db: Database, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage_db, "BUSY_WAIT", 0.2)
    other = sqlite3.connect(tmp_path / "driver.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(OperationalError, match="locked"):
        async with db.write() as conn:
            await conn.execute(text("INSERT INTO t (v) VALUES ('ours')"))
    other.execute("ROLLBACK")
    async with db.write() as conn:  # and the next write goes through
        await conn.execute(text("INSERT INTO t (v) VALUES ('later')"))
    other.close()
    await db.close()


async def _insert_together(db: Database, values: list[str], fail: str = "") -> list[Any]:
    async def one(value: str) -> None:
        async with db.write() as conn:
            await conn.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": value})
            await asyncio.sleep(0)  # the others queue meanwhile
            if value == fail:
                raise ValueError(value)

    return await asyncio.gather(*(one(v) for v in values), return_exceptions=True)


async def _stored(db: Database) -> list[str]:
    async with db.look() as conn:
        return list((await conn.execute(text("SELECT v FROM t ORDER BY v"))).scalars())


async def test_writers_queued_together_share_one_commit(db: Database) -> None:
    commits: list[int] = []
    event.listen(db.engine.sync_engine, "commit", lambda conn: commits.append(1))
    outcomes = await _insert_together(db, [f"w{n:02d}" for n in range(20)])
    assert outcomes == [None] * 20
    assert await _stored(db) == [f"w{n:02d}" for n in range(20)]
    assert 1 <= len(commits) < 20
    await db.close()


@pytest.mark.parametrize("fail", ["a", "b"])  # the first of a group has no savepoint
async def test_a_failing_writer_loses_its_writes_alone(db: Database, fail: str) -> None:
    outcomes = await _insert_together(db, ["a", "b", "c", "d"], fail=fail)
    assert [type(o) for o in outcomes] == [ValueError if v == fail else type(None)
                                           for v in "abcd"]
    assert await _stored(db) == [v for v in "abcd" if v != fail]
    await db.close()


async def test_a_failing_commit_fails_every_writer_of_its_group(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Any, dbapi_connection: Any) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(LoopDialect, "do_commit", broken)
    outcomes = await _insert_together(db, ["a", "b", "c"])
    assert all(isinstance(o, DBAPIError) for o in outcomes)
    monkeypatch.undo()
    assert await _stored(db) == []
    outcomes = await _insert_together(db, ["d"])  # and the next write goes through
    assert await _stored(db) == ["d"]
    await db.close()


async def test_a_writer_cancelled_while_its_group_commits_keeps_no_one_else_waiting(
        db: Database) -> None:
    wrote = asyncio.Event()

    async def first() -> None:
        async with db.write() as conn:
            await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
            wrote.set()

    a = asyncio.create_task(first())
    b = asyncio.create_task(_insert_together(db, ["b"]))
    await wrote.wait()
    await asyncio.sleep(0)  # a now waits for the group's COMMIT
    a.cancel()
    assert await asyncio.wait_for(b, 5) == [None]
    assert await asyncio.wait_for(_insert_together(db, ["c"]), 5) == [None]
    assert await _stored(db) == ["a", "b", "c"]  # a's writes were in the group committed
    await db.close()


@pytest.mark.parametrize("turns", range(6))
async def test_a_writer_cancelled_in_the_queue_keeps_no_one_else_waiting(
        db: Database, turns: int) -> None:
    go = asyncio.Event()

    async def first() -> None:
        async with db.write() as conn:
            await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
            await go.wait()

    a = asyncio.create_task(first())
    await asyncio.sleep(0)
    b = asyncio.create_task(_insert_together(db, ["b"]))
    await asyncio.sleep(0)
    go.set()
    for _ in range(turns):  # b is cancelled at a different moment of a's end each time
        await asyncio.sleep(0)
    b.cancel()
    await asyncio.wait_for(a, 5)
    assert (await _stored(db))[0] == "a"
    assert await asyncio.wait_for(_insert_together(db, ["c"]), 5) == [None]
    await db.close()


async def test_a_transaction_sqlite_rolls_back_fails_every_writer_of_its_group(
        db: Database) -> None:
    async def small() -> None:
        async with db.write() as conn:
            pages = (await conn.exec_driver_sql("PRAGMA page_count")).scalar_one()
            await conn.exec_driver_sql(f"PRAGMA max_page_count = {pages + 2}")  # a full disk
            await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
            await asyncio.sleep(0)

    async def large() -> None:
        async with db.write() as conn:
            await conn.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": "x" * 200_000})

    outcomes = await asyncio.gather(small(), large(), return_exceptions=True)
    assert all(isinstance(o, Exception) for o in outcomes), outcomes
    assert await _stored(db) == []
    assert await _insert_together(db, ["b"]) == [None]  # a new connection, a disk with room
    assert await _stored(db) == ["b"]
    await db.close()

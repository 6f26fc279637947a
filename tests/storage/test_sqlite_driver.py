"""The SQLite driver (one trip per statement) keeps what SQLAlchemy expects of a DBAPI."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import Database


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

"""The SQLite file, its WAL and SHM and its folder are the bot's user's alone; erased
values are overwritten, in the file and in the WAL."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import Database


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_new_database_is_owner_only_whatever_the_umask(tmp_path: Path,
                                                               umask_022: None) -> None:
    path = tmp_path / "data" / "rantevou.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    async with db.write() as conn:
        await conn.execute(text("CREATE TABLE t (v TEXT)"))
    async with db.write() as conn:
        await conn.execute(text("INSERT INTO t VALUES ('x')"))
        async with db.look() as other:  # a second connection: the SHM is in use
            await other.execute(text("SELECT * FROM t"))
        wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
        assert wal.exists() and shm.exists()
        assert mode(wal) == mode(shm) == 0o600
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600
    await db.close()


async def test_wider_modes_are_tightened_at_start_and_said(
        tmp_path: Path, umask_022: None, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    path = folder / "rantevou.db"
    path.write_bytes(b"")
    path.chmod(0o644)
    wal = Path(f"{path}-wal")
    wal.write_bytes(b"")
    wal.chmod(0o664)
    with caplog.at_level(logging.WARNING, logger="storage.files"):
        db = Database(f"sqlite+aiosqlite:///{path}")
    assert (mode(folder), mode(path), mode(wal)) == (0o700, 0o600, 0o600)
    said = caplog.text
    assert str(path) in said and "644" in said and str(folder) in said and "755" in said
    await db.close()


async def test_secure_delete_is_on(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}")
    async with db.look() as conn:
        assert (await conn.execute(text("PRAGMA secure_delete"))).scalar_one() == 1
    await db.close()


async def test_an_erased_value_is_in_neither_the_file_nor_its_wal(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    secret = "sofia.erased@example.com"
    async with db.write() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
        await conn.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": secret})
    await db.checkpoint()  # the value is in the file itself
    assert secret.encode() in path.read_bytes()
    async with db.write() as conn:
        await conn.execute(text("UPDATE t SET v = ''"))
    await db.checkpoint()
    held = path.read_bytes() + Path(f"{path}-wal").read_bytes()
    assert secret.encode() not in held
    await db.close()

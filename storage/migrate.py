"""Bring the database schema to the newest Alembic revision.

Alembic is imported only when there is something to migrate: its modules (with Mako's)
cost 10 MB of the process's memory for as long as it runs, and a start on a database at
the newest revision (every restart but one that brings a migration) needs none of them.
The newest revision is read off the migration files' names (`0011_….py` is revision
"0011"; tests/storage/test_migrations.py checks the two agree).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import locks
from storage.db import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def newest_revision() -> str:
    return max(path.name[:4] for path in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


async def migrate(db: Database) -> None:
    async with db.write() as conn:
        await locks.exclusive(conn, "migrate")  # instances starting together: one at a time
        if await current_revision(conn) != newest_revision():
            await conn.run_sync(_upgrade)


async def current_revision(conn: AsyncConnection) -> str | None:
    if not await conn.run_sync(lambda sync: inspect(sync).has_table("alembic_version")):
        return None
    return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()


def _upgrade(connection: Connection) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")

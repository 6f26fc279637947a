"""Which daily job ran on which day: with several instances, each runs once a day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import daily_runs

STALE = timedelta(hours=1)  # a run begun this long ago and never finished is taken over


async def take(conn: AsyncConnection, job: str, day: date, now: datetime,
               instance: str) -> bool:
    """Claim today's run of the job; False if another instance has it, or had it."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    inserted = await conn.execute(dialect.insert(daily_runs).values(
        job=job, day=day, started_at=now, instance=instance).on_conflict_do_nothing())
    if inserted.rowcount:
        return True
    taken_over = await conn.execute(update(daily_runs).where(
        daily_runs.c.job == job, daily_runs.c.day == day, daily_runs.c.finished_at.is_(None),
        daily_runs.c.started_at < now - STALE).values(started_at=now, instance=instance))
    return bool(taken_over.rowcount)


async def done(conn: AsyncConnection, job: str, day: date, now: datetime) -> None:
    await conn.execute(update(daily_runs).where(daily_runs.c.job == job, daily_runs.c.day == day)
                       .values(finished_at=now))


async def finished(conn: AsyncConnection, job: str, day: date) -> bool:
    row = (await conn.execute(select(daily_runs.c.finished_at).where(
        daily_runs.c.job == job, daily_runs.c.day == day))).first()
    return bool(row and row.finished_at)


async def last_finished(conn: AsyncConnection, job: str, before: date) -> date | None:
    """The last day before `before` whose run of the job finished."""
    day: date | None = (await conn.execute(select(func.max(daily_runs.c.day)).where(
        daily_runs.c.job == job, daily_runs.c.day < before,
        daily_runs.c.finished_at.is_not(None)))).scalar()
    return day

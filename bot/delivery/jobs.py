"""The repeating jobs on PTB's JobQueue (APScheduler): the outbox's heartbeat, and the
daily jobs, each run once a day by one instance however many there are."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import time, timedelta
from typing import Any

from telegram.ext import Application, CallbackContext

from bot.delivery.sender import CLAIMER, Sender
from bot.ptb.context import Context
from bot.ptb.processor import ChatOrderedProcessor
from bot.services import offering, planning
from bot.services.retention import erase_old, forget_abandoned_drafts
from bot.services.runtime import Services
from storage import daily, outbox

log = logging.getLogger(__name__)
SENDER = "sender"  # bot_data: the outbox's Sender
HORIZON = "horizon"  # the daily job that offers the waitlist the day entering the horizons
App = Application[Any, Any, Any, Any, Any, Any]


def _services(ctx: CallbackContext[Any, Any, Any, Any]) -> Services:
    services: Services = ctx.application.bot_data[Context.SERVICES_KEY]
    return services


async def heartbeat(ctx: CallbackContext[Any, Any, Any, Any]) -> None:
    """Every DISPATCH_INTERVAL: the sender looks at what fell due (changes wake it at once)."""
    sender: Sender = ctx.application.bot_data[SENDER]
    sender.wake()


def once_a_day(job: str, work: Callable[[Services], Awaitable[str]]) -> Callable[..., Any]:
    """A daily job that runs once a day cluster-wide: the first instance to claim the day
    runs it; a run begun and never finished (its instance died) is taken over later."""

    async def run(ctx: CallbackContext[Any, Any, Any, Any]) -> None:
        services = _services(ctx)
        now = services.clock()
        today = now.astimezone(services.settings.zone).date()
        async with services.db.write() as conn:
            if not await daily.take(conn, job, today, now, CLAIMER):
                return
        said = await work(services)
        async with services.db.write() as conn:
            await daily.done(conn, job, today, services.clock())
        log.info("%s: %s", job, said)

    return run


async def _digests(services: Services) -> str:
    await planning.plan_digests(services, services.clock())
    return "today's agendas planned"


async def _retention(services: Services) -> str:
    now = services.clock()
    settings = services.settings
    async with services.db.write() as conn:
        erased = await erase_old(conn, now, settings.RETENTION_DAYS)
        forgotten = await forget_abandoned_drafts(conn, now)
        purged = await outbox.purge(conn, now - timedelta(days=settings.OUTBOX_KEEP_DAYS))
    await services.db.checkpoint()  # what was erased or forgotten lingers in no file
    return (f"personal data of {erased} old bookings erased, {forgotten} abandoned drafts "
            f"forgotten, {purged} old outbox items purged")


async def _horizon(services: Services) -> str:
    now = services.clock()
    async with services.db.read() as conn:  # days without a run: theirs are offered too
        since = await daily.last_finished(conn, HORIZON, now.astimezone(
            services.settings.zone).date())
    made = await offering.offer_horizon(services, since, now)
    return f"{made} times of the days that entered the horizon offered to the waitlist"


digests_job = once_a_day("digests", _digests)
retention_job = once_a_day("retention", _retention)
horizon_job = once_a_day(HORIZON, _horizon)


async def start(application: App, services: Services) -> None:
    """The sender (woken by each turn that wrote to the outbox) and the jobs."""
    sender = Sender(application.bot, services, services.settings.DISPATCH_INTERVAL)
    application.bot_data[SENDER] = sender
    processor = application.update_processor
    if isinstance(processor, ChatOrderedProcessor):
        processor.wake = sender.wake
    async with services.db.write() as conn:
        await outbox.release(conn, CLAIMER)  # nothing of this process is in flight yet
    sender.start()
    schedule(application, services)


async def stop(application: App) -> None:
    sender: Sender | None = application.bot_data.get(SENDER)
    if sender is not None:
        await sender.stop()


def schedule(application: App, services: Services) -> None:
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("python-telegram-bot[job-queue] is not installed")
    settings = services.settings
    queue.run_repeating(heartbeat, interval=settings.DISPATCH_INTERVAL, first=1,
                        name="outbox")
    queue.run_once(digests_job, 2, name="digests-at-start")
    queue.run_daily(digests_job, time(0, 5, tzinfo=settings.zone), name="digests")
    queue.run_once(retention_job, 30, name="retention-at-start")
    queue.run_daily(retention_job, time(3, 30, tzinfo=settings.zone), name="retention")
    # At midnight, when the day enters the horizons: any later, others race the waitlist.
    queue.run_once(horizon_job, 3, name="horizon-at-start")
    queue.run_daily(horizon_job, time(0, 0, tzinfo=settings.zone), name="horizon")

"""Fixtures: a fake Bot API on loopback, a real SQLite file, a frozen clock, the app."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, build_application, set_commands
from bot.services.runtime import Services
from bot.settings import PROJECT_ROOT, Settings, load_settings
from bot.startup import prepare
from tests.chat import Citizen
from tests.fakebot import TOKEN, FakeTelegram

SAMPLE_CATALOG = PROJECT_ROOT / "catalog.example.toml"
# Tuesday 1 December 2026, 10:00 in Athens.
START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


class FrozenClock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def make_settings(tmp_path: Path, base_url: str = "http://127.0.0.1:9/bot",
                  **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "_env_file": None,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": base_url,
        "TELEGRAM_BASE_FILE_URL": base_url.replace("/bot", "/file/bot"),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'rantevou.db'}",
        "CATALOG_PATH": str(SAMPLE_CATALOG),
        "ADMIN_IDS": "9001",
        # Time stands still in most tests: the pace of scheduled messages is tested apart.
        "OUTBOX_PACE": 1000,
        "OUTBOX_CHAT_SPACING": 0,
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


# Set to run the tests that use the `settings` fixture on PostgreSQL instead of SQLite,
# e.g. TEST_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432 (needs the extra
# `postgres`); each test gets a database of its own.
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "")


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    if not POSTGRES:
        yield f"sqlite+aiosqlite:///{tmp_path / 'rantevou.db'}"
        return
    import asyncpg  # type: ignore[import-not-found, unused-ignore]

    name = f"rantevou_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES.replace("+asyncpg", "") + "/postgres")
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        await admin.close()


@pytest.fixture
def settings(tmp_path: Path, fake: FakeTelegram, database_url: str) -> Settings:
    return make_settings(tmp_path, fake.base_url, DATABASE_URL=database_url)


@pytest.fixture
async def services(settings: Settings, clock: FrozenClock) -> AsyncIterator[Services]:
    prepared = await prepare(settings, clock)
    yield prepared
    await prepared.db.close()


async def start_app(services: Services) -> App:
    application = build_application(services)
    await application.initialize()
    await set_commands(application)
    return application


@pytest.fixture
async def app(services: Services) -> AsyncIterator[App]:
    application = await start_app(services)
    yield application
    await application.shutdown()


@pytest.fixture
def citizen(fake: FakeTelegram, app: App) -> Citizen:
    return Citizen(fake, app)


async def write(db: Any, use_case: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a use case in a write transaction of its own, as an update's turn would."""
    async with db.write() as conn:
        return await use_case(conn, *args, **kwargs)


async def pump(bot: Any, services: Services) -> int:
    """Send what may go now, pass after pass, until a pass sends nothing: what the running
    sender does in a moment (a chat's items go one per pass), with the clock standing."""
    from bot.delivery.sender import dispatch

    sent = 0
    for _ in range(200):
        step = await dispatch(bot, services)
        if not step:
            return sent
        sent += step
    raise AssertionError("the outbox keeps sending")


async def drain(bot: Any, services: Services) -> int:
    """Run the dispatcher until nothing due is left; returns how many items were sent."""
    from bot.delivery.sender import dispatch
    from storage import outbox

    sent = 0
    for _ in range(200):
        sent += await dispatch(bot, services)
        async with services.db.read() as conn:
            if not await outbox.due(conn, services.clock(), 1):
                return sent
    raise AssertionError("the outbox does not drain")

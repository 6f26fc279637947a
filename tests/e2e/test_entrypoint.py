"""`python -m bot`, as `make run` starts it: settings checks, and a real polling run."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.e2e.flow import MARKERS
from tests.fakebot import TOKEN, FakeTelegram


def environment(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TELEGRAM_", "DATABASE_", "CATALOG_", "ADMIN_"))}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    env.update(settings)
    return env


async def run_bot(tmp_path: Path, **settings: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=environment(tmp_path, **settings),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, stderr.decode()


async def test_without_a_token_it_says_how_to_get_one(tmp_path: Path) -> None:
    code, stderr = await run_bot(tmp_path)
    assert code != 0
    assert "TELEGRAM_BOT_TOKEN is not set" in stderr
    assert "@BotFather" in stderr and "/newbot" in stderr and ".env" in stderr


async def test_a_malformed_setting_is_named_in_one_line(tmp_path: Path) -> None:
    code, stderr = await run_bot(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TIMEZONE="Mars/Olympus")
    assert code != 0
    assert stderr.strip().count("\n") == 0
    assert stderr.startswith("Setting TIMEZONE is malformed")
    assert "Europe/Athens" in stderr


async def test_a_broken_catalog_is_named_with_its_entry(tmp_path: Path) -> None:
    broken = tmp_path / "catalog.toml"
    broken.write_text('[[municipality]]\nid = "x"\n', encoding="utf-8")
    code, stderr = await run_bot(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, CATALOG_PATH=str(broken))
    assert code != 0
    assert "Catalog error:" in stderr and str(broken) in stderr and "municipality" in stderr


async def test_it_polls_and_answers_start(tmp_path: Path, fake: FakeTelegram) -> None:
    env = environment(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=fake.base_url,
                      TELEGRAM_BASE_FILE_URL=fake.base_url.replace("/bot", "/file/bot"))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    user = {"id": 4242, "is_bot": False, "first_name": "Σοφία", "language_code": "el"}
    await fake.updates.put({"update_id": 1, "message": {
        "message_id": 1, "date": 0, "from": user, "text": "/start",
        "chat": {"id": 4242, "type": "private"},
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}})
    try:
        for _ in range(300):
            if fake.bot_messages(4242):
                break
            await asyncio.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert fake.bot_messages(4242), stderr.decode()[-2000:]
    assert MARKERS["el"]["municipality"] in fake.bot_messages(4242)[0].text
    assert "ΔΗΜΟΣ ΧΙΟΥ" in [b["text"] for b in fake.bot_messages(4242)[0].buttons]
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert (tmp_path / "bot.db").exists()

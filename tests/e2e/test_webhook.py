"""Webhook mode: Telegram posts updates; each is answered 200 only once it is processed."""

from __future__ import annotations

import asyncio
import itertools
import logging
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest

from bot.ptb import webhook
from bot.ptb.webhook import SECRET_HEADER, Webhook
from bot.services.runtime import Services
from tests.conftest import App
from tests.e2e.flow import MARKERS
from tests.e2e.test_entrypoint import environment
from tests.fakebot import TOKEN, FakeTelegram

SECRET = "s3cret-token_for-tests"
_ids = itertools.count(10_000)


def start_update(user_id: int) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": "Σοφία", "language_code": "el"}
    return {"update_id": next(_ids), "message": {
        "message_id": next(_ids), "date": 0, "from": user, "text": "/start",
        "chat": {"id": user_id, "type": "private"},
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}


@pytest.fixture
def hook(app: App, services: Services) -> Webhook:
    return Webhook(app, services, "/telegram", SECRET)


def client(hook: Webhook) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=hook.asgi),
                             base_url="http://bot.internal")


async def test_an_update_is_answered_once_its_replies_went_out(
        hook: Webhook, fake: FakeTelegram) -> None:
    async with client(hook) as http:
        answer = await http.post("/telegram", json=start_update(501),
                                 headers={SECRET_HEADER: SECRET})
        shown = fake.bot_messages(501)  # at the moment the 200 arrived
    assert answer.status_code == 200
    assert shown and MARKERS["el"]["municipality"] in shown[0].text


@pytest.mark.parametrize("headers", [{}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: ""}])
async def test_without_the_secret_nothing_is_processed(
        hook: Webhook, fake: FakeTelegram, headers: dict[str, str]) -> None:
    async with client(hook) as http:
        answer = await http.post("/telegram", json=start_update(502), headers=headers)
    assert answer.status_code == 403
    assert not fake.bot_messages(502)


async def test_a_body_that_is_not_an_update_is_refused(hook: Webhook) -> None:
    async with client(hook) as http:
        broken = await http.post("/telegram", content=b"{not json",
                                 headers={SECRET_HEADER: SECRET})
        empty = await http.post("/telegram", json=[], headers={SECRET_HEADER: SECRET})
    assert (broken.status_code, empty.status_code) == (400, 400)


async def test_a_redelivered_update_is_acknowledged_and_not_processed_again(
        hook: Webhook, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.ptb.processor")
    update = start_update(503)
    async with client(hook) as http:
        answers = [await http.post("/telegram", json=update, headers={SECRET_HEADER: SECRET})
                   for _ in range(2)]
    assert [answer.status_code for answer in answers] == [200, 200]
    assert f"update {update['update_id']} was processed before" in caplog.text


async def test_health_is_the_database_answering(
        hook: Webhook, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    async def refused() -> None:
        raise OSError("connection refused")

    async def hangs() -> None:
        await asyncio.sleep(60)

    async with client(hook) as http:
        healthy = await http.get("/healthz")
        monkeypatch.setattr(services.db, "ping", refused)
        down = await http.get("/healthz")
        monkeypatch.setattr(services.db, "ping", hangs)
        monkeypatch.setattr(webhook, "HEALTH_TIMEOUT", 0.05)
        slow = await http.get("/healthz")
    assert (healthy.status_code, down.status_code, slow.status_code) == (200, 503, 503)


async def test_while_stopping_new_updates_are_left_for_telegram_to_retry(
        hook: Webhook, fake: FakeTelegram) -> None:
    hook.closing = True
    async with client(hook) as http:
        answer = await http.post("/telegram", json=start_update(504),
                                 headers={SECRET_HEADER: SECRET})
        health = await http.get("/healthz")
    assert answer.status_code == 503 and health.status_code == 503
    assert not fake.bot_messages(504)


async def healthy(port: int, stopped: Callable[[], bool]) -> None:
    """Wait until an instance answers its health check (unless it stopped)."""
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            if stopped():
                raise RuntimeError("the instance stopped while starting")
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the instance did not become healthy")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_python_m_bot_serves_the_webhook_and_stops_on_sigterm(
        tmp_path: Path, fake: FakeTelegram) -> None:
    port = free_port()
    env = environment(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=fake.base_url,
                      TELEGRAM_BASE_FILE_URL=fake.base_url.replace("/bot", "/file/bot"),
                      WEBHOOK_URL="https://rantevou.example.gov.gr/tg/hook",
                      WEBHOOK_SECRET=SECRET, WEBHOOK_PORT=str(port))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        await healthy(port, lambda: process.returncode is not None)
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{url}/tg/hook", json=start_update(505),
                                 headers={SECRET_HEADER: SECRET}) as answer:
                status = answer.status
            # a second instance on the same SQLite file is refused, in one line
            second = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=tmp_path, env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            _, refused = await asyncio.wait_for(second.communicate(), timeout=60)
    finally:
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert status == 200, stderr.decode()[-2000:]
    assert fake.webhook["url"] == "https://rantevou.example.gov.gr/tg/hook"
    assert fake.webhook["secret_token"] == SECRET and fake.webhooks_set == 1
    assert MARKERS["el"]["municipality"] in fake.bot_messages(505)[0].text
    assert not any(method == "getUpdates" for method, _ in fake.calls)
    assert second.returncode == 2
    assert "Another instance" in refused.decode() and refused.decode().count("\n") == 1
    assert process.returncode == 0, stderr.decode()[-2000:]

"""Updates by webhook: an ASGI app that Telegram (through a load balancer) posts to.

An update is answered 200 only once it has been processed: its turn committed (or it
was recognised as processed before, or it failed and the citizen was told so). Until
then Telegram holds it, and if this instance dies it is delivered again, to another
instance: nothing is ever acknowledged from memory alone. While the instance stops, it
finishes what it has in hand and answers the rest 503, which Telegram retries.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.ptb.processor import ChatOrderedProcessor
from bot.ptb.updates import slimmed
from bot.services.runtime import Services

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_TIMEOUT = 2.0  # seconds the database may take to answer a health check


class Webhook:
    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any],
                 services: Services, path: str, secret: str) -> None:
        self.application, self.services, self.secret = application, services, secret
        processor = application.update_processor
        if not isinstance(processor, ChatOrderedProcessor):
            raise TypeError("the webhook needs the chat-ordered update processor")
        self.processor = processor
        self.closing = False
        self.asgi = Starlette(routes=[
            Route(path, self.receive, methods=["POST"]),
            Route("/healthz", self.healthz, methods=["GET"]),
        ])

    async def receive(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            return PlainTextResponse("forbidden", status_code=403)
        if self.closing:  # Telegram delivers it again, to an instance that stays
            return PlainTextResponse("stopping", status_code=503, headers={"Retry-After": "1"})
        update = _update(await request.body(), self.application.bot)
        if update is None:
            return PlainTextResponse("not an update", status_code=400)
        await self.processor.process_update(update, self.application.process_update(update))
        return Response(status_code=200)

    async def healthz(self, _: Request) -> Response:
        if self.closing:
            return PlainTextResponse("stopping", status_code=503)
        try:
            await asyncio.wait_for(self.services.db.ping(), timeout=HEALTH_TIMEOUT)
        except Exception as error:  # any failure to answer is "not healthy"
            log.warning("health check failed: %s", type(error).__name__)
            return PlainTextResponse("database unavailable", status_code=503)
        return PlainTextResponse("ok")


def _update(body: bytes, bot: Any) -> Update | None:
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise ValueError("no update_id")
        return Update.de_json(slimmed(data), bot)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        log.warning("a webhook request that is not an update: %s", type(error).__name__)
        return None

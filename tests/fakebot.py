"""A fake Telegram Bot API on loopback, with the rules of the real one that matter here.

The bot under test talks to it over HTTP through PTB's own request layer (`base_url`),
exactly as it would talk to api.telegram.org or a local Bot API server. It checks what
Telegram checks (HTML that parses, 4096 characters, 64-byte button data, "message is not
modified", one answer per callback query) and keeps every chat's messages so tests can
read what a citizen would see and press what a citizen would press.

Faults can be injected on a chosen call (`inject`): Telegram refusing it (a 500), the call
taking effect but its answer coming after the client gave up (`late`), or the bot dying
while it waits for the answer (`hang`: before or after the call took effect).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from html import unescape
from typing import Any

from aiohttp import web

TOKEN = "123456:TEST-token-for-the-fake-bot-api"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Rantevou", "username": "rantevou_bot"}
JSON_FIELDS = {"reply_markup", "commands", "scope", "link_preview_options", "entities",
               "allowed_updates", "reply_parameters", "caption_entities"}
CONTENT_METHODS = {"sendMessage", "editMessageText", "sendDocument"}
INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id"}
BOOL_FIELDS = {"show_alert", "disable_notification"}
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                "tg-spoiler", "span", "blockquote", "tg-emoji"}
_TAG = re.compile(r"<(/?)([a-z-]+)((?:\s+[a-z-]+=\"[^\"]*\")*)\s*>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


def html_to_text(html: str) -> str:
    """Check the HTML as Telegram does and return the plain text it shows."""
    stack: list[str] = []
    position = 0
    plain: list[str] = []
    while position < len(html):
        char = html[position]
        if char == "<":
            match = _TAG.match(html, position)
            if not match or match.group(2) not in ALLOWED_TAGS:
                raise ApiError(400, f"Bad Request: can't parse entities: unsupported start tag "
                                    f"at byte offset {position}")
            closing, tag = match.group(1), match.group(2)
            if closing:
                if not stack or stack.pop() != tag:
                    raise ApiError(400, "Bad Request: can't parse entities: unmatched end tag")
            else:
                stack.append(tag)
            position = match.end()
        elif char == "&":
            match = _ENTITY.match(html, position)
            if not match:
                raise ApiError(400, "Bad Request: can't parse entities: unsupported entity")
            plain.append(unescape(match.group(0)))
            position = match.end()
        else:
            plain.append(char)
            position += 1
    if stack:
        raise ApiError(400, "Bad Request: can't parse entities: unclosed start tag")
    return "".join(plain)


def _check_markup(markup: dict[str, Any] | None) -> None:
    if not markup or "inline_keyboard" not in markup:
        return
    buttons = [b for row in markup["inline_keyboard"] for b in row]
    if len(buttons) > 100:
        raise ApiError(400, "Bad Request: too many inline keyboard buttons")
    for b in buttons:
        if not b.get("text"):
            raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
        data = b.get("callback_data")
        if data is not None and not 1 <= len(data.encode()) <= 64:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


@dataclass
class Fault:
    """What happens to a chosen call: the `skip`-th next call of `method` (to `chat_id`, if
    given). `kind`: "fail" answers `error` (`times` calls in a row); "late" lets the call
    take effect and answers only after `late_by` seconds (after the client's timeout);
    "hang" never answers, the call taking effect first if `applied`: the bot is killed
    while it waits (`FakeTelegram.hung` is set)."""

    method: str
    kind: str
    chat_id: int | None = None
    skip: int = 0
    error: ApiError | None = None
    times: int = 1
    applied: bool = False
    late_by: float = 2.0

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        return method == self.method and (
            self.chat_id is None or str(self.chat_id) == str(params.get("chat_id")))


@dataclass
class Sent:
    """One message in a chat, as Telegram stores it."""

    chat_id: int
    message_id: int
    from_bot: bool
    text: str = ""
    html: str = ""
    reply_markup: dict[str, Any] | None = None
    document: dict[str, Any] | None = None
    caption: str = ""
    date: int = field(default_factory=lambda: int(time.time()))
    edits: int = 0
    deleted: bool = False

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": {"id": self.chat_id, "type": "private" if self.chat_id > 0 else "supergroup"},
        }
        if self.from_bot:
            data["from"] = BOT_USER
        if self.text:
            data["text"] = self.text
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup
        if self.document:
            data["document"] = {k: v for k, v in self.document.items() if k != "content"}
            if self.caption:
                data["caption"] = self.caption
        return data

    @property
    def buttons(self) -> list[dict[str, Any]]:
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [b if isinstance(b, dict) else {"text": b} for row in rows for b in row]


class FakeTelegram:
    def __init__(self) -> None:
        self.messages: dict[int, list[Sent]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.answers: list[dict[str, Any]] = []
        self.commands: dict[str, list[dict[str, str]]] = {}
        # (scope type, chat, user, language) → the menu set there
        self.scoped_commands: dict[tuple[str, int, int, str], list[dict[str, str]]] = {}
        # the chats a menu can be set for (None: every chat); others are "not found"
        self.known_chats: set[int] | None = None
        self.updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.unknown: list[str] = []
        self.left: list[int] = []
        self._answered: set[str] = set()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.latency = 0.0  # seconds each call waits before its answer (a round trip)
        self.changes: dict[int, int] = {}  # chat → how often the bot sent or edited there
        self.answered_at: dict[int, float] = {}  # chat → when its latest change was answered
        self.webhook: dict[str, Any] = {}  # setWebhook's parameters, while one is set
        self.webhooks_set = 0
        self._waiting: dict[int, list[asyncio.Future[None]]] = {}
        self.faults: list[Fault] = []
        self.hung = asyncio.Event()  # a "hang" fault was reached: the bot may be killed now
        self._hanging: list[asyncio.Future[None]] = []

    # ---- lifecycle ---------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("POST", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/bot"

    async def stop(self) -> None:
        self.release()
        if self._runner:
            await self._runner.cleanup()

    # ---- what tests read ---------------------------------------------------------

    def chat(self, chat_id: int) -> list[Sent]:
        return [m for m in self.messages.get(chat_id, []) if not m.deleted]

    def bot_messages(self, chat_id: int) -> list[Sent]:
        return [m for m in self.chat(chat_id) if m.from_bot]

    def find(self, chat_id: int, message_id: int) -> Sent | None:
        return next((m for m in self.chat(chat_id) if m.message_id == message_id), None)

    def new_message_id(self, chat_id: int) -> int:
        return len(self.messages.get(chat_id, [])) + 1

    def store(self, sent: Sent) -> Sent:
        self.messages.setdefault(sent.chat_id, []).append(sent)
        return sent

    async def _note_change(self, chat_id: int) -> None:
        self.changes[chat_id] = self.changes.get(chat_id, 0) + 1
        for waiter in self._waiting.pop(chat_id, []):
            if not waiter.done():
                waiter.set_result(None)

    async def changed_since(self, chat_id: int, count: int, *, within: float) -> bool:
        """Wait until the bot has sent or edited something in the chat after `count`
        changes (see `changes`); False if it did not `within` seconds."""
        if self.changes.get(chat_id, 0) > count:
            return True
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(chat_id, []).append(waiter)
        try:
            await asyncio.wait_for(waiter, within)
        except TimeoutError:
            return False
        return True

    def fail_next(self, method: str, error: ApiError, chat_id: int | None = None) -> None:
        """The next call of `method` (to `chat_id`, if given) fails with `error`."""
        self.inject(Fault(method, "fail", chat_id, error=error))

    def inject(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def release(self) -> None:
        """Let the calls that hang end (their client is long gone)."""
        for waiter in self._hanging:
            if not waiter.done():
                waiter.set_result(None)
        self._hanging.clear()
        self.hung.clear()

    def _fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method, params):
                if fault.skip:
                    fault.skip -= 1
                    return None
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    async def hang(self) -> None:
        """Wait here until released: the bot is killed meanwhile (`hung` says when)."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._hanging.append(waiter)
        self.hung.set()
        await waiter

    # ---- the API -----------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        # Like Telegram's, the fake's method names are case-insensitive.
        method = _METHODS.get(method.lower(), method)
        if request.match_info["token"] != TOKEN:
            return _reply({"ok": False, "error_code": 401, "description": "Unauthorized"})
        params, files = await _params(request)
        if self.latency and method != "getUpdates":
            await asyncio.sleep(self.latency)
        self.calls.append((method, params))
        try:
            fault = self._fault(method, params)
            if fault is not None and fault.kind == "fail":
                raise fault.error or ApiError(500, "Internal Server Error")
            if fault is not None and fault.kind == "hang" and not fault.applied:
                await self.hang()
                raise ApiError(500, "Internal Server Error")  # nobody listens any more
            result = await self._apply(method, params, files)
            if fault is not None and fault.kind == "hang":
                await self.hang()
            elif fault is not None and fault.kind == "late":
                await asyncio.sleep(fault.late_by)
        except ApiError as error:
            body: dict[str, Any] = {"ok": False, "error_code": error.code,
                                    "description": error.description}
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            return _reply(body)
        return _reply({"ok": True, "result": result})

    async def _apply(self, method: str, params: dict[str, Any], files: dict[str, Any]) -> Any:
        handler = getattr(self, f"api_{method}", None)
        if handler is None:
            self.unknown.append(method)
            raise ApiError(404, "Not Found")
        result = await handler(params, files) if asyncio.iscoroutinefunction(handler) \
            else handler(params, files)
        if method in CONTENT_METHODS:
            await self._note_change(int(params.get("chat_id", 0)))
            self.answered_at[int(params.get("chat_id", 0))] = time.perf_counter()
        return result

    def api_getMe(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return BOT_USER

    def api_setMyCommands(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        scope = params.get("scope") or {"type": "default"}
        if scope["type"] != "default":
            chat, user = scope.get("chat_id"), scope.get("user_id")
            if chat is not None and self.known_chats is not None and (
                    int(chat) not in self.known_chats):
                raise ApiError(400, "Bad Request: chat not found")
            key = (scope["type"], int(chat or 0), int(user or 0),
                   params.get("language_code", ""))
            self.scoped_commands[key] = params["commands"]
            return True
        self.commands[params.get("language_code", "")] = params["commands"]
        return True

    def api_setWebhook(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        self.webhook = dict(params)
        self.webhooks_set += 1
        return True

    def api_getWebhookInfo(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": self.updates.qsize()}

    def api_deleteWebhook(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        self.webhook = {}
        return True

    async def api_getUpdates(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        if self.webhook:  # as Telegram: one way of taking updates at a time
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active;"
                                " use deleteWebhook to delete the webhook first")
        try:
            first = await asyncio.wait_for(self.updates.get(), timeout=min(
                float(params.get("timeout", 0)), 1.0) or 0.05)
        except TimeoutError:
            return []
        batch = [first]
        while not self.updates.empty():
            batch.append(self.updates.get_nowait())
        return batch

    def api_sendMessage(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        text = str(params["text"])
        plain = html_to_text(text) if params.get("parse_mode") == "HTML" else text
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(plain) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        _check_markup(markup)
        chat_id = int(params["chat_id"])
        sent = self.store(Sent(chat_id, self.new_message_id(chat_id), True, plain, text, markup))
        return sent.as_dict()

    def api_editMessageText(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        sent = self._editable(params)
        text = str(params["text"])
        plain = html_to_text(text) if params.get("parse_mode") == "HTML" else text
        if len(plain) > 4096:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        markup = params.get("reply_markup")
        _check_markup(markup)
        if plain == sent.text and markup == sent.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                                "content and reply markup are exactly the same")
        sent.text, sent.html, sent.reply_markup = plain, text, markup
        sent.edits += 1
        return sent.as_dict()

    def api_editMessageReplyMarkup(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        sent = self._editable(params)
        markup = params.get("reply_markup")
        _check_markup(markup)
        if markup == sent.reply_markup or (not markup and not sent.reply_markup):
            raise ApiError(400, "Bad Request: message is not modified")
        sent.reply_markup = markup
        sent.edits += 1
        return sent.as_dict()

    def api_answerCallbackQuery(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        query_id = str(params["callback_query_id"])
        if query_id in self._answered:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired "
                                "or query ID is invalid")
        self._answered.add(query_id)
        self.answers.append(params)
        return True

    def api_sendDocument(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        upload = files.get("document")
        if upload is None:
            raise ApiError(400, "Bad Request: there is no document in the request")
        chat_id = int(params["chat_id"])
        caption = str(params.get("caption", ""))
        plain = html_to_text(caption) if params.get("parse_mode") == "HTML" else caption
        sent = self.store(Sent(chat_id, self.new_message_id(chat_id), True,
                               caption=plain, document=upload,
                               reply_markup=params.get("reply_markup")))
        return sent.as_dict()

    def api_deleteMessage(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        self._editable(params).deleted = True
        return True

    def api_sendChatAction(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return True

    def api_leaveChat(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        self.left.append(int(params["chat_id"]))
        return True

    def _editable(self, params: dict[str, Any]) -> Sent:
        sent = self.find(int(params["chat_id"]), int(params["message_id"]))
        if sent is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not sent.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return sent


async def _params(request: web.Request) -> tuple[dict[str, Any], dict[str, Any]]:
    params: dict[str, Any] = {}
    files: dict[str, Any] = {}
    if request.content_type == "application/json":
        raw: dict[str, Any] = await request.json()
    else:
        raw = dict(await request.post())
    for key, value in raw.items():
        if isinstance(value, web.FileField):
            files[key] = {"file_id": f"file-{key}-{id(value)}", "file_unique_id": "u",
                          "file_name": value.filename, "mime_type": value.content_type,
                          "content": value.file.read()}
            continue
        params[key] = _decode(key, value)
    # Uploaded files are named in the parameters as attach://<name>.
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            files[key] = files.pop(value.removeprefix("attach://"))
            del params[key]
    return params, files


def _decode(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in JSON_FIELDS:
        return json.loads(value)
    if key in INT_FIELDS:
        return int(value) if value.lstrip("-").isdigit() else value
    if key in BOOL_FIELDS:
        return value == "true"
    return value


_METHODS = {name.removeprefix("api_").lower(): name.removeprefix("api_")
            for name in dir(FakeTelegram) if name.startswith("api_")}


def _reply(body: dict[str, Any]) -> web.Response:
    status = 200 if body.get("ok") else int(body.get("error_code", 400))
    return web.json_response(body, status=status)


class WebhookPusher:
    """Telegram in webhook mode behind a load balancer: the updates put in `fake.updates`
    are posted to the instances in turn; a chat's next update waits until its previous one
    was acknowledged (2xx). A post that fails (a dead instance, a 5xx, no answer in time)
    goes to the next instance, as Telegram retries; every `redeliver`-th update is posted
    once more after its acknowledgement, as Telegram does when an answer reached it late."""

    def __init__(self, fake: FakeTelegram, targets: list[str], secret: str,
                 redeliver: int = 0, timeout: float = 30.0) -> None:
        self.fake, self.targets, self.secret = fake, targets, secret
        self.redeliver, self.timeout = redeliver, timeout
        self.posts: Counter[str] = Counter()  # target → updates it acknowledged
        self.retried = 0
        self._chats: dict[int, asyncio.Queue[dict[str, Any]]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._turn = itertools.count()
        self._session: Any = None

    async def start(self) -> None:
        import aiohttp

        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.timeout))
        self._tasks.append(asyncio.create_task(self._spread()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._session.close()

    async def _spread(self) -> None:
        while True:
            update = await self.fake.updates.get()
            chat = _chat_of(update)
            if chat not in self._chats:
                self._chats[chat] = asyncio.Queue()
                self._tasks.append(asyncio.create_task(self._chat(self._chats[chat])))
            self._chats[chat].put_nowait(update)

    async def _chat(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        while True:
            update = await queue.get()
            await self._post(update)
            if self.redeliver and update["update_id"] % self.redeliver == 0:
                await self._post(update)

    async def _post(self, update: dict[str, Any]) -> None:
        import aiohttp

        for attempt in itertools.count():
            target = self.targets[next(self._turn) % len(self.targets)]
            try:
                async with self._session.post(target, json=update, headers={
                        "X-Telegram-Bot-Api-Secret-Token": self.secret}) as answer:
                    if answer.status < 300:
                        self.posts[target] += 1
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            self.retried += 1
            await asyncio.sleep(min(0.05 * 2 ** attempt, 1.0))


def _chat_of(update: dict[str, Any]) -> int:
    message = update.get("message") or update.get("callback_query", {}).get("message", {})
    return int(message.get("chat", {}).get("id", 0))

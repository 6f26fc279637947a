"""One update, one turn: its chat's state read, its handlers run, everything it changed
written in one transaction, and only then its replies sent.

The turn is the unit of work of an update. It reads, in one statement, where the chat's
conversation stands and who is writing; the chat's row keeps its latest update ids, so a
redelivered update is recognised and not processed again. Handlers change the turn's
state, call their use case and say their replies; at the end the row is written with
the use case's changes in one write transaction, which commits, and the replies go out.

On PostgreSQL the turn is one transaction from the start, holding a transaction-scoped
advisory lock on the chat: one chat's turns are serialised across instances. On SQLite
(one process, whose processor already orders each chat's turns) the turn reads without
a transaction and takes the one writer's lock only when it writes: the lock is held for
the writes, not while the handler thinks, so writers do not queue behind each other's
reading and rendering.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from telegram import Update

from bot.domain.draft import Draft
from bot.ptb.replies import Replies
from bot.render.callbacks import NEXT_SCREEN, REVISIONS
from bot.services.runtime import Services
from storage import chats, locks
from storage.users import UserPrefs

log = logging.getLogger(__name__)
CURRENT: ContextVar[Turn | None] = ContextVar("turn", default=None)
_CARRIED = 50_000  # chats whose newest flow message id is remembered in memory
SEEN = 32  # update ids a chat's row remembers (Telegram redelivers only the latest)


class NoTurn(RuntimeError):
    """A handler ran outside an update's turn (a wiring bug)."""


class _Rollback(Exception):
    pass


@dataclass
class Turn:
    services: Services
    conn: AsyncConnection  # for reads (on PostgreSQL also for writes: the same transaction)
    update: Update
    chat_id: int | None
    replies: Replies
    step: str | None = None
    draft: Draft = field(default_factory=Draft)
    revision: int = 0  # of the flow's screen shown; its buttons carry it
    message_id: int = 0  # the message that shows that screen (0: not known here)
    pending: dict[str, Any] = field(default_factory=dict)  # admin questions to confirm
    prefs: UserPrefs | None = None  # the user's, read with the chat's row
    seen: list[int] = field(default_factory=list)
    duplicate: bool = False
    failed: bool = False
    wake_outbox: bool = False  # it wrote to the outbox: the sender should look now
    forgotten: bool = False  # the chat's row is deleted, not saved (the citizen is forgotten)
    _stored: chats.ChatRow | None = None
    _open_writer: Callable[[], Awaitable[AsyncConnection]] | None = None
    _writer: AsyncConnection | None = None

    async def writer(self) -> AsyncConnection:
        """The turn's write transaction (begun on first use; committed with the turn)."""
        if self._writer is None:
            if self._open_writer is None:
                raise NoTurn("this turn cannot write")
            self._writer = await self._open_writer()
        return self._writer

    def row(self) -> chats.ChatRow:
        draft = self.draft.to_dict() if self.step is not None or self.draft != Draft() else None
        return chats.ChatRow(self.step, draft, self.revision, self.message_id,
                             self.pending or None, self.seen or None)

    def end_flow(self) -> None:
        """Leave the booking flow: no step, no draft, no flow message to update (the
        revision goes on, so the old screens' buttons stay stale)."""
        self.step, self.draft, self.message_id = None, Draft(), 0

    def forget(self) -> None:
        """The citizen asked to be forgotten: the chat's state goes, draft and all; their
        next update starts afresh, as a new user's."""
        self.end_flow()
        self.pending, self.seen, self.forgotten = {}, [], True

    def fail(self) -> None:
        """The update failed: nothing it changed is kept, nothing it said is sent."""
        self.failed = True
        self.replies.discard()


def current() -> Turn:
    turn = CURRENT.get()
    if turn is None:
        raise NoTurn("no update is being processed here")
    return turn


def chat_key(update: object) -> int | None:
    """The chat an update belongs to (its updates are processed one at a time, in order)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user else None


# The id of the newest flow message a chat was sent is known only once it is sent, after
# the commit; it is remembered here and written with the chat's next turn. Lost (a restart,
# the next turn on another instance), it only means that message's buttons are not taken
# off when the next one comes: they still answer that they belong to an earlier screen.
_carried: OrderedDict[int, tuple[int, int]] = OrderedDict()


def carry(chat_id: int, revision: int, message_id: int) -> None:
    _carried[chat_id] = (revision, message_id)
    _carried.move_to_end(chat_id)
    while len(_carried) > _CARRIED:
        _carried.popitem(last=False)


@asynccontextmanager
async def turn_of(services: Services, update: Update) -> AsyncIterator[Turn]:
    """The update's turn: its writes commit when the block ends, unless the turn failed;
    CURRENT names it meanwhile."""
    chat_id = chat_key(update)
    replies = Replies(update.effective_chat.id if update.effective_chat else chat_id,
                      update.callback_query)
    db = services.db
    try:
        async with AsyncExitStack() as stack:
            if db.is_sqlite:
                reader = await stack.enter_async_context(db.look())
                turn = Turn(services, reader, update, chat_id, replies)

                async def open_writer() -> AsyncConnection:
                    return await stack.enter_async_context(db.write())

                turn._open_writer = open_writer
            else:
                conn = await stack.enter_async_context(db.write())
                turn = Turn(services, conn, update, chat_id, replies)
                turn._writer = conn
            await _begin(turn)
            token = CURRENT.set(turn)
            NEXT_SCREEN.set((turn.revision + 1) % REVISIONS)
            try:
                yield turn
            finally:
                CURRENT.reset(token)
            if turn.failed:
                raise _Rollback
            await _end(turn)
    except _Rollback:
        pass


async def _begin(turn: Turn) -> None:
    conn, chat_id = turn.conn, turn.chat_id
    if chat_id is None:
        return
    await locks.exclusive(conn, f"chat:{chat_id}")
    user = turn.update.effective_user
    stored, turn.prefs = await chats.load_with_user(conn, chat_id, user.id if user else None)
    turn._stored = stored
    if stored is not None:
        turn.step, turn.revision, turn.message_id = stored.step, stored.revision, \
            stored.message_id
        turn.draft = Draft.from_dict(stored.draft)
        turn.pending = dict(stored.pending or {})
        turn.seen = [n for n in stored.seen or [] if isinstance(n, int)]
    update_id = turn.update.update_id
    turn.duplicate = update_id in turn.seen
    if not turn.duplicate:
        turn.seen = [*turn.seen, update_id][-SEEN:]
    carried = _carried.get(chat_id) if chat_id is not None else None
    if carried is not None and carried[0] == turn.revision:
        turn.message_id = carried[1]


async def _end(turn: Turn) -> None:
    if turn.chat_id is None:
        return
    if turn.forgotten:
        _carried.pop(turn.chat_id, None)
        await chats.forget(await turn.writer(), [turn.chat_id])
        return
    row = turn.row()
    if turn._stored == row:
        return
    await chats.save(await turn.writer(), turn.chat_id, row, turn.services.clock(),
                     exists=turn._stored is not None)

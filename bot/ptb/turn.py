"""One update, one turn: its chat's state read, its handlers run, everything it changed
written in one transaction, and only then its replies sent.

The turn is the unit of work of an update. It begins a write transaction, serialises the
chat's turns across instances (a transaction-scoped advisory lock on PostgreSQL; on
SQLite the one writer), records the update id (a redelivered update is recognised and not
processed again), and reads where the chat's conversation stands. Handlers change the
turn's state and say their replies; at the end the state is written only if it changed,
the transaction commits, and the replies go out.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection
from telegram import Update

from bot.domain.draft import Draft
from bot.ptb.replies import Replies
from bot.services.runtime import Services
from storage import chats, updates

log = logging.getLogger(__name__)
CURRENT: ContextVar[Turn | None] = ContextVar("turn", default=None)
_CARRIED = 50_000  # chats whose newest flow message id is remembered in memory


class NoTurn(RuntimeError):
    """A handler ran outside an update's turn (a wiring bug)."""


class _Rollback(Exception):
    pass


@dataclass
class Turn:
    services: Services
    conn: AsyncConnection
    update: Update
    chat_id: int | None
    replies: Replies
    step: str | None = None
    draft: Draft = field(default_factory=Draft)
    revision: int = 0  # of the flow's screen shown; its buttons carry it
    message_id: int = 0  # the message that shows that screen (0: not known here)
    pending: dict[str, Any] = field(default_factory=dict)  # admin questions to confirm
    duplicate: bool = False
    failed: bool = False
    wake_outbox: bool = False  # it wrote to the outbox: the sender should look now
    _stored: chats.ChatRow | None = None

    def row(self) -> chats.ChatRow:
        draft = self.draft.to_dict() if self.step is not None or self.draft != Draft() else None
        return chats.ChatRow(self.step, draft, self.revision, self.message_id,
                             self.pending or None)

    def end_flow(self) -> None:
        """Leave the booking flow: no step, no draft, no flow message to update (the
        revision goes on, so the old screens' buttons stay stale)."""
        self.step, self.draft, self.message_id = None, Draft(), 0

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
    """The update's turn: its transaction commits when the block ends, unless the turn
    failed; CURRENT names it meanwhile."""
    chat_id = chat_key(update)
    replies = Replies(update.effective_chat.id if update.effective_chat else chat_id,
                      update.callback_query)
    try:
        async with services.db.write() as conn:
            turn = Turn(services, conn, update, chat_id, replies)
            await _begin(turn)
            token = CURRENT.set(turn)
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
    now = turn.services.clock()
    if chat_id is not None and conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": chat_id})
    turn.duplicate = not await updates.first_time(conn, turn.update.update_id, now)
    stored = await chats.load(conn, chat_id) if chat_id is not None else None
    turn._stored = stored
    if stored is not None:
        turn.step, turn.revision, turn.message_id = stored.step, stored.revision, \
            stored.message_id
        turn.draft = Draft.from_dict(stored.draft)
        turn.pending = dict(stored.pending or {})
    carried = _carried.get(chat_id) if chat_id is not None else None
    if carried is not None and carried[0] == turn.revision:
        turn.message_id = carried[1]


async def _end(turn: Turn) -> None:
    if turn.chat_id is None:
        return
    row = turn.row()
    stored = turn._stored
    if stored == row or (stored is None and row == chats.ChatRow()):
        return
    await chats.save(turn.conn, turn.chat_id, row, turn.services.clock(),
                     exists=stored is not None)

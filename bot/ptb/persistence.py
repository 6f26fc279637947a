"""PTB persistence in our own database: conversation states and drafts survive restarts."""

from __future__ import annotations

import json
from copy import deepcopy
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from storage import state
from storage.db import Database

USER_DATA = "user_data"


class DatabasePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(self, db: Database, update_interval: float = 5) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db = db

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        async with self.db.read() as conn:
            rows = await state.load(conn, USER_DATA)
        return {int(key): value for key, value in rows.items() if isinstance(value, dict)}

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        async with self.db.write() as conn:
            await state.save(conn, USER_DATA, str(user_id), deepcopy(data) or None)

    async def drop_user_data(self, user_id: int) -> None:
        async with self.db.write() as conn:
            await state.save(conn, USER_DATA, str(user_id), None)

    async def get_conversations(self, name: str) -> ConversationDict:
        async with self.db.read() as conn:
            rows = await state.load(conn, f"conversation:{name}")
        return {tuple(json.loads(key)): value for key, value in rows.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        async with self.db.write() as conn:
            await state.save(conn, f"conversation:{name}", json.dumps(list(key)), new_state)

    # Chat data, bot data and callback data are not kept (store_data says so).
    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def flush(self) -> None:
        return None

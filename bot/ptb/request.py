"""PTB's requests to the Bot API over aiohttp, the client also serving the tests' fake.

PTB's default (httpx) spends about 0.45 ms of CPU per call where aiohttp spends about
0.1 ms (measured against the fake API on loopback, `bench/`): with two calls per update
(answer the press, show the step) that is most of what the bot spends on an update.
`BaseRequest` is PTB's documented place for another transport.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.ptb.updates import slimmed


class AiohttpRequest(BaseRequest):
    def __init__(self, connections: int = 64, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 media_write_timeout: float = 20.0) -> None:
        self._connections = connections
        self._read, self._write, self._connect = read_timeout, write_timeout, connect_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        read = self._read if isinstance(read_timeout, DefaultValue) else read_timeout
        write = (self._media_write if files else self._write) if isinstance(
            write_timeout, DefaultValue) else write_timeout
        connect = self._connect if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = None if isinstance(pool_timeout, DefaultValue) else pool_timeout
        # aiohttp has no separate write timeout: the whole call may take both
        total = None if read is None or write is None else read + write
        timeout = aiohttp.ClientTimeout(total=total, connect=pool, sock_connect=connect,
                                        sock_read=read)
        body: aiohttp.FormData | bytes | None = None
        headers = {"User-Agent": self.USER_AGENT}
        if request_data is not None and not files:  # JSON: no percent-encoding of keyboards
            body = request_data.json_payload
            headers["Content-Type"] = "application/json"
        if files:
            form = aiohttp.FormData()
            for name, value in (fields or {}).items():
                form.add_field(name, value)
            for name, upload in files.items():
                if isinstance(upload, tuple):
                    filename, content, *mime = upload
                    form.add_field(name, content, filename=filename,
                                   content_type=mime[0] if mime else None)
                else:
                    form.add_field(name, upload)
            body = form
        try:
            async with self._session.request(method, url, data=body, timeout=timeout,
                                             headers=headers) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error


class UpdatesRequest(AiohttpRequest):
    """getUpdates: the updates slimmed before PTB parses them (bot/ptb/updates.py), in
    `parse_json_payload`, PTB's place for changing how an answer is read."""

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        answer = AiohttpRequest.parse_json_payload(payload)
        result = answer.get("result")
        if isinstance(result, list):
            answer["result"] = [slimmed(u) if isinstance(u, dict) else u for u in result]
        return answer

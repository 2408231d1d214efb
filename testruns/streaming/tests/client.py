"""A streaming test client over the real ASGI application (`argus.asgi.application`), no server needed."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from asgiref.testing import ApplicationCommunicator

from argus.asgi import application
from testruns.streaming.sse import Message
from testruns.streaming.sse import decode_block as parse_block


@dataclass
class StreamClient:
    path: str
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "GET"
    body: bytes = b""
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    finished: bool = False
    _buffer: str = ""
    _communicator: ApplicationCommunicator | None = None

    def scope(self) -> dict[str, Any]:
        return {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": self.method,
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "root_path": "",
            "query_string": self.query.encode(),
            "headers": [(k.lower().encode(), v.encode()) for k, v in self.headers.items()],
            "client": ("127.0.0.1", 40000),
            "server": ("127.0.0.1", 8000),
        }

    async def open(self, timeout: float = 5) -> StreamClient:
        self._communicator = ApplicationCommunicator(application, self.scope())
        await self._communicator.send_input({"type": "http.request", "body": self.body, "more_body": False})
        start = await self._communicator.receive_output(timeout)
        assert start["type"] == "http.response.start", start
        self.status = start["status"]
        self.response_headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        return self

    async def read_chunk(self, timeout: float = 5) -> bytes:
        assert self._communicator is not None
        message = await self._communicator.receive_output(timeout)
        assert message["type"] == "http.response.body", message
        if not message.get("more_body", False):
            self.finished = True
        return message.get("body", b"")

    async def json(self, timeout: float = 5) -> Any:
        body = b""
        while not self.finished:
            body += await self.read_chunk(timeout)
        return json.loads(body)

    async def messages(self, count: int, *, timeout: float = 5, events_only: bool = True) -> list[Message]:
        """The next `count` messages (events only, unless asked), in arrival order."""
        out: list[Message] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(out) < count:
            while "\n\n" in self._buffer and len(out) < count:
                block, self._buffer = self._buffer.split("\n\n", 1)
                message = parse_block(block)
                if events_only and message.event is None:
                    continue
                out.append(message)
            if len(out) >= count:
                break
            if self.finished:
                raise AssertionError(f"stream ended after {len(out)} of {count} messages")
            self._buffer += (await self.read_chunk(max(0.01, deadline - loop.time()))).decode()
        return out

    async def rest(self, timeout: float = 5) -> list[Message]:
        """Every remaining event until the server ends the response."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.finished:
            self._buffer += (await self.read_chunk(max(0.01, deadline - loop.time()))).decode()
        blocks = [b for b in self._buffer.split("\n\n") if b.strip()]
        self._buffer = ""
        return [m for m in map(parse_block, blocks) if m.event is not None]

    async def nothing_for(self, seconds: float) -> bool:
        assert self._communicator is not None
        return await self._communicator.receive_nothing(timeout=seconds)

    async def disconnect(self, timeout: float = 5) -> None:
        assert self._communicator is not None
        await self._communicator.send_input({"type": "http.disconnect"})
        await self._communicator.wait(timeout)

    async def wait_closed(self, timeout: float = 5) -> None:
        assert self._communicator is not None
        await self._communicator.wait(timeout)

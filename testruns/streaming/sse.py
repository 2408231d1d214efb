"""The text/event-stream wire format (WHATWG HTML, "Server-sent events")."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

CONTENT_TYPE = b"text/event-stream"

# No caching and no proxy buffering (nginx honours X-Accel-Buffering), or events arrive in bursts.
STREAM_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-type", CONTENT_TYPE),
    (b"cache-control", b"no-cache, no-transform"),
    (b"x-accel-buffering", b"no"),
]

HEARTBEAT = b": heartbeat\n\n"


def encode_event(*, seq: int, kind: str, data: Any) -> bytes:
    """One message. `kind` comes from our own code; JSON never contains a raw newline, so `data` is one line."""
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)
    return f"id: {seq}\nevent: {kind}\ndata: {payload}\n\n".encode()


def encode_retry(milliseconds: int) -> bytes:
    return f"retry: {milliseconds}\n\n".encode()


@dataclass
class Message:
    """One block as a client sees it: an event (id/event/data), a comment, or a retry hint."""

    id: int | None = None
    event: str | None = None
    data: Any = None
    comment: str | None = None
    retry: int | None = None


def decode_block(block: str) -> Message:
    """A client-side reading of one block (the text between blank lines), for tests and the bench."""
    message = Message()
    data_lines: list[str] = []
    for line in block.split("\n"):
        if line.startswith(":"):
            message.comment = line[1:].strip()
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "id":
            message.id = int(value)
        elif name == "event":
            message.event = value
        elif name == "data":
            data_lines.append(value)
        elif name == "retry":
            message.retry = int(value)
    if data_lines:
        message.data = json.loads("\n".join(data_lines))
    return message

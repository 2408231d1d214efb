"""The text/event-stream wire format (WHATWG HTML, "Server-sent events")."""

from __future__ import annotations

import json
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

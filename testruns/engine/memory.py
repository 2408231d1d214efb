"""In-memory ports: for engine tests, benchmarks, and running the engine with no database at all."""

from __future__ import annotations

import json
import threading
from typing import Any

from .interfaces import Node, RunState


class MemorySink:
    """Keeps every event in order as (kind, data)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def emit(self, kind: str, data: dict[str, Any]) -> None:
        self.events.append((kind, data))

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events]

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [data for k, data in self.events if k == kind]


class JsonCheckpointStore:
    """Serialises each state to JSON on save, as a database-backed store would; keeps (node, json)."""

    def __init__(self) -> None:
        self.saved: list[tuple[Node, str]] = []

    def save(self, *, node: Node, state: RunState) -> None:
        self.saved.append((node, json.dumps(state.to_dict(), separators=(",", ":"))))

    def nodes(self) -> list[str]:
        return [node for node, _ in self.saved]

    def state(self, index: int) -> RunState:
        return RunState.from_dict(json.loads(self.saved[index][1]))

    def sizes(self) -> list[int]:
        return [len(blob.encode()) for _, blob in self.saved]


class MemoryArtifactStore:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def save_screenshot(self, *, name: str, content: bytes) -> str:
        self.files[name] = content
        return f"memory://screenshots/{name}"


class MemoryFingerprintStore:
    def __init__(self) -> None:
        self.data: dict[tuple[str, int], dict[str, Any]] = {}
        self.rejected: dict[tuple[str, int], set[str]] = {}

    def get(self, *, test_id: str, step_index: int) -> dict[str, Any] | None:
        return self.data.get((test_id, step_index))

    def put(self, *, test_id: str, step_index: int, fingerprint: dict[str, Any]) -> None:
        self.data[(test_id, step_index)] = fingerprint

    def rejected_locators(self, *, test_id: str, step_index: int) -> frozenset[str]:
        return frozenset(self.rejected.get((test_id, step_index), ()))


class FlagCancelToken:
    """Cancelled once `cancel()` is called (from any thread) or after `after_checks` polls, if given."""

    def __init__(self, *, after_checks: int | None = None) -> None:
        self._event = threading.Event()
        self._after = after_checks
        self._checks = 0

    def cancel(self) -> None:
        self._event.set()

    def is_cancelled(self) -> bool:
        self._checks += 1
        if self._after is not None and self._checks > self._after:
            self._event.set()
        return self._event.is_set()

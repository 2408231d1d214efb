"""The engine's contract with the rest of Argus.

The engine imports nothing from Django. It is handed plain descriptions of what to run and small
ports to write through; the Django side (testruns/) implements the ports over the database, media
storage and the channel layer, the benchmarks and engine tests implement them in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

TestStatus = Literal["passed", "failed", "healed", "skipped", "error"]
StepOutcome = Literal["passed", "failed", "healed", "skipped", "error"]
Node = Literal["analyze_app", "execute_test", "self_heal", "report"]


@dataclass(frozen=True)
class StepSpec:
    """One step as saved on a test: plain English (`text`) or structured (`action`/`target`/`value`)."""

    text: str | None = None
    action: str | None = None
    target: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class TestSpec:
    test_id: str
    name: str
    steps: list[StepSpec]
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RunOptions:
    headless: bool = True
    self_heal_enabled: bool = True
    max_retries: int = 0
    step_timeout_ms: int = 10_000
    browser: str = "chromium"
    viewport: tuple[int, int] = (1280, 720)
    screenshot_every_step: bool = False


@dataclass(frozen=True)
class RunPlan:
    run_id: str
    thread_id: str
    app_url: str
    tests: list[TestSpec]
    options: RunOptions = RunOptions()


@dataclass
class StepResult:
    index: int
    action: str
    target: str | None
    value: str | None
    outcome: StepOutcome
    duration_ms: int
    error: str | None = None
    screenshot_url: str | None = None
    logs: list[dict[str, Any]] = field(default_factory=list)
    heal: dict[str, Any] | None = None


@dataclass
class TestResult:
    test_id: str
    name: str
    status: TestStatus
    attempts: int
    duration_ms: int
    error: str | None = None
    steps: list[StepResult] = field(default_factory=list)


@dataclass
class RunState:
    """Everything needed to continue a run elsewhere: what a checkpoint stores.

    `position` names the next thing to do: the test index and, inside it, the next step index.
    `browser_state` is Playwright's storage_state (cookies and local storage) plus the page URL.
    """

    results: list[TestResult] = field(default_factory=list)
    test_index: int = 0
    step_index: int = 0
    attempt: int = 1
    current: TestResult | None = None
    browser_state: dict[str, Any] | None = None
    url: str | None = None

    def to_dict(self) -> dict[str, Any]: ...  # implemented by the engine (serialisation lives in one place)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunState: ...


class EventSink(Protocol):
    """Receives every event in order. kind: state_update, log, screenshot, test_result, heal, error, complete."""

    def emit(self, kind: str, data: dict[str, Any]) -> None: ...


class CheckpointStore(Protocol):
    def save(self, *, node: Node, state: RunState) -> None: ...


class ArtifactStore(Protocol):
    """Stores a screenshot (JPEG bytes) and returns the URL it will be served at."""

    def save_screenshot(self, *, name: str, content: bytes) -> str: ...


class FingerprintStore(Protocol):
    """The element each step acted on last time it was green, keyed by test and step."""

    def get(self, *, test_id: str, step_index: int) -> dict[str, Any] | None: ...

    def put(self, *, test_id: str, step_index: int, fingerprint: dict[str, Any]) -> None: ...


class CancelToken(Protocol):
    def is_cancelled(self) -> bool: ...

"""The engine's contract with the rest of Argus.

The engine imports nothing from Django. It is handed plain descriptions of what to run and small
ports to write through; the Django side (testruns/) implements the ports over the database, media
storage and the channel layer, the benchmarks and engine tests implement them in memory.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

TestStatus = Literal["passed", "failed", "healed", "skipped", "error"]
StepOutcome = Literal["passed", "failed", "healed", "skipped", "error"]
Node = Literal["analyze_app", "execute_test", "self_heal", "report"]
RunStatus = Literal["running", "passed", "failed", "error", "cancelled"]

# Bumped when RunState's JSON shape changes incompatibly; from_dict refuses newer versions.
RUN_STATE_VERSION = 1


@dataclass(frozen=True)
class StepSpec:
    """One step as saved on a test: plain English (`text`) or structured (`action`/`target`/`value`)."""

    text: str | None = None
    action: str | None = None
    target: str | None = None
    value: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | str) -> StepSpec:
        """Accepts what the API stores: a plain string or {"text"} / {"action", "target", "value"}."""
        if isinstance(data, str):
            return cls(text=data)
        return cls(
            text=data.get("text"),
            action=data.get("action"),
            target=data.get("target"),
            value=None if data.get("value") is None else str(data.get("value")),
        )

    def describe(self) -> str:
        """How the step reads to a person, for logs and error messages."""
        if self.text:
            return self.text
        return " ".join(str(p) for p in (self.action, self.target, self.value) if p)


@dataclass(frozen=True)
class TestSpec:
    __test__ = False  # not a pytest test class

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
    # Set when the healer ran: {"healed", "original_target", "locator", "score", "runner_up_score",
    # "reason", "chosen", "top": [top three candidates with "score"], "screenshot_url" (healed only: the
    # element outlined), "decided_by": "healer" | "ai" (+ "ai_model")}; on abstain the step fails with this kept.
    heal: dict[str, Any] | None = None
    url: str | None = None  # page URL after the step

    def to_dict(self) -> dict[str, Any]:
        # Written out rather than dataclasses.asdict: checkpoints serialise every step of the run after
        # every step, and asdict's deep copy made that the engine's largest per-step cost.
        return {
            "index": self.index,
            "action": self.action,
            "target": self.target,
            "value": self.value,
            "outcome": self.outcome,
            "duration_ms": self.duration_ms,
            "error": self.error,
            "screenshot_url": self.screenshot_url,
            "logs": [dict(log) for log in self.logs],
            "heal": copy.deepcopy(self.heal) if self.heal is not None else None,
            "url": self.url,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StepResult:
        return cls(**{k: data[k] for k in _field_names(cls) if k in data})


@dataclass
class TestResult:
    __test__ = False  # not a pytest test class

    test_id: str
    name: str
    status: TestStatus
    attempts: int
    duration_ms: int
    error: str | None = None
    steps: list[StepResult] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "test_id": self.test_id,
            "name": self.name,
            "status": self.status,
            "attempts": self.attempts,
            "duration_ms": self.duration_ms,
            "error": self.error,
            "steps": [step.to_dict() for step in self.steps],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TestResult:
        values = {k: data[k] for k in _field_names(cls) if k in data and k != "steps"}
        return cls(**values, steps=[StepResult.from_dict(s) for s in data.get("steps", [])])


@dataclass
class RunState:
    """Everything needed to continue a run elsewhere: what a checkpoint stores.

    `position` names the next thing to do: the test index and, inside it, the next step index.
    `browser_state` is Playwright's storage_state (cookies and local storage) plus the page URL, and
    `form_fields` what the page's form held that it was not served with (typed, ticked, chosen).
    `current` is the test in progress (its steps so far) or None between tests.
    `node` is the graph node that produced this state; `status` the run's status so far.
    """

    results: list[TestResult] = field(default_factory=list)
    test_index: int = 0
    step_index: int = 0
    attempt: int = 1
    current: TestResult | None = None
    browser_state: dict[str, Any] | None = None
    url: str | None = None
    form_fields: list[dict[str, Any]] = field(default_factory=list)
    node: Node | None = None
    status: RunStatus = "running"
    app_title: str | None = None
    elapsed_ms: int = 0  # run time spent before this state, so resumed runs report the whole duration

    def forget_page(self) -> None:
        """Drop the page a test left (its cookies and storage, URL and form): the next one starts afresh."""
        self.browser_state = None
        self.url = None
        self.form_fields = []

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (only str/int/float/bool/None/list/dict inside)."""
        return {
            "version": RUN_STATE_VERSION,
            "results": [r.to_dict() for r in self.results],
            "test_index": self.test_index,
            "step_index": self.step_index,
            "attempt": self.attempt,
            "current": None if self.current is None else self.current.to_dict(),
            "browser_state": self.browser_state,
            "url": self.url,
            "form_fields": self.form_fields,
            "node": self.node,
            "status": self.status,
            "app_title": self.app_title,
            "elapsed_ms": self.elapsed_ms,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunState:
        version = data.get("version", RUN_STATE_VERSION)
        if version > RUN_STATE_VERSION:
            raise ValueError(f"run state version {version} is newer than this engine understands")
        current = data.get("current")
        return cls(
            results=[TestResult.from_dict(r) for r in data.get("results", [])],
            test_index=int(data.get("test_index", 0)),
            step_index=int(data.get("step_index", 0)),
            attempt=int(data.get("attempt", 1)),
            current=None if current is None else TestResult.from_dict(current),
            browser_state=data.get("browser_state"),
            url=data.get("url"),
            form_fields=list(data.get("form_fields") or []),
            node=data.get("node"),
            status=data.get("status", "running"),
            app_title=data.get("app_title"),
            elapsed_ms=int(data.get("elapsed_ms", 0)),
        )


@dataclass
class RunOutcome:
    """What `Engine.execute` returns: the run's verdict, its counts, and the final state."""

    status: RunStatus  # passed | failed | error | cancelled
    passed: int
    failed: int
    healed: int
    errored: int
    skipped: int
    duration_seconds: float
    state: RunState
    error: str | None = None

    @property
    def results(self) -> list[TestResult]:
        return self.state.results


def _field_names(cls: type) -> list[str]:
    return list(cls.__dataclass_fields__)


class EventSink(Protocol):
    """Receives every event in order. kind: state_update, log, screenshot, test_result, heal, error, complete."""

    def emit(self, kind: str, data: dict[str, Any]) -> None: ...


class CheckpointStore(Protocol):
    """Called after every node and every step. The engine keeps mutating `state` afterwards, so a store
    must copy it now (`state.to_dict()`), not keep the object."""

    def save(self, *, node: Node, state: RunState) -> None: ...


class ArtifactStore(Protocol):
    """Stores a screenshot (JPEG bytes) and returns the URL it will be served at."""

    def save_screenshot(self, *, name: str, content: bytes) -> str: ...


class FingerprintStore(Protocol):
    """The element each step acted on last time it was green, keyed by test and step."""

    def get(self, *, test_id: str, step_index: int) -> dict[str, Any] | None: ...

    def put(self, *, test_id: str, step_index: int, fingerprint: dict[str, Any]) -> None: ...

    def rejected_locators(self, *, test_id: str, step_index: int) -> frozenset[str]:
        """Locators a person rejected as heals of this step: the healer never chooses their element again."""
        ...


class CancelToken(Protocol):
    def is_cancelled(self) -> bool: ...


@dataclass(frozen=True)
class TieBreak:
    """A tie-breaker's answer: `index` into the candidates it was shown (None: it chose none of them)."""

    index: int | None
    reason: str
    model: str = ""
    input_tokens: int = 0
    output_tokens: int = 0


class TieBreaker(Protocol):
    """Optional: asked only when the healer abstained because its best candidates were too close to call.

    It picks one of `candidates` (the healer's own shortlist, each with its "locator") or none; it never
    writes a selector. A refusal (no budget, the provider failed) is a TieBreak with index None.
    """

    def choose(
        self, *, step_text: str, old_fingerprint: dict[str, Any], candidates: list[dict[str, Any]]
    ) -> TieBreak: ...

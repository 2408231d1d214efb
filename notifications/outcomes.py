"""The plain objects a finished run hands to notifications.

`testruns` builds a `RunOutcome` when a run ends and calls `notifications.dispatch.dispatch_run_outcome`.
Nothing here imports Django models, so the runs side can build one from whatever it has, and the
object survives a trip through Celery as JSON (`to_dict` / `from_dict`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

RunStatus = Literal["passed", "failed", "error", "cancelled"]
TestStatus = Literal["passed", "failed", "healed", "skipped", "error"]

RUN_STATUSES: frozenset[str] = frozenset({"passed", "failed", "error", "cancelled"})
TEST_STATUSES: frozenset[str] = frozenset({"passed", "failed", "healed", "skipped", "error"})


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class TestOutcome:
    """One test's verdict in a run. `error` is the failure message shown to people (may be None)."""

    __test__ = False  # not a pytest test class, despite the name

    test_id: str
    name: str
    status: TestStatus
    tags: tuple[str, ...] = ()
    error: str | None = None
    duration_seconds: float | None = None

    def __post_init__(self) -> None:
        if self.status not in TEST_STATUSES:
            raise ValueError(f"unknown test status {self.status!r}")
        object.__setattr__(self, "test_id", str(self.test_id))
        object.__setattr__(self, "tags", tuple(self.tags))

    def to_dict(self) -> dict[str, Any]:
        return {
            "test_id": self.test_id,
            "name": self.name,
            "status": self.status,
            "tags": list(self.tags),
            "error": self.error,
            "duration_seconds": self.duration_seconds,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TestOutcome:
        return cls(
            test_id=data["test_id"],
            name=data["name"],
            status=data["status"],
            tags=tuple(data.get("tags") or ()),
            error=data.get("error"),
            duration_seconds=data.get("duration_seconds"),
        )


@dataclass(frozen=True)
class RunOutcome:
    """A finished run as notifications sees it.

    status: passed | failed (a test failed: the app misbehaved) | error (our infrastructure failed) |
    cancelled. `run_url` is the absolute URL people follow from a message. Ids may be given as UUIDs;
    they are kept as strings.
    """

    organization_id: str
    project_id: str
    project_name: str
    run_id: str
    thread_id: str
    status: RunStatus
    branch: str | None
    started_at: datetime | None
    finished_at: datetime | None
    duration_seconds: float
    passed: int
    failed: int
    healed: int
    errored: int
    run_url: str
    tests: tuple[TestOutcome, ...] = field(default_factory=tuple)
    skipped: int = 0
    error: str | None = None  # why an errored run errored

    def __post_init__(self) -> None:
        if self.status not in RUN_STATUSES:
            raise ValueError(f"unknown run status {self.status!r}")
        for name in ("organization_id", "project_id", "run_id", "thread_id"):
            value = getattr(self, name)
            if isinstance(value, UUID):
                object.__setattr__(self, name, str(value))
        object.__setattr__(self, "tests", tuple(self.tests))

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.healed + self.errored + self.skipped

    def to_dict(self) -> dict[str, Any]:
        return {
            "organization_id": self.organization_id,
            "project_id": self.project_id,
            "project_name": self.project_name,
            "run_id": self.run_id,
            "thread_id": self.thread_id,
            "status": self.status,
            "branch": self.branch,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "duration_seconds": self.duration_seconds,
            "passed": self.passed,
            "failed": self.failed,
            "healed": self.healed,
            "errored": self.errored,
            "skipped": self.skipped,
            "run_url": self.run_url,
            "error": self.error,
            "tests": [t.to_dict() for t in self.tests],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunOutcome:
        return cls(
            organization_id=data["organization_id"],
            project_id=data["project_id"],
            project_name=data["project_name"],
            run_id=data["run_id"],
            thread_id=data["thread_id"],
            status=data["status"],
            branch=data.get("branch"),
            started_at=_parse(data.get("started_at")),
            finished_at=_parse(data.get("finished_at")),
            duration_seconds=float(data.get("duration_seconds") or 0),
            passed=int(data.get("passed", 0)),
            failed=int(data.get("failed", 0)),
            healed=int(data.get("healed", 0)),
            errored=int(data.get("errored", 0)),
            skipped=int(data.get("skipped", 0)),
            run_url=data["run_url"],
            error=data.get("error"),
            tests=tuple(TestOutcome.from_dict(t) for t in data.get("tests") or ()),
        )

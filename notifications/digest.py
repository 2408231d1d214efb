"""Where the weekly digest gets its numbers: a source that the runs app registers.

Run data lives in testruns, which notifications must not import. testruns registers a source from its
AppConfig.ready():

    from notifications.digest import DigestStats, register_digest_source

    def weekly_stats(*, organization_id: str, start: datetime, end: datetime) -> DigestStats: ...
    register_digest_source(weekly_stats)

The source answers for any half-open window [start, end) of one organization; notifications asks for
this week and the week before and computes the pass rate and its change itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlowTest:
    name: str
    project_name: str
    average_seconds: float
    runs: int


@dataclass(frozen=True)
class FlakyTest:
    """A test whose verdict changed between runs (passed, then failed, ...) without its steps changing."""

    name: str
    project_name: str
    flips: int
    runs: int


@dataclass(frozen=True)
class DigestStats:
    runs: int
    passed_runs: int
    failed_runs: int  # failed or errored
    test_results: int  # results of executed tests (skipped ones excluded)
    test_results_passed: int  # passed or healed
    slowest_tests: list[SlowTest] = field(default_factory=list)
    flakiest_tests: list[FlakyTest] = field(default_factory=list)
    pending_heals: int = 0  # heals waiting for someone to accept or reject them

    @property
    def pass_rate(self) -> float | None:
        return self.test_results_passed / self.test_results if self.test_results else None


class DigestSource(Protocol):
    def __call__(self, *, organization_id: str, start: datetime, end: datetime) -> DigestStats: ...


_source: DigestSource | None = None


def register_digest_source(source: DigestSource | Callable[..., DigestStats]) -> None:
    """Install the one digest source; registering again replaces it (tests install fakes this way)."""
    global _source
    _source = source  # type: ignore[assignment]


def unregister_digest_source() -> None:
    global _source
    _source = None


def digest_source() -> DigestSource | None:
    return _source

"""The execution engine: step language, Playwright runner and self-healing. Imports nothing from Django.

Use: `Engine().execute(plan, sink=..., checkpoints=..., artifacts=..., fingerprints=..., cancel=..., resume=...)`.
"""

from .interfaces import (
    RunOptions,
    RunOutcome,
    RunPlan,
    RunState,
    StepResult,
    StepSpec,
    TestResult,
    TestSpec,
)

__all__ = [
    "Engine",
    "RunOptions",
    "RunOutcome",
    "RunPlan",
    "RunState",
    "StepResult",
    "StepSpec",
    "TestResult",
    "TestSpec",
]


def __getattr__(name: str):
    if name == "Engine":
        from .runner import Engine

        return Engine
    raise AttributeError(name)

"""Every step shown in docs/step-language.md parses: the documentation is the grammar's test list."""

from __future__ import annotations

import re
from pathlib import Path

from testruns.engine.steps import parse_text

DOC = Path(__file__).resolve().parents[3] / "docs" / "step-language.md"


def documented_steps() -> list[str]:
    text = DOC.read_text()
    body = text[text.index("## Navigation") : text.index("## Structured steps")]
    steps = []
    for line in body.splitlines():
        if not line.startswith("| `"):
            continue
        first_cell = line.split(" | ")[0]
        steps += [s for s in re.findall(r"`([^`]+)`", first_cell) if "..." not in s]
    return steps


def test_every_documented_step_parses() -> None:
    steps = documented_steps()
    assert len(steps) > 100
    for step in steps:
        parse_text(step)  # raises StepParseError naming the step if the docs promise too much

"""What a step means once parsed: a canonical action, a target as a person named it, and a value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class StepParseError(ValueError):
    """A step that cannot be run as written. The message says why and, where it can, how to say it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Canonical actions. Element actions need a target; the set drives docs, validation and the runner.
ELEMENT_ACTIONS = frozenset(
    {
        "fill",
        "clear",
        "click",
        "dblclick",
        "right_click",
        "hover",
        "select",
        "check",
        "uncheck",
        "upload",
    }
)
ELEMENT_ASSERTIONS = frozenset(
    {
        "assert_value",
        "assert_empty",
        "assert_visible",
        "assert_hidden",
        "assert_enabled",
        "assert_disabled",
        "assert_checked",
        "assert_unchecked",
        "assert_element_text",
    }
)
PAGE_ACTIONS = frozenset({"navigate", "reload", "go_back", "press", "wait_seconds", "wait_load"})
WAITS = frozenset({"wait_visible", "wait_hidden"})
PAGE_ASSERTIONS = frozenset({"assert_text", "assert_no_text", "assert_url", "assert_title", "assert_count"})
ALL_ACTIONS = ELEMENT_ACTIONS | ELEMENT_ASSERTIONS | PAGE_ACTIONS | WAITS | PAGE_ASSERTIONS


@dataclass(frozen=True)
class Target:
    """An element as the step names it.

    `selector` is set for explicit selectors (css=, xpath=, #id, //...); otherwise `text` is resolved the
    way a person reads the page (test id, label, placeholder, role and name, visible text). `role` is a
    hint taken from words like "button" or "field"; `nth` picks one of several matches (0-based, -1 last);
    `exact` is set when the name was quoted.
    """

    raw: str
    text: str
    selector: str | None = None
    role: str | None = None
    nth: int | None = None
    exact: bool = False

    def describe(self) -> str:
        return self.raw

    def to_dict(self) -> dict[str, Any]:
        return {
            "raw": self.raw,
            "text": self.text,
            "selector": self.selector,
            "role": self.role,
            "nth": self.nth,
            "exact": self.exact,
        }


@dataclass(frozen=True)
class ParsedStep:
    """One runnable step.

    `op` qualifies URL/title assertions ("contains" or "equals"); `count`/`noun`/`target` describe count
    assertions ("3 rows in Orders table": count=3, noun="rows", target=Orders table); `seconds` is for
    fixed waits; `kind` says whether a wait looks for "text", an "element" or "any" of both.
    """

    action: str
    source: str
    target: Target | None = None
    value: str | None = None
    op: str | None = None
    count: int | None = None
    noun: str | None = None
    seconds: float | None = None
    kind: str | None = None

    @property
    def acts_on_element(self) -> bool:
        return self.action in ELEMENT_ACTIONS

    @property
    def is_assertion(self) -> bool:
        return self.action.startswith("assert_")

    def target_text(self) -> str | None:
        return None if self.target is None else self.target.raw

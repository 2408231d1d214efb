"""The optional AI tie-break: when the healer abstains only because its best candidates are too close to
call, a model picks one of them by number, or none.

The model never writes a selector. It sees a description of the old element and of each shortlisted
candidate, answers with a number, and the step continues with the locator the healer itself built for
that candidate. Any answer that is not exactly a listed number or "none" is no choice.

No Django here: the Django side wraps a TieBreaker to charge each call to the organization's AI budget
(testruns/execution/ai.py).
"""

from __future__ import annotations

import re
from typing import Any

from ..interfaces import TieBreak, TieBreaker
from .healer import MARGIN, SCORE_THRESHOLD, HealDecision
from .roles import roles_compatible

__all__ = [
    "AnthropicTieBreaker",
    "TieBreak",
    "TieBreaker",
    "build_prompt",
    "close_call_candidates",
    "parse_choice",
]

SYSTEM_PROMPT = (
    "You help an end-to-end test runner find again the element a test step acted on, after the web page "
    "changed. You are shown that element as it was when the test last passed, and a numbered list of "
    "candidate elements on the page now. You never write selectors. Reply with only the number of the "
    "candidate that is the same element, or with the word none if no candidate clearly is."
)
MAX_OUTPUT_TOKENS = 8  # a number or "none"; a longer reply is not an answer anyway

# Attributes shown to the model, in this order. Scores, evidence and locators are left out: the model
# judges the elements, not the healer's arithmetic, and has no use for selectors.
_SHOWN = (
    ("tag", "tag"),
    ("role", "role"),
    ("type", "type"),
    ("text", "text"),
    ("accessible_name", "accessible name"),
    ("label", "label"),
    ("detached_label", "label beside it that labels nothing"),
    ("placeholder", "placeholder"),
    ("title", "title"),
    ("alt", "alt"),
    ("href", "href"),
    ("id", "id"),
    ("name", "name"),
    ("test_ids", "test ids"),
    ("classes", "classes"),
    ("neighbor_texts", "nearby texts"),
    ("record_texts", "texts of its row or card"),
    ("context", "heading of its card or section"),
    ("rect", "position"),
)
_TEXT_LIMIT = 120
_ANSWER = re.compile(r"\s*(?:(\d{1,3})|(none))\s*", re.IGNORECASE)


def _clip(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= _TEXT_LIMIT else value[: _TEXT_LIMIT - 1] + "…"


def describe_element(element: dict[str, Any]) -> str:
    """One line per known attribute, values clipped; the page's own text is quoted so it reads as data."""
    lines = []
    for key, label in _SHOWN:
        value = element.get(key)
        if value in (None, "", [], {}):
            continue
        if key == "rect":
            shown = (
                f"x={round(value.get('x', 0))}, y={round(value.get('y', 0))}, "
                f"{round(value.get('w', 0))}x{round(value.get('h', 0))}"
            )
        elif key == "test_ids":
            shown = ", ".join(f"{k}={_clip(str(v))!r}" for k, v in value.items() if v)
        elif key == "classes":
            shown = " ".join(str(c) for c in value[:8])
        elif key in ("neighbor_texts", "record_texts"):
            shown = "; ".join(repr(_clip(str(t))) for t in value[:8] if t)
        elif key in ("tag", "role", "type"):
            shown = str(value)
        else:
            shown = repr(_clip(str(value)))
        if shown:
            lines.append(f"  {label}: {shown}")
    if element.get("visible") is False:
        lines.append("  (hidden)")
    if element.get("enabled") is False:
        lines.append("  (disabled)")
    return "\n".join(lines) or "  (no attributes)"


def build_prompt(*, step_text: str, old_fingerprint: dict[str, Any], candidates: list[dict[str, Any]]) -> str:
    parts = [
        f"Test step: {step_text!r}",
        "",
        "The element this step acted on when the test last passed:",
        describe_element(old_fingerprint),
        "",
        "Candidates on the page now:",
    ]
    for number, candidate in enumerate(candidates, start=1):
        parts.append(f"{number}.")
        parts.append(describe_element(candidate))
    parts += [
        "",
        f"Which candidate is the same element? Answer with only its number (1 to {len(candidates)}), or none.",
    ]
    return "\n".join(parts)


def parse_choice(text: str, count: int) -> int | None:
    """The 0-based index the reply names, or None: only a bare listed number or "none" is an answer."""
    match = _ANSWER.fullmatch(text or "")
    if match is None or match.group(2) is not None:
        return None
    number = int(match.group(1))
    return number - 1 if 1 <= number <= count else None


def close_call_candidates(decision: HealDecision, old_fingerprint: dict[str, Any]) -> list[dict[str, Any]]:
    """The healer's shortlisted candidates worth a tie-break, or [] when the abstention was not a close call.

    A close call: the best score clears the threshold but does not beat the runner-up by the margin.
    An abstention for any other reason (nothing similar enough, target gone, every candidate rejected)
    is the healer being right to refuse; no model gets to overrule that. Of the shortlist, only the
    candidates within the margin of the best that are visible, enabled, role-compatible with the old
    element and have a locator are offered.
    """
    if decision.healed or not decision.top:
        return []
    best, runner_up = decision.score, decision.runner_up_score
    if best < SCORE_THRESHOLD or best - runner_up >= MARGIN:
        return []
    role = old_fingerprint.get("role") or ""
    return [
        c
        for c in decision.top
        if c.get("score", 0.0) > best - MARGIN
        and c.get("locator")
        and c.get("visible", True)
        and c.get("enabled", True)
        and roles_compatible(c.get("role") or "", role)
    ]


class AnthropicTieBreaker:
    """A TieBreaker on Anthropic's Messages API through the official SDK (`base_url` for a proxy or a test)."""

    provider = "anthropic"

    def __init__(
        self, *, api_key: str, model: str, base_url: str | None = None, timeout: float = 15.0, max_retries: int = 1
    ) -> None:
        import anthropic  # only where the AI is configured

        self._anthropic = anthropic
        self.model = model
        self.client = anthropic.Anthropic(
            api_key=api_key, base_url=base_url or None, timeout=timeout, max_retries=max_retries
        )

    def choose(self, *, step_text: str, old_fingerprint: dict[str, Any], candidates: list[dict[str, Any]]) -> TieBreak:
        if not candidates:
            return TieBreak(None, "no candidates to choose from", self.model)
        prompt = build_prompt(step_text=step_text, old_fingerprint=old_fingerprint, candidates=candidates)
        try:
            response = self.client.messages.create(
                model=self.model,
                max_tokens=MAX_OUTPUT_TOKENS,
                system=SYSTEM_PROMPT,
                messages=[{"role": "user", "content": prompt}],
            )
        except self._anthropic.APIError as exc:
            # The provider failing is the tie-break declining, never the run erroring: the step fails as
            # it would have without AI.
            return TieBreak(None, f"the AI provider failed: {type(exc).__name__}: {_first_line(exc)}", self.model)
        usage = getattr(response, "usage", None)
        input_tokens = int(getattr(usage, "input_tokens", 0) or 0)
        output_tokens = int(getattr(usage, "output_tokens", 0) or 0)
        reply = "".join(getattr(block, "text", "") for block in response.content if block.type == "text")
        model = getattr(response, "model", None) or self.model
        index = parse_choice(reply, len(candidates))
        if index is None:
            why = "it chose none" if reply.strip().lower() == "none" else f"unusable answer {_clip(reply)!r}"
            return TieBreak(None, f"{model}: {why}", model, input_tokens, output_tokens)
        return TieBreak(
            index, f"{model} chose candidate {index + 1} of {len(candidates)}", model, input_tokens, output_tokens
        )


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [""])[0][:200]

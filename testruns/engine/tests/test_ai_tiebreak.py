"""The engine asks its optional tie-breaker only when the healer abstained on a close call, and heals the
step with the shortlisted candidate it names (never a selector of its own)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from testruns.engine.healing import HealDecision
from testruns.engine.healing.healer import MARGIN, SCORE_THRESHOLD
from testruns.engine.healing.tests.test_tiebreak import candidate
from testruns.engine.healing.tiebreak import AnthropicTieBreaker
from testruns.engine.interfaces import StepSpec, TieBreak
from testruns.engine.memory import FlagCancelToken, MemorySink
from testruns.engine.runner import Engine, NeverCancelled, _Ports, _Run
from testruns.engine.steps import parse_step
from testruns.engine.testing.anthropic_api import AnthropicStub

from .conftest import PageServer, Ports, make_plan


class FakeTieBreaker:
    def __init__(self, answer: int | None) -> None:
        self.answer = answer
        self.calls: list[dict[str, Any]] = []

    def choose(self, *, step_text: str, old_fingerprint: dict[str, Any], candidates: list[dict[str, Any]]) -> TieBreak:
        self.calls.append({"step_text": step_text, "old": old_fingerprint, "candidates": candidates})
        reason = "fake chose none" if self.answer is None else f"fake chose {self.answer + 1}"
        return TieBreak(self.answer, reason, "fake-model", 10, 1)


# --- the hook, without a browser ------------------------------------------------------------------

OLD = {"tag": "button", "role": "button", "text": "Archive", "neighbor_texts": ["Invoice 17"]}
# Scores relative to the healer's tuned values, which its benchmark may move.
HI = min(SCORE_THRESHOLD + MARGIN / 2, 0.99)  # clears the threshold
LO = SCORE_THRESHOLD - MARGIN  # does not


def run_with(breaker: FakeTieBreaker) -> tuple[_Run, MemorySink]:
    ports = Ports()
    wired = _Ports(ports.sink, ports.checkpoints, ports.artifacts, ports.fingerprints, NeverCancelled(), breaker)
    return _Run(None, make_plan("http://127.0.0.1:9"), wired, None), ports.sink  # type: ignore[arg-type]


def info_for(decision: HealDecision) -> dict[str, Any]:
    return {
        "healed": False,
        "locator": None,
        "score": decision.score,
        "runner_up_score": decision.runner_up_score,
        "reason": decision.reason,
        "chosen": None,
        "top": decision.top,
        "decided_by": "healer",
    }


def test_close_call_asks_and_the_choice_heals_with_the_healers_locator() -> None:
    breaker = FakeTieBreaker(1)
    run, sink = run_with(breaker)
    a, b = (
        candidate(HI, "xpath=/main/div[1]/button"),
        candidate(HI - 0.01, "xpath=/main/div[2]/button", neighbor_texts=["x"]),
    )
    decision = HealDecision(False, None, None, HI, HI - 0.01, [a, b], "not sure: does not beat the runner-up")
    info = info_for(decision)
    run.tie_break(1, parse_step(StepSpec(text="Click Archive")), OLD, decision, info)
    [call] = breaker.calls
    assert call["step_text"] == "Click Archive" and call["old"] is OLD and call["candidates"] == [a, b]
    assert info["healed"] is True
    assert info["locator"] == "xpath=/main/div[2]/button"  # the healer's own locator for candidate 2
    assert info["decided_by"] == "ai" and info["ai_model"] == "fake-model"
    assert info["score"] == HI - 0.01 and info["runner_up_score"] == HI
    assert "score" not in info["chosen"] and "locator" not in info["chosen"]
    assert info["chosen"]["neighbor_texts"] == ["x"]
    assert "chosen by AI (fake-model)" in info["reason"]
    assert not sink.of("log")


def test_no_choice_keeps_the_abstention_and_says_why() -> None:
    breaker = FakeTieBreaker(None)
    run, sink = run_with(breaker)
    decision = HealDecision(
        False, None, None, HI, HI - 0.01, [candidate(HI, "#a"), candidate(HI - 0.01, "#b")], "not sure"
    )
    info = info_for(decision)
    run.tie_break(1, parse_step(StepSpec(text="Click Archive")), OLD, decision, info)
    assert len(breaker.calls) == 1
    assert info["healed"] is False and info["decided_by"] == "healer" and info["locator"] is None
    assert "AI tie-break made no choice (fake chose none)" in info["reason"]
    [log] = sink.of("log")
    assert log["level"] == "warning" and "Step 2: AI tie-break made no choice" in log["message"]


@pytest.mark.parametrize(
    "decision",
    [
        HealDecision(False, None, None, 0.0, 0.0, [], "not sure: the page has no elements"),
        HealDecision(
            False, None, None, LO, LO - 0.01, [candidate(LO, "#a"), candidate(LO - 0.01, "#b")], "not sure: below"
        ),
        HealDecision(
            False, None, None, HI, HI - 2 * MARGIN, [candidate(HI, "#a"), candidate(HI - 2 * MARGIN, "#b")], "not sure"
        ),
    ],
    ids=["target-gone", "nothing-similar", "clear-winner-refused"],
)
def test_not_asked_unless_a_close_call(decision: HealDecision) -> None:
    breaker = FakeTieBreaker(0)
    run, sink = run_with(breaker)
    info = info_for(decision)
    run.tie_break(1, parse_step(StepSpec(text="Click Archive")), OLD, decision, info)
    assert breaker.calls == [] and info["healed"] is False and not sink.events


# --- end to end in Chromium -----------------------------------------------------------------------


def row(number: int) -> str:
    return (
        f'<div class="row"><span>Invoice {number}</span><button class="btn archive" name="archive" '
        f"title=\"Archive invoice {number}\" onclick=\"document.getElementById('st').textContent='Archived {number}'\">"
        "Archive</button></div>"
    )


PAGE = '<!doctype html><title>Inbox</title><main>{}<p id="st"></p></main>'
V1 = PAGE.format(row(17))
# The next release lists three invoices. The buttons differ only in their titles (a digit apart) and
# their rows: the healer's rules score them within the margin of one another and abstain.
V2 = PAGE.format(row(16) + row(17) + row(18))
# A release without the button at all.
V3 = PAGE.format("<p>Your inbox is empty.</p>")
STEPS = ["Open /inbox", "Click Archive", "Expect to see Archived 17"]


def same_title_as_before(body: dict[str, Any]) -> str:
    """A stand-in model that reads the prompt: the number of the candidate whose title is the old element's."""
    old, now = body["messages"][0]["content"].split("Candidates on the page now:")
    title = re.search(r"^  title: (.*)$", old, flags=re.M).group(1)
    for number, section in re.findall(r"^(\d+)\.\n((?:  .*\n?)*)", now, flags=re.M):
        if f"  title: {title}\n" in section + "\n":
            return number
    return "none"


@pytest.fixture(scope="module")
def anthropic_api(anthropic_api: AnthropicStub) -> AnthropicStub:
    anthropic_api.reply = same_title_as_before
    return anthropic_api


def green_run(engine: Engine, site: PageServer) -> Ports:
    site.pages["/inbox"] = V1
    ports = Ports()
    plan = make_plan(site.url, ("archive", STEPS), step_timeout_ms=800)
    assert engine.execute(plan, **ports.kwargs()).status == "passed"
    return ports


@pytest.mark.browser
def test_look_alikes_the_healer_cannot_separate_are_decided_by_the_model(
    engine: Engine, site: PageServer, anthropic_api: AnthropicStub
) -> None:
    green = green_run(engine, site)
    site.pages["/inbox"] = V2
    plan = make_plan(site.url, ("archive", STEPS), step_timeout_ms=800)

    alone = Ports()
    alone.fingerprints = green.fingerprints
    result = engine.execute(plan, **alone.kwargs()).results[0]
    assert result.status == "failed"  # the rules alone abstain: the two buttons score within the margin
    assert "does not beat the runner-up" in result.steps[1].heal["reason"]

    run = Ports()
    run.fingerprints = green.fingerprints
    breaker = AnthropicTieBreaker(api_key="sk-test", model="claude-haiku-4-5", base_url=anthropic_api.base_url)
    anthropic_api.requests.clear()
    outcome = engine.execute(plan, tie_breaker=breaker, **run.kwargs())
    result = outcome.results[0]
    assert result.status == "healed", result.error
    assert result.steps[2].outcome == "passed"  # it clicked the button next to Invoice 17
    heal = result.steps[1].heal
    assert heal["healed"] is True and heal["decided_by"] == "ai" and heal["ai_model"] == "claude-haiku-4-5"
    assert heal["locator"] in [c["locator"] for c in heal["top"]]
    [event] = run.sink.of("heal")
    assert event["decided_by"] == "ai" and event["locator"] == heal["locator"]
    assert any("chosen by AI claude-haiku-4-5" in log["message"] for log in run.sink.of("log"))
    [request] = anthropic_api.requests
    offered = re.search(r"\(1 to (\d+)\)", request["body"]["messages"][0]["content"])
    assert offered and int(offered.group(1)) >= 2  # a real choice among look-alikes


@pytest.mark.browser
def test_the_model_is_never_asked_when_the_target_is_gone(engine: Engine, site: PageServer) -> None:
    green = green_run(engine, site)
    site.pages["/inbox"] = V3
    run = Ports()
    run.fingerprints = green.fingerprints
    breaker = FakeTieBreaker(0)
    outcome = engine.execute(
        make_plan(site.url, ("archive", STEPS), step_timeout_ms=800), tie_breaker=breaker, **run.kwargs()
    )
    assert outcome.results[0].status == "failed"
    assert breaker.calls == []
    assert outcome.results[0].steps[1].heal["decided_by"] == "healer"


def test_not_asked_once_the_run_is_cancelled() -> None:
    breaker = FakeTieBreaker(0)
    run, _ = run_with(breaker)
    run.ports.cancel = FlagCancelToken()
    run.ports.cancel.cancel()
    decision = HealDecision(
        False, None, None, HI, HI - 0.01, [candidate(HI, "#a"), candidate(HI - 0.01, "#b")], "not sure"
    )
    info = info_for(decision)
    run.tie_break(1, parse_step(StepSpec(text="Click Archive")), OLD, decision, info)
    assert breaker.calls == [] and info["healed"] is False

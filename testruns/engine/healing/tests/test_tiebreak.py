"""The AI tie-break's prompt, its strict reading of answers, which abstentions qualify, and the Anthropic
client against a local server that speaks the Messages API."""

from __future__ import annotations

import pytest

from testruns.engine.healing import HealDecision
from testruns.engine.healing.healer import MARGIN, SCORE_THRESHOLD
from testruns.engine.healing.tiebreak import (
    MAX_OUTPUT_TOKENS,
    SYSTEM_PROMPT,
    AnthropicTieBreaker,
    build_prompt,
    close_call_candidates,
    parse_choice,
)
from testruns.engine.testing.anthropic_api import AnthropicStub

OLD = {
    "tag": "button",
    "role": "button",
    "text": "Archive",
    "id": "archive",
    "classes": ["btn"],
    "neighbor_texts": ["Invoice 17"],
    "rect": {"x": 10, "y": 20, "w": 80, "h": 30},
}


def candidate(score: float, locator: str | None, **attrs: object) -> dict:
    return {
        "tag": "button",
        "role": "button",
        "text": "Archive",
        "score": score,
        "locator": locator,
        "evidence": {"text": 1.0},
        "visible": True,
        "enabled": True,
        **attrs,
    }


def close_decision(*top: dict) -> HealDecision:
    best = top[0]["score"]
    runner_up = top[1]["score"] if len(top) > 1 else 0.0
    return HealDecision(False, None, None, best, runner_up, list(top), "not sure: does not beat the runner-up")


# --- prompt and answers ---------------------------------------------------------------------------


def test_prompt_numbers_the_candidates_and_shows_no_selector_or_score() -> None:
    a = candidate(0.79, "xpath=/html/body[1]/main[1]/div[1]/button[1]", neighbor_texts=["Invoice 18"])
    b = candidate(0.78, "css=#b", neighbor_texts=["Invoice 17"])
    prompt = build_prompt(step_text="Click Archive", old_fingerprint=OLD, candidates=[a, b])
    assert "Test step: 'Click Archive'" in prompt
    old_part, now_part = prompt.split("Candidates on the page now:")
    assert "'Invoice 17'" in old_part and "id: 'archive'" in old_part
    first, second = now_part.split("\n2.\n")
    assert first.strip().startswith("1.") and "'Invoice 18'" in first
    assert "'Invoice 17'" in second
    assert "(1 to 2)" in prompt and "none" in prompt
    # The model chooses elements; it is never shown (or asked for) a selector, nor the healer's scores.
    for hidden in ("xpath=", "css=#b", "0.79", "0.78", "evidence"):
        assert hidden not in prompt
    assert "never write selectors" in SYSTEM_PROMPT


def test_prompt_shows_a_label_that_no_longer_labels_the_field() -> None:
    old = {"tag": "textarea", "role": "textbox", "label": "Message", "accessible_name": "Message"}
    field = {"tag": "textarea", "role": "textbox", "detached_label": "Message", "score": 0.7, "locator": None}
    prompt = build_prompt(step_text="Fill Message", old_fingerprint=old, candidates=[field, dict(field)])
    now_part = prompt.split("Candidates on the page now:")[1]
    assert "label beside it that labels nothing: 'Message'" in now_part and "  label: " not in now_part


def test_prompt_shows_the_texts_of_each_candidates_row() -> None:
    old = {"tag": "button", "role": "button", "text": "Archive", "record_texts": ["Alan Turing", "Lunch on Friday"]}
    rows = [
        {
            "tag": "button",
            "role": "button",
            "text": "Archive",
            "record_texts": [name, "Lunch"],
            "score": 0.7,
            "locator": None,
        }
        for name in ("Ada Lovelace", "Alan Turing")
    ]
    prompt = build_prompt(step_text="Click Archive", old_fingerprint=old, candidates=rows)
    assert "texts of its row or card: 'Alan Turing'; 'Lunch on Friday'" in prompt
    assert "texts of its row or card: 'Ada Lovelace'; 'Lunch'" in prompt.split("Candidates on the page now:")[1]


def test_prompt_clips_long_page_text_and_marks_hidden_or_disabled() -> None:
    long = candidate(0.8, "#x", text="x" * 500, visible=False, enabled=False)
    prompt = build_prompt(step_text="Click Archive", old_fingerprint=OLD, candidates=[long])
    assert "x" * 500 not in prompt and "x" * 100 in prompt
    assert "(hidden)" in prompt and "(disabled)" in prompt


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("1", 0),
        ("2", 1),
        (" 3\n", 2),
        ("none", None),
        ("None", None),
        ("0", None),  # not a listed number
        ("4", None),
        ("-1", None),
        ("2.", None),  # anything but the bare answer is no answer
        ("Candidate 2", None),
        ("1 or 2", None),
        ("2\n\nBecause its row says Invoice 17", None),
        ("", None),
        ("two", None),
    ],
)
def test_parse_choice_is_strict(reply: str, expected: int | None) -> None:
    assert parse_choice(reply, 3) == expected


# --- which abstentions get a tie-break ------------------------------------------------------------


def test_close_call_offers_the_close_usable_candidates_only() -> None:
    best = SCORE_THRESHOLD + 0.15
    a = candidate(best, "#a")
    b = candidate(best - 0.01, "#b")
    hidden = candidate(best - 0.02, "#c", visible=False)
    decision = close_decision(a, b, hidden)
    assert close_call_candidates(decision, OLD) == [a, b]
    disabled = candidate(best - 0.02, "#d", enabled=False)
    link_to_textbox = candidate(best - 0.02, "#e", tag="input", role="textbox")
    no_locator = candidate(best - 0.02, None)
    far = candidate(best - MARGIN - 0.01, "#f")
    for other in (disabled, link_to_textbox, no_locator, far):
        assert close_call_candidates(close_decision(a, b, other), OLD) == [a, b]


def test_no_tiebreak_when_the_abstention_is_not_a_close_call() -> None:
    # Nothing similar enough: the best is below the threshold, however close the runner-up.
    low = close_decision(candidate(SCORE_THRESHOLD - 0.05, "#a"), candidate(SCORE_THRESHOLD - 0.06, "#b"))
    assert close_call_candidates(low, OLD) == []
    # The target is gone: no candidates at all.
    gone = HealDecision(False, None, None, 0.0, 0.0, [], "not sure: the page has no elements")
    assert close_call_candidates(gone, OLD) == []
    # A clear winner the healer refused for another reason (its label or surroundings) stays refused.
    clear = close_decision(candidate(0.9, "#a"), candidate(0.9 - MARGIN - 0.05, "#b"))
    assert close_call_candidates(clear, OLD) == []
    # And a heal needs no tie-break.
    healed = HealDecision(True, {"tag": "button"}, "#a", 0.9, 0.88, [candidate(0.9, "#a")], "healed")
    assert close_call_candidates(healed, OLD) == []


# --- the Anthropic client against a local Messages API --------------------------------------------


@pytest.fixture
def api(anthropic_api: AnthropicStub) -> AnthropicStub:
    anthropic_api.requests.clear()
    anthropic_api.reply = "none"
    anthropic_api.error = None
    return anthropic_api


def breaker(api: AnthropicStub, **kwargs: object) -> AnthropicTieBreaker:
    return AnthropicTieBreaker(api_key="sk-test", model="claude-haiku-4-5", base_url=api.base_url, **kwargs)


def test_anthropic_choice_goes_through_the_messages_api(api: AnthropicStub) -> None:
    api.reply = "2"
    a, b = candidate(0.8, "#a"), candidate(0.79, "#b", neighbor_texts=["Invoice 17"])
    answer = breaker(api).choose(step_text="Click Archive", old_fingerprint=OLD, candidates=[a, b])
    assert answer.index == 1
    assert answer.model == "claude-haiku-4-5"
    [request] = api.requests
    assert request["path"] == "/v1/messages"
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers.get("x-api-key") == "sk-test" or headers.get("authorization") == "Bearer sk-test"
    body = request["body"]
    assert body["model"] == "claude-haiku-4-5" and body["max_tokens"] == MAX_OUTPUT_TOKENS
    assert body["system"] == SYSTEM_PROMPT
    assert body["messages"] == [
        {"role": "user", "content": build_prompt(step_text="Click Archive", old_fingerprint=OLD, candidates=[a, b])}
    ]
    usage = AnthropicStub.usage_for(body, "2")
    assert (answer.input_tokens, answer.output_tokens) == (usage["input_tokens"], usage["output_tokens"])
    assert answer.input_tokens > 100


@pytest.mark.parametrize("reply", ["none", "I think 2", "7"])
def test_anthropic_no_usable_answer_is_no_choice_but_still_counts_tokens(api: AnthropicStub, reply: str) -> None:
    api.reply = reply
    answer = breaker(api).choose(
        step_text="Click Archive", old_fingerprint=OLD, candidates=[candidate(0.8, "#a"), candidate(0.79, "#b")]
    )
    assert answer.index is None
    assert answer.input_tokens > 0 and answer.output_tokens > 0
    assert ("chose none" in answer.reason) == (reply == "none")


def test_anthropic_provider_error_is_no_choice_not_an_exception(api: AnthropicStub) -> None:
    api.error = (529, "overloaded_error")
    answer = breaker(api, max_retries=0).choose(
        step_text="Click Archive", old_fingerprint=OLD, candidates=[candidate(0.8, "#a"), candidate(0.79, "#b")]
    )
    assert answer.index is None
    assert "AI provider failed" in answer.reason
    assert (answer.input_tokens, answer.output_tokens) == (0, 0)
    assert len(api.requests) == 1


def test_anthropic_unreachable_is_no_choice() -> None:
    stub = AnthropicStub().start()
    url = stub.base_url
    stub.stop()  # nothing listens there any more
    answer = AnthropicTieBreaker(api_key="k", model="m", base_url=url, timeout=2, max_retries=0).choose(
        step_text="Click Archive", old_fingerprint=OLD, candidates=[candidate(0.8, "#a")]
    )
    assert answer.index is None and "APIConnectionError" in answer.reason

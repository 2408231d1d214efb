"""The AI tie-break on the Django side: off unless configured, charged to the organization's AI budget,
refused (logged, no provider call) once the budget is spent. The real `anthropic` client talks to a
local server that speaks the Messages API."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from organizations.billing.budgets import ai_cost, ai_usage_record
from organizations.billing.models import AIUsage
from testruns.engine.healing.tiebreak import AnthropicTieBreaker
from testruns.engine.testing import StaticAppServer
from testruns.engine.testing.anthropic_api import AnthropicStub
from testruns.engine.tests.test_ai_tiebreak import STEPS, V1, V2, same_title_as_before
from testruns.execution.ai import PURPOSE, BudgetedTieBreaker, tie_breaker_for
from testruns.models import Heal, RunEvent, StepResult
from testruns.tests.e2e_support import make_project_with_tests, start_and_execute

MODEL = "claude-haiku-4-5"
OLD = {"tag": "button", "role": "button", "text": "Archive", "title": "Archive invoice 17"}
BUTTON = {"tag": "button", "role": "button", "text": "Archive"}
CANDIDATES = [
    {**BUTTON, "title": "Archive invoice 18", "locator": "#a", "score": 0.9},
    {**BUTTON, "title": "Archive invoice 17", "locator": "#b", "score": 0.88},
]


@pytest.fixture
def api(anthropic_api: AnthropicStub) -> AnthropicStub:
    anthropic_api.requests.clear()
    anthropic_api.reply = same_title_as_before
    anthropic_api.error = None
    return anthropic_api


@pytest.fixture
def ai_on(settings, api: AnthropicStub):
    settings.ARGUS_AI_PROVIDER = "anthropic"
    settings.ANTHROPIC_API_KEY = "sk-ant-test"
    settings.ARGUS_AI_BASE_URL = api.base_url
    settings.ARGUS_AI_MODEL = MODEL
    settings.ARGUS_AI_TIMEOUT_SECONDS = 5.0
    return settings


def choose(breaker: BudgetedTieBreaker):
    return breaker.choose(step_text="Click Archive", old_fingerprint=OLD, candidates=CANDIDATES)


# --- configuration ----------------------------------------------------------------------------------


def test_off_without_a_provider_or_a_key(settings, org) -> None:
    settings.ARGUS_AI_PROVIDER = ""
    settings.ANTHROPIC_API_KEY = "sk-ant-test"
    assert tie_breaker_for(organization=org) is None
    settings.ARGUS_AI_PROVIDER = "anthropic"
    settings.ANTHROPIC_API_KEY = ""
    assert tie_breaker_for(organization=org) is None


def test_configured_anthropic_uses_the_settings(ai_on, org, api: AnthropicStub) -> None:
    port = tie_breaker_for(organization=org)
    assert isinstance(port, BudgetedTieBreaker) and isinstance(port.breaker, AnthropicTieBreaker)
    assert port.model == MODEL and port.provider == "anthropic"
    assert str(port.breaker.client.base_url).rstrip("/") == api.base_url
    assert port.breaker.client.timeout == 5.0 and port.breaker.client.max_retries == 0


# --- budget and ledger ------------------------------------------------------------------------------


def test_each_call_is_charged_to_the_organization(ai_on, org, api: AnthropicStub) -> None:
    answer = choose(tie_breaker_for(organization=org))
    assert answer.index == 1  # the candidate whose title is the old element's
    [request] = api.requests
    usage = AnthropicStub.usage_for(request["body"], "2")
    [row] = AIUsage.objects.filter(organization=org)
    assert (row.provider, row.model, row.purpose) == ("anthropic", MODEL, PURPOSE)
    assert (row.input_tokens, row.output_tokens) == (usage["input_tokens"], usage["output_tokens"])
    assert row.cost == ai_cost("anthropic", MODEL, usage["input_tokens"], usage["output_tokens"]) > 0

    api.reply = "none"  # an answer that chooses nothing is still a call the provider billed
    assert choose(tie_breaker_for(organization=org)).index is None
    assert AIUsage.objects.filter(organization=org).count() == 2


def test_a_failed_provider_call_charges_nothing(ai_on, org, api: AnthropicStub) -> None:
    api.error = (500, "api_error")
    answer = choose(tie_breaker_for(organization=org))
    assert answer.index is None and "AI provider failed" in answer.reason
    assert not AIUsage.objects.filter(organization=org).exists()


def test_a_zero_budget_refuses_without_calling_the_provider(ai_on, org, api: AnthropicStub) -> None:
    org.ai_budget_daily = Decimal("0")
    org.save(update_fields=["ai_budget_daily"])
    answer = choose(tie_breaker_for(organization=org))
    assert answer.index is None and "AI budget is exhausted" in answer.reason and "daily" in answer.reason
    assert api.requests == []
    assert not AIUsage.objects.exists()


def test_a_spent_monthly_budget_refuses_without_calling_the_provider(ai_on, org, api: AnthropicStub) -> None:
    ai_usage_record(
        organization=org,
        provider="anthropic",
        model=MODEL,
        input_tokens=0,
        output_tokens=0,
        cost=org.ai_budget_monthly,
        purpose="earlier",
    )
    answer = choose(tie_breaker_for(organization=org))
    assert answer.index is None and "AI budget is exhausted" in answer.reason
    assert api.requests == []
    assert AIUsage.objects.filter(organization=org).count() == 1


# --- through the executor, in Chromium ----------------------------------------------------------------


@pytest.fixture(scope="module")
def inbox() -> Iterator[StaticAppServer]:
    server = StaticAppServer(pages={"/inbox": V1}).start()
    yield server
    server.stop()


def broken_inbox_run(org, inbox: StaticAppServer):
    """A green run on v1 (the step's fingerprint), then a run on v2, where the healer cannot decide."""
    inbox.pages["/inbox"] = V1
    project, _ = make_project_with_tests(org, inbox.url, [{"name": "Archive invoice 17", "steps": STEPS}])
    assert start_and_execute(project).status == "passed"
    inbox.pages["/inbox"] = V2
    return start_and_execute(project)


@pytest.mark.browser
def test_a_run_heals_a_close_call_with_the_models_choice(ai_on, org, api: AnthropicStub, inbox) -> None:
    run = broken_inbox_run(org, inbox)
    assert run.status == "passed" and run.healed == 1
    step = StepResult.objects.get(test_result__run=run, index=1)
    assert step.outcome == "healed"
    assert step.heal["decided_by"] == "ai" and step.heal["ai_model"] == MODEL
    assert StepResult.objects.get(test_result__run=run, index=2).outcome == "passed"  # "Archived 17"
    heal = Heal.objects.get(run=run)
    assert heal.new_locator == step.heal["locator"] and "chosen by AI" in heal.reason
    [event] = RunEvent.objects.filter(run=run, kind="heal")
    assert event.data["decided_by"] == "ai"
    assert len(api.requests) == 1
    [usage] = AIUsage.objects.filter(organization=org, purpose=PURPOSE)
    assert usage.input_tokens > 0 and usage.cost > 0


@pytest.mark.browser
def test_a_run_without_ai_budget_fails_the_step_and_says_why(ai_on, org, api: AnthropicStub, inbox) -> None:
    org.ai_budget_daily = Decimal("0")
    org.save(update_fields=["ai_budget_daily"])
    run = broken_inbox_run(org, inbox)
    assert run.status == "failed"
    step = StepResult.objects.get(test_result__run=run, index=1)
    assert step.outcome == "failed" and step.heal["decided_by"] == "healer"
    assert "AI budget is exhausted" in step.error
    logs = [e.data for e in RunEvent.objects.filter(run=run, kind="log")]
    assert any(log["level"] == "warning" and "AI budget is exhausted" in log["message"] for log in logs)
    assert api.requests == [] and not AIUsage.objects.exists()

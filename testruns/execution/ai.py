"""The engine's optional AI tie-break port, charged to the run's organization.

Each call is checked against the organization's AI budgets before it is made and charged (AIUsage, at
ARGUS_AI_PRICING) with the tokens the provider reports afterwards: the two halves of
organizations.billing.budgets.ai_budget_guard. They are split here because the provider call runs on the
engine's thread while the database work must run on the task's thread (bridge.py): were the whole call
bridged, a slow provider would hold the task thread and stop the run's heartbeats and cancel checks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings

from organizations.billing.budgets import ai_budget_check, ai_usage_record
from organizations.billing.errors import AIBudgetExceeded
from organizations.models import Organization
from testruns.engine.interfaces import TieBreak, TieBreaker

logger = logging.getLogger(__name__)

PURPOSE = "heal_tiebreak"
T = TypeVar("T")


def _direct(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return fn(*args, **kwargs)


class BudgetedTieBreaker:
    """A TieBreaker that refuses when the organization's AI budget is spent and charges every answered call.

    `on_db` runs a function where the database may be used: the CallBridge's `call` when this port is
    handed to the engine, a plain call otherwise.
    """

    def __init__(
        self,
        *,
        organization: Organization,
        breaker: TieBreaker,
        provider: str,
        model: str,
        on_db: Callable[..., Any] = _direct,
    ) -> None:
        self.organization = organization
        self.breaker = breaker
        self.provider = provider
        self.model = model
        self.on_db = on_db

    def choose(self, *, step_text: str, old_fingerprint: dict[str, Any], candidates: list[dict[str, Any]]) -> TieBreak:
        try:
            self.on_db(ai_budget_check, organization=self.organization, purpose=PURPOSE)
        except AIBudgetExceeded as exc:
            # The step fails as it would without AI; the engine logs this reason as a warning on the run.
            return TieBreak(None, f"the AI budget is exhausted: {exc.detail}", self.model)
        answer = self.breaker.choose(step_text=step_text, old_fingerprint=old_fingerprint, candidates=candidates)
        if answer.input_tokens or answer.output_tokens:
            # Charged under the configured model (the one the budget was checked and priced for).
            self.on_db(
                ai_usage_record,
                organization=self.organization,
                provider=self.provider,
                model=self.model,
                input_tokens=answer.input_tokens,
                output_tokens=answer.output_tokens,
                purpose=PURPOSE,
            )
        return answer


def tie_breaker_for(*, organization: Organization, on_db: Callable[..., Any] = _direct) -> BudgetedTieBreaker | None:
    """The configured tie-break for a run of `organization`, or None when AI is off (no provider or no key)."""
    if settings.ARGUS_AI_PROVIDER != "anthropic":
        return None
    if not settings.ANTHROPIC_API_KEY:
        logger.warning("ARGUS_AI_PROVIDER is 'anthropic' but ANTHROPIC_API_KEY is empty: the AI tie-break is off")
        return None
    from testruns.engine.healing.tiebreak import AnthropicTieBreaker

    breaker = AnthropicTieBreaker(
        api_key=settings.ANTHROPIC_API_KEY,
        model=settings.ARGUS_AI_MODEL,
        base_url=settings.ARGUS_AI_BASE_URL or None,
        timeout=settings.ARGUS_AI_TIMEOUT_SECONDS,
        max_retries=0,  # the timeout bounds the whole call; a retry would double how long a cancel waits
    )
    return BudgetedTieBreaker(
        organization=organization, breaker=breaker, provider="anthropic", model=settings.ARGUS_AI_MODEL, on_db=on_db
    )

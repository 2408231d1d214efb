"""Heals: steps a run healed, waiting for a person to accept or reject them.

A run never changes a test. When the healer finds a step's element under a new locator, the executor
records a pending Heal here; accepting it rewrites that step of the test to the new locator, rejecting it
is remembered so the healer never chooses that element for that step again (the step then fails and
lists its candidates, as when the healer abstains).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import UserProfile
from apikeys.models import APIKey
from argus.errors import BadRequest, Conflict, NotFound
from organizations.models import Organization
from projects.models import Project, TestDefinition
from projects.test_definitions import test_definition_update
from testruns.engine.interfaces import StepSpec
from testruns.engine.steps import ParsedStep, StepParseError, parse_step, parse_target
from testruns.models import Heal, StepFingerprint

# Attributes of a candidate that describe the element rather than how it scored against the old one.
_SCORING_KEYS = frozenset({"score", "evidence", "locator", "sims"})
_SUMMARY_KEYS = ("tag", "id", "name", "classes", "text", "role", "accessible_name", "label", "placeholder", "test_ids")


def _signature(step: StepSpec) -> str:
    # Imported here: the execution ports import this module to record heals.
    from testruns.execution.ports import step_signature

    return step_signature(step)


# --- selectors ------------------------------------------------------------------------------------


def heal_organization_id(*, heal_id: UUID | str) -> UUID | None:
    """The heal's organization, for the access check that must come before reading the heal."""
    return Heal.objects.filter(id=heal_id).values_list("organization_id", flat=True).first()


def heal_get(*, organization: Organization, heal_id: UUID | str) -> Heal:
    heal = Heal.objects.select_related("test", "decided_by").filter(organization=organization, id=heal_id).first()
    if heal is None:
        raise NotFound("Heal not found")
    return heal


def heals_for_project(*, organization: Organization, project: Project, status: str | None = None) -> QuerySet[Heal]:
    """The project's heals, newest first; `status` filters (pending, accepted, rejected)."""
    heals = Heal.objects.filter(organization=organization, project=project).select_related("test")
    if status:
        if status not in Heal.Status.values:
            raise BadRequest(
                f"status must be one of: {', '.join(Heal.Status.values)}",
                code="invalid_status",
                errors={"status": [f"Unknown status {status!r}"]},
            )
        heals = heals.filter(status=status)
    return heals.order_by("-created_at", "-id")


def rejected_locators(*, test_id: UUID | str, step_index: int, step: StepSpec) -> frozenset[str]:
    """Locators people rejected as heals of this step as it is written now."""
    rows = Heal.objects.filter(
        test_id=test_id, step_index=step_index, step_signature=_signature(step), status=Heal.Status.REJECTED
    ).values_list("new_locator", flat=True)
    return frozenset(rows)


def chosen_summary(chosen: dict[str, Any]) -> dict[str, Any]:
    """What a reviewer needs to recognise the healed element, without its full fingerprint."""
    return {key: chosen.get(key) for key in _SUMMARY_KEYS if chosen.get(key) not in (None, "", [], {})}


# --- services -------------------------------------------------------------------------------------


def heal_record(
    *,
    organization_id: UUID,
    project_id: UUID,
    test_id: UUID | str,
    run_id: UUID,
    step_index: int,
    step: StepSpec,
    info: dict[str, Any],
) -> Heal:
    """Store a heal the engine made (StepResult.heal). Idempotent: a resumed run records it once."""
    heal, _ = Heal.objects.get_or_create(
        run_id=run_id,
        test_id=test_id,
        step_index=step_index,
        defaults={
            "organization_id": organization_id,
            "project_id": project_id,
            "step_signature": _signature(step),
            "old_step": step.to_dict(),
            "old_target": str(info.get("original_target") or ""),
            "new_locator": str(info["locator"]),
            "score": float(info.get("score") or 0.0),
            "runner_up_score": float(info.get("runner_up_score") or 0.0),
            "reason": str(info.get("reason") or ""),
            "chosen": info.get("chosen") or {},
            "top": list(info.get("top") or []),
            "screenshot_url": info.get("screenshot_url"),
        },
    )
    return heal


def _decide(heal: Heal, status: str, decided_by: UserProfile | None, api_key: APIKey | None) -> None:
    heal.status = status
    heal.decided_by = decided_by
    heal.decided_by_api_key = api_key
    heal.decided_at = timezone.now()
    heal.save(update_fields=["status", "decided_by", "decided_by_api_key", "decided_at"])


def _locked_pending(heal: Heal) -> Heal:
    locked = Heal.objects.select_for_update().get(id=heal.id)
    if locked.status != Heal.Status.PENDING:
        raise Conflict(f"This heal was already {locked.status}", code="heal_decided")
    return locked


def explicit_target(locator: str) -> str:
    """The healer's locator written as a target the step language reads as a selector, not as a name.

    `[id="x"]` and `xpath=...` already are; `button:text-is("Log in")` or `input[name="q"]` are CSS that the
    parser would take for words, so they get Playwright's `css=` prefix.
    """
    if parse_target(locator).selector is not None:
        return locator
    return f"css={locator}"


def _same_step(old: ParsedStep, new: ParsedStep, selector: str) -> bool:
    return (
        new.action == old.action
        and new.value == old.value
        and new.target is not None
        and new.target.selector == selector
    )


def rewritten_step(step: str | dict[str, Any], locator: str) -> str | dict[str, Any]:
    """The step with its target replaced by `locator`, checked with the parser to mean the same action.

    A structured step keeps its action and value; a plain-English sentence keeps its words with the
    target's words replaced by the selector. A sentence that no longer parses that way (the target's
    words also appear elsewhere in it) becomes the structured step it meant.
    """
    spec = StepSpec.from_dict(step)
    old = parse_step(spec)
    target = explicit_target(locator)
    selector = parse_target(target).selector
    assert selector is not None
    if not spec.text:
        assert isinstance(step, dict)
        new_step: str | dict[str, Any] = {**step, "target": target}
        if _same_step(old, parse_step(StepSpec.from_dict(new_step)), selector):
            return new_step
    elif old.target is not None:
        text, raw = " ".join(spec.text.split()), old.target.raw
        start = text.find(raw)
        while start != -1:
            sentence = text[:start] + target + text[start + len(raw) :]
            try:
                if _same_step(old, parse_step(StepSpec(text=sentence)), selector):
                    return {**step, "text": sentence} if isinstance(step, dict) else sentence
            except StepParseError:
                pass
            start = text.find(raw, start + 1)
    structured = {"action": old.action, "target": target}
    if old.value is not None:
        structured["value"] = old.value
    if _same_step(old, parse_step(StepSpec.from_dict(structured)), selector):
        return structured
    raise Conflict(f'The step "{spec.describe()}" cannot be rewritten to target {target}', code="heal_not_applicable")


@transaction.atomic
def heal_accept(*, heal: Heal, decided_by: UserProfile | None = None, api_key: APIKey | None = None) -> Heal:
    """Rewrite the healed step of the test to the new locator; refused (409) if the step changed since."""
    heal = _locked_pending(heal)
    test = TestDefinition.objects.select_for_update().get(id=heal.test_id)
    steps = list(test.steps)
    if heal.step_index >= len(steps) or _signature(StepSpec.from_dict(steps[heal.step_index])) != heal.step_signature:
        raise Conflict(
            f"Step {heal.step_index + 1} of the test changed since this heal; run the test again",
            code="test_changed",
        )
    try:
        steps[heal.step_index] = rewritten_step(steps[heal.step_index], heal.new_locator)
    except StepParseError as exc:
        raise Conflict(f"The healed step cannot be rewritten: {exc.message}", code="heal_not_applicable") from exc
    test_definition_update(test=test, steps=steps)
    if heal.chosen:
        # The healed element is the step's reference from now on (the old one is what the app no longer
        # has), so the step can heal again before its next green run.
        StepFingerprint.objects.update_or_create(
            test=test,
            step_index=heal.step_index,
            defaults={
                "project_id": heal.project_id,
                "signature": _signature(StepSpec.from_dict(test.steps[heal.step_index])),
                "fingerprint": {k: v for k, v in heal.chosen.items() if k not in _SCORING_KEYS},
            },
        )
    _decide(heal, Heal.Status.ACCEPTED, decided_by, api_key)
    return heal


@transaction.atomic
def heal_reject(*, heal: Heal, decided_by: UserProfile | None = None, api_key: APIKey | None = None) -> Heal:
    """Remember that this element is not the step's: later runs never heal this step to it again."""
    heal = _locked_pending(heal)
    _decide(heal, Heal.Status.REJECTED, decided_by, api_key)
    # Other runs' pending heals of the same step to the same locator are the same decision.
    Heal.objects.filter(
        test_id=heal.test_id,
        step_index=heal.step_index,
        step_signature=heal.step_signature,
        new_locator=heal.new_locator,
        status=Heal.Status.PENDING,
    ).update(
        status=Heal.Status.REJECTED,
        decided_by=decided_by,
        decided_by_api_key=api_key,
        decided_at=heal.decided_at,
    )
    return heal

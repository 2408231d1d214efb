"""Tests of a project (test definitions): reads scoped by organization, writes that validate every step.

Each step is checked with the engine's own parser when it is saved, so a test that saves is a test the
runner understands; a step it cannot read is refused with its number and the parser's reason.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import transaction

from accounts.models import UserProfile
from argus.errors import BadRequest, NotFound
from organizations.models import Organization
from projects.models import Project, TestDefinition
from testruns.engine.interfaces import StepSpec
from testruns.engine.steps import StepParseError, parse_step

# Not a pytest module despite its name (python_files = test_*.py).
__test__ = False

MAX_STEPS = 200
STEP_KEYS = {"text", "action", "target", "value"}

_UNSET: Any = object()


# --- selectors ------------------------------------------------------------------------------------


def project_organization_id(*, project_id: UUID | str) -> UUID | None:
    """The organization a project belongs to, for the access check that must precede any read of it."""
    return Project.objects.filter(id=project_id).values_list("organization_id", flat=True).first()


def test_organization_id(*, test_id: UUID | str) -> UUID | None:
    return TestDefinition.objects.filter(id=test_id).values_list("project__organization_id", flat=True).first()


def project_get(*, organization: Organization, project_id: UUID | str) -> Project:
    project = Project.objects.filter(organization=organization, id=project_id).first()
    if project is None:
        raise NotFound("Project not found")
    return project


def test_definition_get(*, organization: Organization, test_id: UUID | str) -> TestDefinition:
    test = (
        TestDefinition.objects.select_related("project").filter(project__organization=organization, id=test_id).first()
    )
    if test is None:
        raise NotFound("Test not found")
    return test


def test_definition_list(
    *, organization: Organization, project: Project, active: bool | None = None, tag: str | None = None
) -> list[TestDefinition]:
    tests = TestDefinition.objects.filter(project__organization=organization, project=project)
    if active is not None:
        tests = tests.filter(is_active=active)
    result = list(tests.order_by("created_at"))
    if tag:
        # Tags are a JSON list; matching in Python keeps SQLite and PostgreSQL alike (a project has few tests).
        wanted = tag.strip().lower()
        result = [t for t in result if any(str(x).lower() == wanted for x in t.tags)]
    return result


# --- step validation ------------------------------------------------------------------------------


def _invalid_step(number: int, why: str) -> BadRequest:
    message = f"Step {number}: {why}"
    return BadRequest(message, code="invalid_step", errors={f"steps[{number - 1}]": [message]})


def normalize_steps(steps: Any) -> list[str | dict[str, str]]:
    """The steps as stored: plain strings, or {"action", "target"?, "value"?} dicts; each one parsed.

    Raises BadRequest naming the first step (1-based) that is malformed or that the engine cannot read.
    """
    if not isinstance(steps, list) or not steps:
        raise BadRequest("steps must be a non-empty list", code="invalid_steps", errors={"steps": ["Required"]})
    if len(steps) > MAX_STEPS:
        raise BadRequest(f"A test may have at most {MAX_STEPS} steps", code="invalid_steps")
    stored: list[str | dict[str, str]] = []
    for number, raw in enumerate(steps, start=1):
        if isinstance(raw, str):
            item: str | dict[str, str] = " ".join(raw.split())
            if not item:
                raise _invalid_step(number, "the step is empty")
        elif isinstance(raw, dict):
            unknown = set(raw) - STEP_KEYS
            if unknown:
                raise _invalid_step(number, f"unknown field(s) {', '.join(sorted(unknown))}; use action, target, value")
            bad = [k for k, v in raw.items() if v is not None and not isinstance(v, str | int | float | bool)]
            if bad:
                raise _invalid_step(number, f"{', '.join(sorted(bad))} must be text")
            item = {k: str(v) if not isinstance(v, str) else v for k, v in raw.items() if v is not None}
        else:
            raise _invalid_step(number, 'a step is a sentence or an object {"action", "target", "value"}')
        try:
            parse_step(StepSpec.from_dict(item))
        except StepParseError as exc:
            raise _invalid_step(number, exc.message) from exc
        stored.append(item)
    return stored


def _clean_tags(tags: list[str]) -> list[str]:
    seen: list[str] = []
    for tag in tags:
        tag = tag.strip()
        if tag and tag not in seen:
            seen.append(tag)
    return seen


# --- services -------------------------------------------------------------------------------------


@transaction.atomic
def test_definition_create(
    *,
    project: Project,
    name: str,
    steps: list[Any],
    description: str = "",
    tags: list[str] | None = None,
    priority: str = TestDefinition.Priority.NORMAL,
    is_active: bool = True,
    created_by: UserProfile | None = None,
) -> TestDefinition:
    return TestDefinition.objects.create(
        project=project,
        name=name.strip(),
        description=description,
        tags=_clean_tags(tags or []),
        priority=priority,
        is_active=is_active,
        steps=normalize_steps(steps),
        created_by=created_by,
    )


@transaction.atomic
def test_definition_update(
    *,
    test: TestDefinition,
    name: str = _UNSET,
    steps: list[Any] = _UNSET,
    description: str = _UNSET,
    tags: list[str] = _UNSET,
    priority: str = _UNSET,
    is_active: bool = _UNSET,
) -> TestDefinition:
    """Change the given fields; omitted ones keep their value. Steps are re-validated when given."""
    if steps is not _UNSET:
        test.steps = normalize_steps(steps)
    if name is not _UNSET:
        test.name = name.strip()
    if description is not _UNSET:
        test.description = description
    if tags is not _UNSET:
        test.tags = _clean_tags(tags)
    if priority is not _UNSET:
        test.priority = priority
    if is_active is not _UNSET:
        test.is_active = is_active
    test.save()
    return test


def test_definition_delete(*, test: TestDefinition) -> None:
    test.delete()

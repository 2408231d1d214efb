"""What each event says, rendered once and handed to any transport.

Titles and texts are plain; email adds HTML from templates/notifications/email/. Secrets never
appear in a payload, so nothing rendered here can leak one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from notifications.models import DIGEST_EVENT, Delivery, EventType
from notifications.transports.base import Message

TEST_EVENT_WORD = {EventType.TEST_FAILED: "failed", EventType.TEST_PASSED: "passed", EventType.TEST_HEALED: "healed"}
CHANNEL_TEST_EVENT = "channel.test"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = float(seconds)
    return f"{seconds:.1f}s" if seconds < 60 else f"{int(seconds // 60)}m {int(seconds % 60)}s"


def _run_facts(run: dict[str, Any]) -> list[tuple[str, str]]:
    facts = [
        ("Project", run["project_name"]),
        ("Status", run["status"]),
        ("Tests", f"{run['passed']} passed, {run['failed']} failed, {run['healed']} healed, {run['errored']} errored"),
        ("Duration", _duration(run.get("duration_seconds"))),
    ]
    if run.get("branch"):
        facts.append(("Branch", run["branch"]))
    return facts


def _run_message(event_type: str, payload: dict[str, Any]) -> tuple[str, str, str | None, list[tuple[str, str]]]:
    run = payload["run"]
    project = run["project_name"]
    if event_type == EventType.RUN_FAILED and run["status"] == "error":
        title = f"[Argus] Run errored in {project}: {run.get('error') or 'infrastructure error'}"
    elif event_type == EventType.RUN_FAILED:
        not_passed = run["failed"] + run["errored"]
        title = f"[Argus] Run failed in {project}: {not_passed} of {run['total']} tests did not pass"
    else:
        passed = run["passed"] + run["healed"]
        title = f"[Argus] Run {run['status']} in {project}: {passed} of {run['total']} tests passed"
    lines = [f"Run {run['run_id']} of {project} finished with status {run['status']}."]
    if run.get("branch"):
        lines.append(f"Branch: {run['branch']}")
    for test in payload.get("failed_tests", []):
        lines.append(f"- {test['name']}: {test['status']}" + (f" ({test['error']})" if test.get("error") else ""))
    for test in payload.get("healed_tests", []):
        lines.append(f"- {test['name']}: healed (review the new locator)")
    return title, "\n".join(lines), run.get("run_url"), _run_facts(run)


def _test_message(event_type: str, payload: dict[str, Any]) -> tuple[str, str, str | None, list[tuple[str, str]]]:
    run, test = payload["run"], payload["test"]
    word = TEST_EVENT_WORD[event_type]
    title = f"[Argus] Test {word}: {test['name']} ({run['project_name']})"
    text = f'Test "{test["name"]}" {word} in run {run["run_id"]}.'
    if test.get("error"):
        text += f"\nError: {test['error']}"
    facts = [("Project", run["project_name"]), ("Test", test["name"]), ("Status", test["status"])]
    if test.get("tags"):
        facts.append(("Tags", ", ".join(test["tags"])))
    if run.get("branch"):
        facts.append(("Branch", run["branch"]))
    return title, text, run.get("run_url"), facts


def _budget_message(payload: dict[str, Any]) -> tuple[str, str, str | None, list[tuple[str, str]]]:
    budget = payload["budget"]
    title = f"[Argus] AI budget exceeded ({budget['period']}): ${budget['spent']} of ${budget['budget']}"
    text = (
        f"The organization's {budget['period']} AI budget of ${budget['budget']} is spent (${budget['spent']}). "
        "AI-assisted steps and heals stop until the next period or a higher budget."
    )
    facts = [("Period", budget["period"]), ("Spent", f"${budget['spent']}"), ("Budget", f"${budget['budget']}")]
    return title, text, f"{settings.PUBLIC_URL}/", facts


def render(delivery: Delivery) -> Message:
    event_type, payload = delivery.event_type, delivery.payload
    if event_type == DIGEST_EVENT:
        return _digest_message(delivery)
    if event_type in (EventType.RUN_COMPLETED, EventType.RUN_FAILED):
        title, text, url, facts = _run_message(event_type, payload)
    elif event_type in TEST_EVENT_WORD:
        title, text, url, facts = _test_message(event_type, payload)
    elif event_type == EventType.BUDGET_EXCEEDED:
        title, text, url, facts = _budget_message(payload)
    elif event_type == CHANNEL_TEST_EVENT:
        title = "[Argus] Test notification"
        text = f"This channel is set up correctly: Argus can reach it ({payload.get('channel_name', '')})."
        url, facts = f"{settings.PUBLIC_URL}/", []
    else:
        raise ValueError(f"no message for event type {event_type!r}")
    context = {"title": title, "text": text, "url": url, "facts": facts, "event_type": event_type}
    return Message(
        delivery_id=str(delivery.id),
        organization_id=str(delivery.organization_id),
        event_type=event_type,
        priority=delivery.priority,
        title=title,
        text=render_to_string("notifications/email/event.txt", context),
        html=render_to_string("notifications/email/event.html", context),
        url=url,
        facts=facts,
        data=payload,
        created_at=delivery.created_at.isoformat(),
        event_key=delivery.event_key,
    )


def _digest_message(delivery: Delivery) -> Message:
    context = delivery.payload
    return Message(
        delivery_id=str(delivery.id),
        organization_id=str(delivery.organization_id),
        event_type=DIGEST_EVENT,
        priority=delivery.priority,
        title=f"[Argus] Weekly digest for {context['organization_name']}: {context['week_label']}",
        text=render_to_string("emails/digest.txt", context),
        html=render_to_string("emails/digest.html", context),
        url=context.get("dashboard_url"),
        data=context,
        created_at=delivery.created_at.isoformat(),
        event_key=delivery.event_key,
    )
